"""POST /api/v1/entities/leadlists/{id}/remove-prospects: remove persons from a lead list."""

from leadlists.api import JsonBody, LeadListId, create_app, current_caller, handler
from leadlists.models.member_changes import RemovedCount, RemoveProspectsRequest
from leadlists.services import lead_list_removals

app = create_app()


@app.post("/api/v1/entities/leadlists/<id>/remove-prospects", summary="Remove prospects")
def remove_prospects(id: LeadListId, body: JsonBody[RemoveProspectsRequest]) -> RemovedCount:
    return lead_list_removals.remove_prospects(current_caller(app), id, body)


lambda_handler = handler(app)
