"""GET /lists/{id}: the organization's lists when id is the organization's, else one list."""

from typing import Annotated

from leadlists import api
from leadlists.api import LimitQuery, NextTokenQuery, Path, Response
from leadlists.models.saved_lists import SavedList
from leadlists.services import saved_lists

app = api.create_app()


@app.get("/lists/<id>", summary="Get a saved list, or page the organization's lists")
def get_list(
    id: Annotated[
        str,
        Path(
            description="The caller's organization id (pages its lists, the next page's token in"
            " the X-Next-Token header) or a saved list's id (that list)"
        ),
    ],
    limit: LimitQuery = None,
    nextToken: NextTokenQuery = None,
) -> Response[SavedList | list[SavedList]]:
    caller = api.current_caller(app)
    if saved_lists.names_own_org(caller, id):
        lists, token = saved_lists.page(caller, limit, nextToken)
        headers = {"X-Next-Token": token} if token else {}
        return Response(200, "application/json", api.dump(lists), headers=headers)
    return Response(200, "application/json", api.dump(saved_lists.get(caller, id)))


lambda_handler = api.handler(app)
