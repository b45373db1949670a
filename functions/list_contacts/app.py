"""GET /lists/{id}/contacts: page a saved list's members."""

from leadlists import api
from leadlists.api import LimitQuery, NextTokenQuery, SavedListId
from leadlists.models.contacts import ContactPage
from leadlists.services import saved_list_contacts

app = api.create_app()


@app.get("/lists/<id>/contacts", summary="Page a saved list's members")
def list_contacts(
    id: SavedListId, limit: LimitQuery = None, nextToken: NextTokenQuery = None
) -> ContactPage:
    return saved_list_contacts.contacts(api.current_caller(app), id, limit, nextToken)


lambda_handler = api.handler(app)
