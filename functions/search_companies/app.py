"""POST /api/v1/search/companies: search the catalog's companies (a searchId lasts 24 hours).

200 with the first page within the synchronous budget; beyond it 202 `running`, then
GET /api/v1/search/{searchId}."""

from leadlists.api import JsonBody, Response, create_app, current_caller, handler, respond
from leadlists.models.search import CompanySearchPage, CompanySearchRequest, SearchStarted
from leadlists.services import search

app = create_app()
Answer = CompanySearchPage | SearchStarted


@app.post("/api/v1/search/companies", summary="Search companies")
def search_companies(body: JsonBody[CompanySearchRequest]) -> Response[Answer]:
    return respond(search.companies(current_caller(app), body))


lambda_handler = handler(app)
