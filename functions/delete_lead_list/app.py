"""DELETE /api/v1/entities/leadlists/{id}: remove a lead list and its member items."""

from aws_lambda_powertools.event_handler import Response

from leadlists.api import LeadListId, create_app, current_caller, handler
from leadlists.services import lead_lists

app = create_app()
# Lead lists answer 403 on reads too: the list is not shared with the caller, who is no admin.
FORBIDDEN = {
    "description": "Not shared with the caller, who is not an admin",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
}


@app.delete(
    "/api/v1/entities/leadlists/<id>",
    summary="Delete a lead list",
    responses={200: {"description": "Deleted, with its members; no body"}, 403: FORBIDDEN},
)
def delete_lead_list(id: LeadListId) -> Response[None]:
    lead_lists.delete(current_caller(app), id)
    return Response(200)


lambda_handler = handler(app)
