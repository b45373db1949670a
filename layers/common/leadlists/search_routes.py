"""The catalog search endpoints (POST /api/v1/search/...), declared alike: `app = search_app(...)`,
then `lambda_handler = handler(app)`. Apart from `routes` so a list's DELETE does not import the
search models."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Body
from pydantic import BaseModel

from leadlists.api import create_app, current_caller, respond
from leadlists.auth import Caller
from leadlists.models.search import SearchStarted
from leadlists.routes import typed

Request = TypeVar("Request", bound=BaseModel)


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
    app.post(path, summary=summary)(typed(route, name, body=body, **{"return": Response[answer]}))
    return app
