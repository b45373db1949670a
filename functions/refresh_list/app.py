"""POST /lists/refresh/{id}: recompute a saved list (200 when done inline, 202 when queued)."""

from typing import Annotated

from leadlists.api import Body, Response, SavedListId, create_app, current_caller, dump, handler
from leadlists.deadline import Deadline
from leadlists.models.common import json_answers
from leadlists.models.saved_list_requests import RefreshRequest
from leadlists.models.saved_lists import SavedList
from leadlists.services import refresh_on_demand

app = create_app()


@app.post(
    "/lists/refresh/<id>",
    summary="Refresh a saved list",
    responses=json_answers(
        {
            200: ("Refreshed within the request: the list with its new counts", SavedList),
            202: (
                "Queued for the background fan-out (or a refresh already on its way): the list"
                " with refreshStatus and refreshProgress; GET it until refreshStatus is idle",
                SavedList,
            ),
        }
    ),
)
def refresh_list(
    id: SavedListId,
    body: Annotated[RefreshRequest | None, Body()] = None,
) -> Response[SavedList]:
    org = body.organizationId if body else None
    deadline = Deadline.of(app.lambda_context)
    outcome = refresh_on_demand.request(current_caller(app), id, org, deadline)
    return Response(200 if outcome.done else 202, "application/json", dump(outcome.list))


lambda_handler = handler(app)
