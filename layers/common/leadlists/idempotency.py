"""Safe client retries: the `Idempotency-Key` header of POST and PATCH requests.

Powertools' idempotency utility with its DynamoDB persistence (the table IDEMPOTENCY_TABLE, whose
layout is the utility's own). The key is scoped to the caller (organization and user), the method,
the path and the header's value; the JSON body and the query string are the payload whose hash a
retry must match. The first request claims the key (an in-progress lock that lapses when its
Lambda's time runs out), runs, and its answer is stored for 24 hours: a retry with the same
payload gets that answer again (status, headers, body, marked `Idempotent-Replayed: true`) without
running; another payload is a 409 IDEMPOTENCY_KEY_REUSED; a retry while the first still runs is a
409 CONFLICT. Only 2xx answers are stored: an error answer either changed nothing (4xx) or must be
retried (5xx), so a retry with the same key runs again.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from leadlists.auth import Caller
from leadlists.config import settings
from leadlists.errors import Conflict, FieldError, IdempotencyKeyReused, Invalid
from leadlists.repositories import dynamo

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255
EXPIRES_AFTER_SECONDS = 24 * 60 * 60
METHODS = frozenset({"POST", "PATCH"})

Answer = dict[str, Any]


class _NotStored(Exception):
    """Carries an error answer out of the idempotent call, so the utility releases the key."""

    def __init__(self, answer: Answer) -> None:
        super().__init__("not stored")
        self.answer = answer


def request_key(event: Mapping[str, Any]) -> str | None:
    """The request's Idempotency-Key (None: not sent, or not a POST/PATCH); a malformed one is a
    400: empty, over 255 characters, or anything but printable ASCII."""
    method = str(((event.get("requestContext") or {}).get("http") or {}).get("method", ""))
    headers = {str(k).lower(): v for k, v in (event.get("headers") or {}).items()}
    key = headers.get(HEADER.lower())
    if key is None or method.upper() not in METHODS:
        return None
    if not (isinstance(key, str) and 0 < len(key) <= MAX_KEY_LENGTH and _printable_ascii(key)):
        raise Invalid(
            "Invalid Idempotency-Key header",
            [FieldError(HEADER, f"1 to {MAX_KEY_LENGTH} printable ASCII characters")],
        )
    return key


def _printable_ascii(text: str) -> bool:
    return text.isascii() and text.isprintable()


def _request(event: Mapping[str, Any], caller: Caller, key: str) -> dict[str, Any]:
    http = (event.get("requestContext") or {}).get("http") or {}
    body = event.get("body") or ""
    # The body was checked as JSON already (api._check_body); compared parsed, so key order and
    # spacing do not make another payload.
    return {
        "scope": [
            caller.org_id,
            caller.user_id,
            http.get("method", ""),
            event.get("rawPath", ""),
            key,
        ],
        "payload": [json.loads(body) if body else None, event.get("rawQueryString", "")],
    }


def run_once(
    event: Mapping[str, Any],
    context: Any,
    caller: Caller,
    key: str,
    run: Callable[[], Answer],
) -> Answer:
    """`run()`'s answer, or the stored answer of an earlier request with this key and payload."""
    from aws_lambda_powertools.utilities.idempotency import (
        DynamoDBPersistenceLayer,
        IdempotencyConfig,
        idempotent_function,
    )
    from aws_lambda_powertools.utilities.idempotency.exceptions import (
        IdempotencyAlreadyInProgressError,
        IdempotencyValidationError,
    )

    config = IdempotencyConfig(
        event_key_jmespath="scope",
        payload_validation_jmespath="payload",
        raise_on_no_idempotency_key=True,
        expires_after_seconds=EXPIRES_AFTER_SECONDS,
        response_hook=_replayed,
    )
    if callable(getattr(context, "get_remaining_time_in_millis", None)):
        # The in-progress lock lapses with the invocation, so a killed first try frees the key.
        config.register_lambda_context(context)
    # A fresh layer per request: one instance keeps the first config it is configured with.
    store = DynamoDBPersistenceLayer(
        table_name=settings().idempotency_table, boto3_client=dynamo.client()
    )

    def once(request: dict[str, Any]) -> Answer:
        answer = run()
        if not 200 <= int(answer.get("statusCode", 500)) < 300:
            raise _NotStored(answer)
        return answer

    guarded = idempotent_function(
        once, data_keyword_argument="request", persistence_store=store, config=config
    )
    try:
        return dict(guarded(request=_request(event, caller, key)))
    except _NotStored as error:
        return error.answer
    except IdempotencyValidationError:
        raise IdempotencyKeyReused(
            "This Idempotency-Key was used with another request body in the last 24 hours",
            [FieldError(HEADER, "Already used with another body")],
        ) from None
    except IdempotencyAlreadyInProgressError:
        raise Conflict(
            "A request with this Idempotency-Key is still in progress; retry shortly",
            [FieldError(HEADER, "In progress")],
        ) from None


def _replayed(response: Any, idempotent_data: Any) -> Any:
    """A stored answer as it is replayed: marked, so a client can tell."""
    answer = dict(response)
    headers = {**(answer.get("headers") or {}), REPLAYED: "true"}
    return {**answer, "headers": headers}
