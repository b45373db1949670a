"""POST /api/v1/search/prospects: search the catalog's persons (a searchId lasts 24 hours), in
the same two steps as a company search."""

from leadlists.api import handler
from leadlists.models.search import SearchRequest
from leadlists.models.search_pages import PersonSearchPage
from leadlists.search_routes import search_app
from leadlists.services import search

app = search_app(
    "search_prospects",
    "/api/v1/search/prospects",
    "Search prospects",
    SearchRequest,
    PersonSearchPage,
    search.prospects,
)
lambda_handler = handler(app)
