"""GET /api/v1/entities/leadlists/{id}: one lead list with its companies or persons populated."""

from leadlists.api import (
    NOT_SHARED,
    LeadListId,
    Response,
    create_app,
    current_caller,
    dump,
    handler,
)
from leadlists.models.lead_lists import LeadList
from leadlists.services import lead_lists

app = create_app()


@app.get(
    "/api/v1/entities/leadlists/<id>",
    summary="Get a lead list",
    responses={
        200: {
            "description": "The lead list, companies or persons populated",
            "content": {"application/json": {"model": LeadList}},
        },
        403: NOT_SHARED,
    },
)
def get_lead_list(id: LeadListId) -> Response[LeadList]:
    return Response(200, "application/json", dump(lead_lists.get(current_caller(app), id)))


lambda_handler = handler(app)
