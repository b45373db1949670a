"""DELETE /api/v1/entities/leadlists/{id}: remove a lead list at once; its member items go in
the background."""

from leadlists.api import NOT_SHARED, LeadListId, Response, create_app, current_caller, handler
from leadlists.services import lead_lists

app = create_app()


@app.delete(
    "/api/v1/entities/leadlists/<id>",
    summary="Delete a lead list",
    responses={
        200: {"description": "Deleted at once (members removed in the background); no body"},
        403: NOT_SHARED,
    },
)
def delete_lead_list(id: LeadListId) -> Response[None]:
    lead_lists.delete(current_caller(app), id)
    return Response(200)


lambda_handler = handler(app)
