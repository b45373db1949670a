"""POST /api/v1/entities/leadlists: create a lead list (201)."""

from typing import Annotated

from leadlists.api import Body, Response, create_app, current_caller, dump, handler
from leadlists.models.lead_list_edits import CreateLeadListRequest
from leadlists.models.lead_list_objects import LeadList
from leadlists.services import lead_list_edits

app = create_app()


@app.post("/api/v1/entities/leadlists", summary="Create a lead list", status_code=201)
def create_lead_list(body: Annotated[CreateLeadListRequest, Body()]) -> Response[LeadList]:
    created = lead_list_edits.create(current_caller(app), body)
    return Response(201, "application/json", dump(created))


lambda_handler = handler(app)
