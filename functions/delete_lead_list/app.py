"""DELETE /api/v1/entities/leadlists/{id}: remove a lead list at once; its member items go in
the background."""

from leadlists.api import NOT_SHARED, LeadListId, handler
from leadlists.routes import delete_app
from leadlists.services import lead_list_deletion

app = delete_app(
    "delete_lead_list",
    "/api/v1/entities/leadlists/<id>",
    "Delete a lead list",
    LeadListId,
    NOT_SHARED["description"],
    lead_list_deletion.delete,
)
lambda_handler = handler(app)
