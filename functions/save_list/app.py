"""POST /lists/save: create or update a saved list."""

from typing import Annotated

from leadlists.api import Body, create_app, current_caller, handler
from leadlists.models.saved_list_requests import SaveListRequest
from leadlists.models.saved_lists import SavedList
from leadlists.services import saved_list_save

app = create_app()


@app.post("/lists/save", summary="Create or update a saved list")
def save_list(body: Annotated[SaveListRequest, Body()]) -> SavedList:
    return saved_list_save.save(current_caller(app), body)


lambda_handler = handler(app)
