"""GET /api/v1/entities/leadlists/{id}: one lead list with its companies or persons populated."""

from leadlists import api
from leadlists.api import NOT_SHARED, LeadListId, Response
from leadlists.models.lead_list_objects import LeadList
from leadlists.services import lead_lists

app = api.create_app()


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
    return Response(200, "application/json", api.dump(lead_lists.get(api.current_caller(app), id)))


lambda_handler = api.handler(app)
