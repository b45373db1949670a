"""GET /api/v1/entities/leadlists: page the lead lists the caller may use."""

from typing import Annotated

from leadlists.api import Query, create_app, current_caller, handler
from leadlists.models.common import PageLimit
from leadlists.models.lead_list_summaries import LeadListPage
from leadlists.services import lead_list_summaries

app = create_app()


@app.get("/api/v1/entities/leadlists", summary="Page the caller's lead lists")
def list_lead_lists(
    limit: Annotated[PageLimit | None, Query()] = None,
    nextToken: Annotated[str | None, Query(max_length=2048)] = None,
) -> LeadListPage:
    return lead_list_summaries.page(current_caller(app), limit, nextToken)


lambda_handler = handler(app)
