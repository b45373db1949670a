"""POST /api/v1/entities/leadlists/{id}/remove-companies: remove companies from a lead list."""

from leadlists.api import JsonBody, LeadListId, create_app, current_caller, handler
from leadlists.models.member_changes import RemoveCompaniesRequest, RemovedCount
from leadlists.services import lead_list_removals

app = create_app()


@app.post("/api/v1/entities/leadlists/<id>/remove-companies", summary="Remove companies")
def remove_companies(id: LeadListId, body: JsonBody[RemoveCompaniesRequest]) -> RemovedCount:
    return lead_list_removals.remove_companies(current_caller(app), id, body)


lambda_handler = handler(app)
