"""POST /lists/save: create or update a saved list."""

from typing import Annotated

from leadlists.api import Body, create_app, current_caller, handler
from leadlists.models.saved_lists import SavedList, SaveListRequest
from leadlists.services import saved_lists

app = create_app()


@app.post("/lists/save", summary="Create or update a saved list")
def save_list(body: Annotated[SaveListRequest, Body()]) -> SavedList:
    return saved_lists.save(current_caller(app), body)


lambda_handler = handler(app)
