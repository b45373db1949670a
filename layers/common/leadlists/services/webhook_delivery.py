"""Delivering webhook events (Standard Webhooks): one signed POST per attempt, every attempt
recorded, failed ones retried on a schedule of at least a day, the last failure kept in the DLQ.

    publish --> WebhookMessage(webhookIds=[a, b]) --split--> one message per endpoint
    message(attempt n, notBefore) --not due yet--> the same message again, <= 900 s later
                                  --due--> POST, recorded; failed: attempt n+1 after
                                           schedule[n-1] (after the last: dead-letter queue)

The event's id is the `webhook-id` of every attempt, so receivers can drop duplicates; each
attempt is signed at its own `webhook-timestamp`.
"""

from __future__ import annotations

import http.client
import json
import math
import ssl
import time
from datetime import UTC, datetime
from typing import Any, NamedTuple

from aws_lambda_powertools import Logger
from standardwebhooks import Webhook

from leadlists import queues
from leadlists.clock import iso
from leadlists.config import settings
from leadlists.models.message_base import Delivery
from leadlists.models.webhook_message import WebhookMessage
from leadlists.repositories import webhooks as repo
from leadlists.services import webhook_http, webhook_urls

logger = Logger()

TIMEOUT_SECONDS = 10
DELIVERY_LOG_SECONDS = 7 * 24 * 3600
# A message due within this many seconds is delivered now rather than delayed again.
DUE_SLACK = 1.0


class Outcome(NamedTuple):  # not a dataclass: cheaper to define at a cold start
    status_code: int | None
    error: str | None
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def payload(message: WebhookMessage) -> str:
    """The body every attempt of the event sends (the bytes the signature covers)."""
    body = {"type": message.eventType, "timestamp": message.timestamp, "data": message.data}
    return json.dumps(body, separators=(",", ":"))


def signed_headers(secret: str, event_id: str, moment: datetime, body: str) -> dict[str, str]:
    """The Standard Webhooks headers of one attempt."""
    return {
        "content-type": "application/json",
        "user-agent": "leadlists-webhooks/1",
        "webhook-id": event_id,
        "webhook-timestamp": str(math.floor(moment.timestamp())),
        "webhook-signature": Webhook(secret).sign(event_id, moment, body),
    }


def _failure(exc: BaseException) -> str:
    """What went wrong, for the client's delivery log: no internals."""
    if isinstance(exc, webhook_urls.UnsafeUrl):
        return f"Refused: {exc.message}"
    if isinstance(exc, TimeoutError):
        return f"Timed out after {TIMEOUT_SECONDS} s"
    if isinstance(exc, ConnectionRefusedError):
        return "Connection refused"
    if isinstance(exc, ssl.SSLError):
        return "TLS handshake failed"
    if isinstance(exc, http.client.HTTPException):
        return "Invalid HTTP answer"
    return "Connection failed"


def attempt(endpoint: dict[str, Any], message: WebhookMessage) -> Outcome:
    """One POST of the event to the endpoint, its URL checked again first (DNS may change)."""
    started = time.monotonic()
    status: int | None = None
    error: str | None = None
    try:
        target = webhook_urls.check(endpoint["url"], settings().webhook_allow_loopback)
        body = payload(message)
        headers = signed_headers(endpoint["secret"], message.eventId, datetime.now(UTC), body)
        status = webhook_http.post(target, body.encode(), headers, TIMEOUT_SECONDS)
        if not 200 <= status < 300:
            error = f"HTTP {status}"
    except (webhook_urls.UnsafeUrl, OSError, http.client.HTTPException) as exc:
        error = _failure(exc)
    return Outcome(status, error, round((time.monotonic() - started) * 1000))


def retry_wait(attempt_number: int) -> int | None:
    """Seconds before the attempt after `attempt_number`; None when that was the last."""
    schedule = settings().webhook_retry_schedule
    return schedule[attempt_number - 1] if attempt_number <= len(schedule) else None


def step(message: WebhookMessage, _: Delivery) -> None:
    if len(message.webhookIds) > 1:
        queues.send_webhooks(
            message.model_copy(update={"webhookIds": [i]}) for i in message.webhookIds
        )
        return
    wait = message.notBefore - time.time()
    if wait > DUE_SLACK:
        queues.send_webhook(message, min(math.ceil(wait), queues.MAX_DELAY_SECONDS))
        return
    org_id, webhook_id = message.organizationId, message.webhookIds[0]
    endpoint = repo.get(org_id, webhook_id)
    if endpoint is None:
        logger.info("Webhook deleted; event dropped", extra={"eventId": message.eventId})
        return
    outcome = attempt(endpoint, message)
    _record(org_id, webhook_id, message, outcome)
    if not outcome.ok:
        _retry(message, outcome)


def _record(org_id: str, webhook_id: str, message: WebhookMessage, outcome: Outcome) -> None:
    record = {
        "eventId": message.eventId,
        "eventType": message.eventType,
        "attempt": message.attempt,
        "statusCode": outcome.status_code,
        "durationMs": outcome.duration_ms,
        "error": outcome.error,
        "timestamp": iso(datetime.now(UTC)),
    }
    repo.put_delivery(org_id, webhook_id, record, int(time.time()) + DELIVERY_LOG_SECONDS)


def _retry(message: WebhookMessage, outcome: Outcome) -> None:
    extra = {"eventId": message.eventId, "attempt": message.attempt, "error": outcome.error}
    wait = retry_wait(message.attempt)
    if wait is None:
        logger.warning("Webhook delivery failed for good", extra=extra)
        queues.send_webhook_dead_letter(message)
        return
    logger.info("Webhook delivery failed; retrying", extra={**extra, "waitSeconds": wait})
    later = {"attempt": message.attempt + 1, "notBefore": time.time() + wait}
    queues.send_webhook(message.model_copy(update=later), min(wait, queues.MAX_DELAY_SECONDS))
