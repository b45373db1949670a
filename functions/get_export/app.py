"""GET /lists/{id}/exports/{exportId}: a saved list's background export, with a fresh download
link once complete."""

from leadlists.api import ExportId, SavedListId, create_app, current_caller, handler
from leadlists.models.exports import ExportState
from leadlists.services import export_status

app = create_app()


@app.get("/lists/<id>/exports/<exportId>", summary="Get a saved list's background export")
def get_export(id: SavedListId, exportId: ExportId) -> ExportState:
    return export_status.saved_list_export(current_caller(app), id, exportId)


lambda_handler = handler(app)
