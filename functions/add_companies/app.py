"""POST /api/v1/entities/leadlists/{id}/add-companies: add catalog companies to a lead list."""

from typing import Annotated

from leadlists.api import Body, LeadListId, Response, create_app, current_caller, dump, handler
from leadlists.models.lead_list_objects import LeadList
from leadlists.models.member_changes import AddCompaniesRequest, AddedCount
from leadlists.services import company_additions

app = create_app()


@app.post("/api/v1/entities/leadlists/<id>/add-companies", summary="Add companies")
def add_companies(
    id: LeadListId, body: Annotated[AddCompaniesRequest, Body()]
) -> Response[LeadList | AddedCount]:
    result = company_additions.add_companies(current_caller(app), id, body)
    headers = {"X-Added-Count": str(result.added)}
    return Response(200, "application/json", dump(result.body), headers=headers)


lambda_handler = handler(app)
