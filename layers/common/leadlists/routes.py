"""Routes several endpoints declare alike, built once. A handler names its path, its models and
its service call, and stays one function per endpoint: `app = delete_app(...)`, then
`lambda_handler = handler(app)`. The catalog searches' are in `search_routes`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response

from leadlists.api import ERROR_JSON, create_app, current_caller
from leadlists.auth import Caller


def typed(route: Callable[..., Any], name: str, **annotations: Any) -> Callable[..., Any]:
    """Powertools reads a route's body, path parameters and answer from its annotations, and
    its operationId from its name: a built route takes those of the endpoint it serves."""
    route.__name__ = route.__qualname__ = name
    route.__annotations__ = annotations
    return route


def delete_app(
    name: str,
    path: str,
    summary: str,
    list_id: Any,
    forbidden: str,
    delete: Callable[[Caller, str], None],
) -> APIGatewayHttpResolver:
    """A list's DELETE: 200 with no body once the list is gone for every reader (its members go
    in the background); 403 when the caller is `forbidden` to."""
    app = create_app()

    def route(id: str) -> Response[None]:
        delete(current_caller(app), id)
        return Response(200)

    responses: dict[int, Any] = {
        200: {"description": "Deleted at once (members removed in the background); no body"},
        403: {"description": forbidden, "content": ERROR_JSON},
    }
    built = typed(route, name, id=list_id, **{"return": Response[None]})
    app.delete(path, summary=summary, responses=responses)(built)
    return app
