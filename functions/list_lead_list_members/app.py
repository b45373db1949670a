"""GET /api/v1/entities/leadlists/{id}/members: page a lead list's members, records populated."""

from typing import Annotated

from leadlists.api import NOT_SHARED, LeadListId, Query, create_app, current_caller, handler
from leadlists.models.lead_list_objects import DEFAULT_MEMBERS_PAGE, MemberLimit, MemberPage
from leadlists.services import lead_lists

app = create_app()


@app.get(
    "/api/v1/entities/leadlists/<id>/members",
    summary="Page a lead list's members",
    description="Company objects for a company list, person objects for a person list, in "
    "member order; `nextToken` (also a lead list's `membersNextToken`) continues.",
    responses={
        200: {
            "description": "A page of members",
            "content": {"application/json": {"model": MemberPage}},
        },
        403: NOT_SHARED,
    },
)
def list_lead_list_members(
    id: LeadListId,
    limit: Annotated[
        MemberLimit | None, Query(description=f"Members per page (default {DEFAULT_MEMBERS_PAGE})")
    ] = None,
    nextToken: Annotated[str | None, Query(max_length=2048)] = None,
) -> MemberPage:
    return lead_lists.members(current_caller(app), id, limit, nextToken)


lambda_handler = handler(app)
