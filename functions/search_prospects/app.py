"""POST /api/v1/search/prospects: search the catalog's persons (a searchId lasts 24 hours).

200 with the first page within the synchronous budget; beyond it 202 `running`, then
GET /api/v1/search/{searchId}."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from leadlists.api import create_app, current_caller, dump, handler
from leadlists.models.search import PersonSearchPage, SearchRequest, SearchStarted
from leadlists.services import search

app = create_app()


@app.post("/api/v1/search/prospects", summary="Search prospects")
def search_prospects(
    body: Annotated[SearchRequest, Body()],
) -> Response[PersonSearchPage | SearchStarted]:
    answer = search.prospects(current_caller(app), body)
    return Response(search.status_code(answer), "application/json", dump(answer))


lambda_handler = handler(app)
