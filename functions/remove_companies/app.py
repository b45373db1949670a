"""POST /api/v1/entities/leadlists/{id}/remove-companies: remove companies from a lead list."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body

from leadlists.api import LeadListId, create_app, current_caller, handler
from leadlists.models.lead_lists import RemoveCompaniesRequest, RemovedCount
from leadlists.services import lead_lists

app = create_app()


@app.post("/api/v1/entities/leadlists/<id>/remove-companies", summary="Remove companies")
def remove_companies(
    id: LeadListId, body: Annotated[RemoveCompaniesRequest, Body()]
) -> RemovedCount:
    return lead_lists.remove_companies(current_caller(app), id, body)


lambda_handler = handler(app)
