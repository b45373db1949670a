"""GET /lists/{id}/contacts: page a saved list's members."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from leadlists.api import create_app, current_caller, handler
from leadlists.models.common import PageLimit
from leadlists.models.saved_lists import ContactPage
from leadlists.services import saved_lists

app = create_app()


@app.get("/lists/<id>/contacts", summary="Page a saved list's members")
def list_contacts(
    id: str,
    limit: Annotated[PageLimit | None, Query()] = None,
    nextToken: Annotated[str | None, Query(max_length=2048)] = None,
) -> ContactPage:
    return saved_lists.contacts(current_caller(app), id, limit, nextToken)


lambda_handler = handler(app)
