"""POST /api/v1/search/prospects: search the catalog's persons (a searchId lasts 24 hours)."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body

from leadlists.api import create_app, current_caller, handler
from leadlists.models.search import PersonSearchPage, SearchRequest
from leadlists.services import search

app = create_app()


@app.post("/api/v1/search/prospects", summary="Search prospects")
def search_prospects(body: Annotated[SearchRequest, Body()]) -> PersonSearchPage:
    return search.prospects(current_caller(app), body)


lambda_handler = handler(app)
