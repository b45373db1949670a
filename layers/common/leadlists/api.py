"""The HTTP adapter every API function shares: resolver set-up, identity, limits, error mapping.

Handlers stay a few lines: they declare their route on `create_app()` and export
`lambda_handler = handler(app)`. Nothing below this module knows about HTTP events. Handlers take
Powertools' `Body`, `Path`, `Query` and `Response` from here, so the layer's package (which keeps
Powertools' unused resolvers unimported, see `leadlists.coldstart`) is imported first.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Annotated, Any, TypeVar, cast

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.event_handler import Response as Response
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.params import Body as Body
from aws_lambda_powertools.event_handler.openapi.params import Path as Path
from aws_lambda_powertools.event_handler.openapi.params import Query as Query
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from aws_lambda_powertools.logging import correlation_paths
from pydantic import BaseModel, WithJsonSchema

from leadlists import coldstart, idempotency
from leadlists.auth import Caller, caller_from_event, require_route_scope
from leadlists.config import settings
from leadlists.errors import (
    Conflict,
    DomainError,
    FieldError,
    Forbidden,
    IdempotencyKeyReused,
    Invalid,
    NotFound,
    PayloadTooLarge,
    RateLimited,
    Unauthorized,
    Unavailable,
)
from leadlists.models.common import UUID_SCHEMA, PageLimit, UuidStr

logger = Logger()

JSON = "application/json"
# Lambda refuses answers over 6 MB (6,291,456 bytes with the envelope); routes cap what they
# answer far below this, and this bound is the last guard.
MAX_RESPONSE_BODY = 6_000_000
# A lead list's id in a path: a UUID in its canonical form, anything else a 400 on field `id`.
# (UuidStr's schema replaces the field's, so the description goes into it too.)
LeadListId = Annotated[
    UuidStr,
    WithJsonSchema({**UUID_SCHEMA, "description": "The lead list's id"}),
    Path(description="The lead list's id"),
]
# Ids the services check themselves (in the order their rules need); the spec says they are UUIDs.
ExportId = Annotated[str, Path(description="The export's id", json_schema_extra={"format": "uuid"})]
SearchId = Annotated[str, Path(description="The search's id", json_schema_extra={"format": "uuid"})]
SavedListId = Annotated[
    str, Path(description="The saved list's id", json_schema_extra={"format": "uuid"})
]
# Parameter types every route declares the same way.
Model = TypeVar("Model", bound=BaseModel)
JsonBody = Annotated[Model, Body()]
LimitQuery = Annotated[PageLimit | None, Query()]
NextTokenQuery = Annotated[str | None, Query(max_length=2048)]
# An answer carrying the contract's error body, as the OpenAPI document declares it.
ERROR_JSON: dict[str, Any] = {
    "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
}
# The 403 a lead list answers on a GET or DELETE too (POST and PATCH document theirs anyway).
NOT_SHARED: OpenAPIResponse = {
    "description": "Not shared with the caller, who is not an admin",
    "content": ERROR_JSON,
}


# Each domain error's status and code in the contract; anything else is a 500.
_STATUS: dict[type[DomainError], tuple[int, str]] = {
    Invalid: (400, "BAD_REQUEST"),
    Unauthorized: (401, "UNAUTHORIZED"),
    Forbidden: (403, "FORBIDDEN"),
    NotFound: (404, "NOT_FOUND"),
    IdempotencyKeyReused: (409, "IDEMPOTENCY_KEY_REUSED"),
    Conflict: (409, "CONFLICT"),
    PayloadTooLarge: (413, "PAYLOAD_TOO_LARGE"),
    RateLimited: (429, "RATE_LIMITED"),
    Unavailable: (503, "SERVICE_UNAVAILABLE"),
    DomainError: (400, "BAD_REQUEST"),
}
INTERNAL = (500, "INTERNAL_ERROR")
# On every answer: most carry personal data, which no cache keeps, and none is content-sniffed.
SECURITY_HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


def error_body(error: DomainError | None, request_id: str) -> tuple[int, str]:
    """The status and the contract's error body for a domain error (None: a 500, no internals).
    The one place the body is built."""
    status, code = INTERNAL
    message, details = "Internal error", []
    if error is not None:
        status, code = next(_STATUS[k] for k in type(error).__mro__ if k in _STATUS)
        message, details = error.message, error.details
    body: dict[str, Any] = {"code": code, "message": message, "requestId": request_id}
    if details:
        body["details"] = [d.as_dict() for d in details]
    return status, json.dumps(body)


def error_response(error: DomainError | None, request_id: str) -> dict[str, Any]:
    """A complete API Gateway v2 answer carrying the contract's error body (None: a 500)."""
    status, body = error_body(error, request_id)
    return {
        "statusCode": status,
        "headers": {"Content-Type": JSON},
        "body": body,
        "isBase64Encoded": False,
    }


def _request_id(event: Mapping[str, Any]) -> str:
    return str((event.get("requestContext") or {}).get("requestId") or "")


def validation_details(errors: list[dict[str, Any]]) -> list[FieldError]:
    details = []
    for err in errors:
        loc = [str(p) for p in err.get("loc", ())]
        if loc and loc[0] in ("body", "query", "path", "header"):
            loc = loc[1:]
        kind = err.get("type", "")
        if kind == "json_invalid":
            details.append(FieldError("body", "Malformed JSON"))
            continue
        message = "Unknown field" if kind == "extra_forbidden" else str(err.get("msg", "Invalid"))
        details.append(FieldError(".".join(loc) or "body", message.removeprefix("Value error, ")))
    return details


def create_app() -> APIGatewayHttpResolver:
    app = APIGatewayHttpResolver(enable_validation=True)

    def _answer(error: DomainError) -> Response[str]:
        status, body = error_body(error, _current_id(app))
        return Response(status_code=status, content_type=JSON, body=body)

    # Powertools leaves `exception_handler` and `append_context` unannotated.
    @app.exception_handler(DomainError)  # type: ignore[untyped-decorator]
    def _domain_error(error: DomainError) -> Response[str]:
        return _answer(error)

    @app.exception_handler(RequestValidationError)  # type: ignore[untyped-decorator]
    def _invalid(error: RequestValidationError) -> Response[str]:
        details = validation_details(list(error.errors()))
        malformed = any(d.message == "Malformed JSON" for d in details)
        message = "Malformed JSON body" if malformed else "Request validation failed"
        return _answer(Invalid(message, details))

    @app.not_found
    def _no_route(_: Exception) -> Response[str]:
        return _answer(NotFound("No such route"))

    return app


def _current_id(app: APIGatewayHttpResolver) -> str:
    return app.current_event.request_context.request_id or ""


def current_caller(app: APIGatewayHttpResolver) -> Caller:
    # `handler` put it there before the route ran.
    return cast(Caller, app.context["caller"])


def _body_bytes(event: Mapping[str, Any]) -> bytes:
    body = event.get("body") or ""
    if event.get("isBase64Encoded"):
        try:
            return base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            raise Invalid("Body is not valid base64") from None
    return body.encode() if isinstance(body, str) else b""


class _DuplicateKey(ValueError):
    def __init__(self, field: str) -> None:
        super().__init__(field)
        self.field = field


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object whose keys are all distinct."""
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise _DuplicateKey(key)
        found[key] = value
    return found


def _check_body(event: Mapping[str, Any]) -> dict[str, Any]:
    """Enforce the size limit and JSON-only bodies before the resolver parses anything."""
    raw = _body_bytes(event)
    limit = settings().max_body_bytes
    if len(raw) > limit:
        raise PayloadTooLarge(limit)
    if not raw:
        return dict(event)
    headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
    content_type = str(headers.get("content-type", JSON)).split(";")[0].strip().lower()
    if content_type != JSON and not content_type.endswith("+json"):
        raise Invalid("Body must be application/json", [FieldError("body", "Not JSON")])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Invalid("Malformed JSON body", [FieldError("body", "Not UTF-8")]) from None
    try:
        # Parsed once here because the resolver lets RecursionError (deep nesting) and
        # ValueError (integers past Python's digit limit) escape as 500s, and takes the last of
        # duplicate keys where other parsers take the first.
        json.loads(text, object_pairs_hook=_unique_keys)
    except _DuplicateKey as error:
        raise Invalid("Malformed JSON body", [FieldError(error.field, "Duplicate key")]) from None
    except RecursionError:
        raise Invalid("Malformed JSON body", [FieldError("body", "Nested too deep")]) from None
    except ValueError:
        raise Invalid("Malformed JSON body", [FieldError("body", "Malformed JSON")]) from None
    # Normalize to a plain JSON body so the resolver never sees form or base64 encodings.
    headers["content-type"] = JSON
    return {**event, "body": text, "isBase64Encoded": False, "headers": headers}


def rate_limit_headers(caller: Caller) -> dict[str, str]:
    """The X-RateLimit-* headers of the caller's window as the authorizer counted this request
    (and Retry-After when it is over the limit)."""
    usage = caller.usage
    if usage is None:
        return {}
    headers = {
        "X-RateLimit-Limit": str(usage.limit),
        "X-RateLimit-Remaining": str(usage.remaining),
        "X-RateLimit-Reset": str(usage.reset),
    }
    if usage.limited:
        headers["Retry-After"] = str(usage.retry_after)
    return headers


def admit(caller: Caller, event: Mapping[str, Any]) -> None:
    """The authorizer's verdict enforced: 429 over the rate limit, 403 without the route's
    scope."""
    if caller.usage is not None and caller.usage.limited:
        raise RateLimited(f"Rate limit of {caller.usage.limit} requests a minute exceeded")
    require_route_scope(caller, event)


def _with_headers(answer: dict[str, Any], headers: Mapping[str, str]) -> dict[str, Any]:
    if not headers:
        return answer
    return {**answer, "headers": {**(answer.get("headers") or {}), **headers}}


def handler(app: APIGatewayHttpResolver) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    """The Lambda entry point for one resolver: identity first, then limits, then the route
    (once per Idempotency-Key, see `leadlists.idempotency`)."""
    coldstart.register_snapshot_hooks(lambda: warm(app))

    def route(event: dict[str, Any], context: Any) -> dict[str, Any]:
        request_id = _request_id(event)
        try:
            answer = app.resolve(event, context)
        except Exception:
            # Anything unexpected: log it whole, answer without internals.
            logger.exception("Unhandled error")
            return error_response(None, request_id)
        size = len(str(answer.get("body") or "").encode())
        if size > MAX_RESPONSE_BODY:
            # Lambda would drop the answer with a bare error: answer the contract's body instead.
            logger.error("Response too large", extra={"bytes": size})
            return error_response(None, request_id)
        return answer

    @logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
    def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        request_id = _request_id(event)
        try:
            caller = caller_from_event(event)
        except DomainError as error:
            # RFC 9110: a 401 names the scheme to authenticate with (an X-API-Key works too).
            challenge = {"WWW-Authenticate": "Bearer", **SECURITY_HEADERS}
            return _with_headers(error_response(error, request_id), challenge)
        limits = rate_limit_headers(caller)
        try:
            admit(caller, event)
            event = _check_body(event)
            key = idempotency.request_key(event)
            app.append_context(caller=caller)  # type: ignore[no-untyped-call]
            if key is None:
                answer = route(event, context)
            else:
                answer = idempotency.run_once(
                    event, context, caller, key, lambda: route(event, context)
                )
        except DomainError as error:
            answer = error_response(error, request_id)
        return _with_headers(answer, {**limits, **SECURITY_HEADERS})

    coldstart.end_init()  # the factory is the last thing a handler module runs
    return lambda_handler


def warm(app: APIGatewayHttpResolver) -> None:
    """Build what a route's first call would (its validation models, the DynamoDB client):
    SnapStart's before-snapshot hook, so restored instances start warm."""
    from leadlists.repositories import dynamo

    for route in app._static_routes + app._dynamic_routes:
        _ = route.dependant, route.body_field
    coldstart.build_models()
    dynamo.client()


def respond(answer: BaseModel) -> Response[Any]:
    """A JSON answer: 202 Accepted for work that goes on in the background (its `status` is
    "running"), 200 otherwise."""
    status = 202 if getattr(answer, "status", None) == "running" else 200
    return Response(status, JSON, answer.model_dump(mode="json"))


def dump(model: BaseModel | Sequence[BaseModel]) -> Any:
    if isinstance(model, BaseModel):
        return model.model_dump(mode="json")
    return [m.model_dump(mode="json") for m in model]
