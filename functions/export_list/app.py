"""POST /lists/{id}/export: the list's members as CSV in S3: a download link (200), or a
background export's id (202) when the list is beyond the synchronous budget."""

from leadlists.api import Response, SavedListId, create_app, current_caller, dump, handler
from leadlists.models.exports import EXPORT_RESPONSES, ExportResult, ExportStarted
from leadlists.services import exports

app = create_app()


@app.post(
    "/lists/<id>/export", summary="Export a saved list's members as CSV", responses=EXPORT_RESPONSES
)
def export_list(id: SavedListId) -> Response[ExportResult | ExportStarted]:
    outcome = exports.export_saved_list(current_caller(app), id)
    return Response(200 if outcome.done else 202, "application/json", dump(outcome.body))


lambda_handler = handler(app)
