"""POST /api/v1/entities/leadlists/{id}/export: the lead list's companies or persons as CSV in S3:
a download link (200), or a background export's id (202) beyond the synchronous budget."""

from leadlists import api
from leadlists.api import NOT_SHARED, LeadListId, Response
from leadlists.models.exports import EXPORT_RESPONSES, ExportResult, ExportStarted
from leadlists.services import exports

app = api.create_app()


@app.post(
    "/api/v1/entities/leadlists/<id>/export",
    summary="Export a lead list's members as CSV",
    responses={**EXPORT_RESPONSES, 403: NOT_SHARED},
)
def export_lead_list(id: LeadListId) -> Response[ExportResult | ExportStarted]:
    outcome = exports.export_lead_list(api.current_caller(app), id)
    return Response(200 if outcome.done else 202, "application/json", api.dump(outcome.body))


lambda_handler = api.handler(app)
