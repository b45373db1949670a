"""POST /api/v1/entities/leadlists/{id}/add-prospects: add persons, direct or by selection."""

from typing import Annotated

from leadlists.api import Body, LeadListId, create_app, current_caller, handler
from leadlists.models.lead_lists import AddedProspects, AddProspectsRequest, SelectionAdded
from leadlists.services import lead_lists

app = create_app()


@app.post("/api/v1/entities/leadlists/<id>/add-prospects", summary="Add prospects")
def add_prospects(
    id: LeadListId, body: Annotated[AddProspectsRequest, Body()]
) -> AddedProspects | SelectionAdded:
    return lead_lists.add_prospects(current_caller(app), id, body)


lambda_handler = handler(app)
