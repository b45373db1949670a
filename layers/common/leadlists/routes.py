"""Routes several endpoints declare alike, built once. A handler names its path, its models and
its service call, and stays one function per endpoint: `app = search_app(...)`, then
`lambda_handler = handler(app)`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Body
from pydantic import BaseModel

from leadlists.api import ERROR_JSON, create_app, current_caller, respond
from leadlists.auth import Caller
from leadlists.models.search import SearchStarted

Request = TypeVar("Request", bound=BaseModel)


def _typed(route: Callable[..., Any], name: str, **annotations: Any) -> Callable[..., Any]:
    """Powertools reads a route's body, path parameters and answer from its annotations, and
    its operationId from its name: a built route takes those of the endpoint it serves."""
    route.__name__ = route.__qualname__ = name
    route.__annotations__ = annotations
    return route


def search_app(
    name: str,
    path: str,
    summary: str,
    request: type[Request],
    page: type[BaseModel],
    run: Callable[[Caller, Request], BaseModel],
) -> APIGatewayHttpResolver:
    """A catalog search: 200 with the first `page` within the synchronous budget, beyond it 202
    `running` (SearchStarted)."""
    app = create_app()

    def route(body: Request) -> Response[Any]:
        return respond(run(current_caller(app), body))

    answer: Any = page | SearchStarted
    body = Annotated[request, Body()]  # type: ignore[valid-type]
    app.post(path, summary=summary)(_typed(route, name, body=body, **{"return": Response[answer]}))
    return app


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
    typed = _typed(route, name, id=list_id, **{"return": Response[None]})
    app.delete(path, summary=summary, responses=responses)(typed)
    return app
