"""POST /api/v1/search/companies: search the catalog's companies (a searchId lasts 24 hours).

200 with the first page within the synchronous budget; beyond it 202 `running`, then
GET /api/v1/search/{searchId}."""

from leadlists.api import handler
from leadlists.models.search import CompanySearchRequest
from leadlists.models.search_pages import CompanySearchPage
from leadlists.search_routes import search_app
from leadlists.services import search

app = search_app(
    "search_companies",
    "/api/v1/search/companies",
    "Search companies",
    CompanySearchRequest,
    CompanySearchPage,
    search.companies,
)
lambda_handler = handler(app)
