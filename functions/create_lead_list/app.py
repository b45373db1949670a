"""POST /api/v1/entities/leadlists: create a lead list (201)."""

from typing import Annotated

from leadlists.api import Body, Response, create_app, current_caller, dump, handler
from leadlists.models.lead_lists import CreateLeadListRequest, LeadList
from leadlists.services import lead_lists

app = create_app()


@app.post("/api/v1/entities/leadlists", summary="Create a lead list", status_code=201)
def create_lead_list(body: Annotated[CreateLeadListRequest, Body()]) -> Response[LeadList]:
    created = lead_lists.create(current_caller(app), body)
    return Response(201, "application/json", dump(created))


lambda_handler = handler(app)
