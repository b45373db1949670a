"""GET /api/v1/search/{searchId}: a search's status and, once complete, a page of its results."""

from typing import Annotated

from leadlists.api import Query, SearchId, create_app, current_caller, handler
from leadlists.models.search_pages import DEFAULT_SEARCH_PAGE, PageSize, SearchState
from leadlists.services import search_results

app = create_app()


@app.get("/api/v1/search/<searchId>", summary="Get a search's status and a page of results")
def get_search(
    searchId: SearchId,
    nextToken: Annotated[str | None, Query(max_length=2048)] = None,
    pageSize: Annotated[PageSize, Query()] = DEFAULT_SEARCH_PAGE,
) -> SearchState:
    return search_results.state(current_caller(app), searchId, nextToken, pageSize)


lambda_handler = handler(app)
