"""GET /lists/{id}/contacts: page a saved list's members."""

from leadlists import api
from leadlists.api import LimitQuery, NextTokenQuery, SavedListId
from leadlists.models.saved_lists import ContactPage
from leadlists.services import saved_lists

app = api.create_app()


@app.get("/lists/<id>/contacts", summary="Page a saved list's members")
def list_contacts(
    id: SavedListId, limit: LimitQuery = None, nextToken: NextTokenQuery = None
) -> ContactPage:
    return saved_lists.contacts(api.current_caller(app), id, limit, nextToken)


lambda_handler = api.handler(app)
