"""POST /lists/{id}/export: the list's members as CSV in S3, answered with a download link."""

from leadlists.api import create_app, current_caller, handler
from leadlists.models.saved_lists import ExportResult
from leadlists.services import exports

app = create_app()


@app.post("/lists/<id>/export", summary="Export a saved list's members as CSV")
def export_list(id: str) -> ExportResult:
    return exports.export(current_caller(app), id)


lambda_handler = handler(app)
