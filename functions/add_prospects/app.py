"""POST /api/v1/entities/leadlists/{id}/add-prospects: add persons, direct or by selection."""

from typing import Annotated

from leadlists.api import Body, LeadListId, create_app, current_caller, handler
from leadlists.models.prospect_additions import AddedProspects, AddProspectsRequest, SelectionAdded
from leadlists.services import prospect_additions

app = create_app()


@app.post("/api/v1/entities/leadlists/<id>/add-prospects", summary="Add prospects")
def add_prospects(
    id: LeadListId, body: Annotated[AddProspectsRequest, Body()]
) -> AddedProspects | SelectionAdded:
    return prospect_additions.add_prospects(current_caller(app), id, body)


lambda_handler = handler(app)
