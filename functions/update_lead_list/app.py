"""PATCH /api/v1/entities/leadlists/{id}: change a lead list's name, dates, icpId or userIds."""

from typing import Annotated

from leadlists.api import Body, LeadListId, Response, create_app, current_caller, dump, handler
from leadlists.models.lead_list_edits import UpdateLeadListRequest
from leadlists.models.lead_list_objects import LeadList
from leadlists.services import lead_list_edits

app = create_app()


@app.patch("/api/v1/entities/leadlists/<id>", summary="Update a lead list")
def update_lead_list(
    id: LeadListId, body: Annotated[UpdateLeadListRequest, Body()]
) -> Response[LeadList]:
    updated = lead_list_edits.update(current_caller(app), id, body)
    return Response(200, "application/json", dump(updated))


lambda_handler = handler(app)
