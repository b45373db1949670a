"""GET /lists/{id}/contacts: page a saved list's members."""

from leadlists.api import (
    LimitQuery,
    NextTokenQuery,
    SavedListId,
    create_app,
    current_caller,
    handler,
)
from leadlists.models.saved_lists import ContactPage
from leadlists.services import saved_lists

app = create_app()


@app.get("/lists/<id>/contacts", summary="Page a saved list's members")
def list_contacts(
    id: SavedListId, limit: LimitQuery = None, nextToken: NextTokenQuery = None
) -> ContactPage:
    return saved_lists.contacts(current_caller(app), id, limit, nextToken)


lambda_handler = handler(app)
