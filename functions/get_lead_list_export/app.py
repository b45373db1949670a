"""GET /api/v1/entities/leadlists/{id}/exports/{exportId}: a lead list's background export, with
a fresh download link once complete."""

from leadlists.api import NOT_SHARED, ExportId, LeadListId, create_app, current_caller, handler
from leadlists.models.exports import ExportState
from leadlists.services import export_status

app = create_app()


@app.get(
    "/api/v1/entities/leadlists/<id>/exports/<exportId>",
    summary="Get a lead list's background export",
    responses={403: NOT_SHARED},
)
def get_lead_list_export(id: LeadListId, exportId: ExportId) -> ExportState:
    return export_status.lead_list_export(current_caller(app), id, exportId)


lambda_handler = handler(app)
