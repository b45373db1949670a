"""POST /api/v1/search/prospects: search the catalog's persons (a searchId lasts 24 hours).

200 with the first page within the synchronous budget; beyond it 202 `running`, then
GET /api/v1/search/{searchId}."""

from leadlists.api import JsonBody, Response, create_app, current_caller, handler, respond
from leadlists.models.search import PersonSearchPage, SearchRequest, SearchStarted
from leadlists.services import search

app = create_app()
Answer = PersonSearchPage | SearchStarted


@app.post("/api/v1/search/prospects", summary="Search prospects")
def search_prospects(body: JsonBody[SearchRequest]) -> Response[Answer]:
    return respond(search.prospects(current_caller(app), body))


lambda_handler = handler(app)
