"""Loading and invoking the template's functions in-process, with the events AWS would send."""

from __future__ import annotations

import base64
import importlib.util
import json
import sys
import time
import uuid
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from typing import Any
from urllib.parse import parse_qsl

from aws_lambda_powertools import Logger

from leadlists_local import powertools_shims, template


@dataclass
class LambdaContext:
    """The attributes Powertools reads from a Lambda context."""

    function_name: str
    aws_request_id: str
    memory_limit_in_mb: int = 1024
    invoked_function_arn: str = ""
    log_group_name: str = ""
    log_stream_name: str = ""
    deadline_ms: int = 0

    def get_remaining_time_in_millis(self) -> int:
        return max(0, self.deadline_ms - int(time.time() * 1000))


def context_for(logical_id: str, timeout_s: int = 29) -> LambdaContext:
    return LambdaContext(
        function_name=logical_id,
        aws_request_id=str(uuid.uuid4()),
        invoked_function_arn=f"arn:aws:lambda:us-east-1:000000000000:function:{logical_id}",
        deadline_ms=int(time.time() * 1000) + timeout_s * 1000,
    )


# Which instance of a function the current thread runs (the runtime keeps a small pool each).
instance: ContextVar[int] = ContextVar("instance", default=0)


@cache
def load_handler(logical_id: str, copy: int = 0) -> Callable[[dict[str, Any], Any], Any]:
    """Import a function's module from its CodeUri under a unique name (every one is `app.py`);
    each `copy` is a separate import, with its own module state, as a separate Lambda instance."""
    # Functions run side by side on threads here: their resolvers must not share the event.
    powertools_shims.install()
    function = template.functions()[logical_id]
    module_name, attribute = function.handler.rsplit(".", 1)
    path = function.code_uri / f"{module_name.replace('.', '/')}.py"
    unique = f"leadlists_fn_{logical_id}" + (f"_{copy}" if copy else "")
    spec = importlib.util.spec_from_file_location(unique, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"Cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[unique] = module
    spec.loader.exec_module(module)
    return getattr(module, attribute)


def invoke(logical_id: str, event: dict[str, Any]) -> Any:
    handler = load_handler(logical_id, instance.get())
    # Every function runs in this one process, and the keys Powertools' Logger adds per
    # invocation (function_name...) are process-wide: the invoking thread's own key wins, so
    # each log line names the function (and invocation) that wrote it even when functions run side
    # by side.
    context = context_for(logical_id)
    keys = {
        "function_name": logical_id,
        "function_arn": context.invoked_function_arn,
        "function_request_id": context.aws_request_id,
    }
    _log_keys().thread_safe_append_keys(**keys)
    try:
        return handler(event, context)
    finally:
        _log_keys().thread_safe_remove_keys(list(keys))


@cache
def _log_keys() -> Logger:
    return Logger(service="leadlists-local")


@dataclass(frozen=True)
class Request:
    """A request as the gateway matched it to a route: what the function's payload v2 event and
    the authorizer's REQUEST event both describe."""

    method: str
    path: str
    route: template.Route
    path_parameters: Mapping[str, str] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)
    query: str = ""


def http_event(
    request: Request,
    claims: Mapping[str, Any] | None,
    body: bytes | str | None = None,
    *,
    authorizer: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """An API Gateway HTTP API (payload v2) event with the Lambda authorizer's context: the one
    it answered (`authorizer`), or the one it would give a verified JWT with these `claims`
    (tests call functions without a gateway; None: no credentials)."""
    raw = body.encode() if isinstance(body, str) else (body or b"")
    try:
        text, is_b64 = raw.decode("utf-8"), False
    except UnicodeDecodeError:
        text, is_b64 = base64.b64encode(raw).decode(), True
    event = _request_event(request)
    verdict = dict(authorizer) if authorizer is not None else authorizer_context(claims)
    event["requestContext"]["authorizer"] = {"lambda": verdict}
    if raw:
        event["body"] = text
    event["isBase64Encoded"] = is_b64
    return event


def authorizer_context(claims: Mapping[str, Any] | None) -> dict[str, Any]:
    """The authorizer's context for a verified JWT carrying `claims` (no rate count)."""
    from leadlists.errors import Unauthorized
    from leadlists.services.authorizer import identity_from_claims

    if claims is None:
        return {"error": "Missing credentials: a bearer token or an X-API-Key"}
    try:
        return identity_from_claims(claims)
    except Unauthorized as error:
        return {"error": error.message}


def _request_event(request: Request) -> dict[str, Any]:
    """What the payload v2 event and the authorizer's REQUEST event share."""
    now = datetime.now(UTC)
    params: dict[str, str] = {}
    for key, value in parse_qsl(request.query, keep_blank_values=True):
        params[key] = f"{params[key]},{value}" if key in params else value
    route_key = f"{request.route.method} {request.route.path}"
    context: dict[str, Any] = {
        "accountId": "000000000000",
        "apiId": "local",
        "domainName": "localhost",
        "domainPrefix": "localhost",
        "http": {
            "method": request.method.upper(),
            "path": request.path,
            "protocol": "HTTP/1.1",
            "sourceIp": "127.0.0.1",
            "userAgent": request.headers.get("user-agent", ""),
        },
        "requestId": str(uuid.uuid4()),
        "routeKey": route_key,
        "stage": "$default",
        "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
        "timeEpoch": int(now.timestamp() * 1000),
    }
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": request.path,
        "rawQueryString": request.query,
        "headers": {k.lower(): v for k, v in request.headers.items()},
        "requestContext": context,
    }
    if params:
        event["queryStringParameters"] = params
    if request.path_parameters:
        event["pathParameters"] = dict(request.path_parameters)
    return event


def authorizer_event(request: Request) -> dict[str, Any]:
    """The REQUEST event (payload 2.0) API Gateway sends a Lambda authorizer: the request
    without its body; no identity source is declared, so `identitySource` is empty."""
    event = _request_event(request)
    method, path = request.method.upper(), request.path
    arn = f"arn:aws:execute-api:us-east-1:000000000000:local/$default/{method}{path}"
    return {**event, "type": "REQUEST", "routeArn": arn, "identitySource": []}


def find_route(method: str, path: str) -> tuple[template.Route, dict[str, str]] | None:
    for route in template.routes():
        params = route.match(method, path)
        if params is not None:
            return route, params
    return None


def sqs_event(messages: list[dict[str, Any]], queue_arn: str) -> dict[str, Any]:
    """An SQS event source mapping batch built from ReceiveMessage results."""
    return {
        "Records": [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": m.get("Attributes", {}),
                "messageAttributes": _message_attributes(m.get("MessageAttributes", {})),
                "md5OfBody": m.get("MD5OfBody", ""),
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": "us-east-1",
            }
            for m in messages
        ]
    }


def _message_attributes(attributes: Mapping[str, Any]) -> dict[str, Any]:
    """ReceiveMessage spells message attributes in PascalCase; the Lambda event in camelCase."""
    return {
        name: {
            "stringValue": value.get("StringValue"),
            "binaryValue": value.get("BinaryValue"),
            "stringListValues": value.get("StringListValues", []),
            "binaryListValues": value.get("BinaryListValues", []),
            "dataType": value.get("DataType"),
        }
        for name, value in attributes.items()
    }


def scheduled_event(rule_name: str, when: datetime | None = None) -> dict[str, Any]:
    """The event an EventBridge schedule rule delivers to its target."""
    moment = when or datetime.now(UTC)
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "000000000000",
        "time": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": "us-east-1",
        "resources": [f"arn:aws:events:us-east-1:000000000000:rule/{rule_name}"],
        "detail": {},
    }


def response_json(response: Mapping[str, Any]) -> Any:
    body = response.get("body")
    return json.loads(body) if body else None
