"""Webhook endpoints (organization admins only). The events published to them are in
`webhook_events`, which the actions that publish import without this module's models."""

from __future__ import annotations

import base64
import secrets
import time
from typing import Any

from aws_lambda_powertools import Logger

from leadlists import queues
from leadlists.auth import Caller
from leadlists.clock import new_id, now_iso
from leadlists.config import settings
from leadlists.errors import FieldError, Forbidden, Invalid, NotFound
from leadlists.models.common import DEFAULT_PAGE, unique
from leadlists.models.webhooks import (
    MAX_WEBHOOKS,
    TEST_EVENT,
    CreatedWebhook,
    CreateWebhookRequest,
    DeliveryAttempt,
    DeliveryPage,
    TestEventSent,
    Webhook,
    WebhookPage,
)
from leadlists.repositories import webhooks as repo
from leadlists.services import webhook_events, webhook_urls

logger = Logger()

SECRET_PREFIX = "whsec_"  # noqa: S105  # nosec B105  # the spec's prefix, not a secret
SECRET_BYTES = 32


def _require_admin(caller: Caller) -> None:
    if not caller.is_admin:
        raise Forbidden("Only organization admins manage webhooks")


def _require(caller: Caller, webhook_id: str) -> dict[str, Any]:
    """The caller's organization's endpoint. Looked up before the admin check: another
    organization's id is a 404 to anyone, never a 403 that would confirm it exists."""
    endpoint = repo.get(caller.org_id, webhook_id)
    if endpoint is None:
        raise NotFound("Webhook not found")
    _require_admin(caller)
    return endpoint


def new_secret() -> str:
    """A Standard Webhooks secret: whsec_ and base64 of 32 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def create(caller: Caller, request: CreateWebhookRequest) -> CreatedWebhook:
    _require_admin(caller)
    try:
        webhook_urls.check(request.url, settings().webhook_allow_loopback)
    except webhook_urls.UnsafeUrl as exc:
        raise Invalid("The URL cannot receive webhooks", [FieldError("url", exc.message)]) from None
    if repo.count(caller.org_id) >= MAX_WEBHOOKS:
        raise Invalid(f"An organization has at most {MAX_WEBHOOKS} webhooks; delete one first")
    record = {
        "id": new_id(),
        "url": request.url.strip(),
        "events": unique(list(request.events)),
        "description": request.description,
        "secret": new_secret(),
        "createdAt": now_iso(),
    }
    repo.create(caller.org_id, record)
    return CreatedWebhook.model_validate(record)


def page(caller: Caller, limit: int | None, token: str | None) -> WebhookPage:
    _require_admin(caller)
    records, next_token = repo.page(caller.org_id, limit or DEFAULT_PAGE, token)
    return WebhookPage(webhooks=[Webhook.model_validate(r) for r in records], nextToken=next_token)


def delete(caller: Caller, webhook_id: str) -> None:
    """Gone at once: queued events for it are dropped; its delivery log expires by TTL."""
    _require(caller, webhook_id)
    if not repo.delete(caller.org_id, webhook_id):
        raise NotFound("Webhook not found")


def send_test(caller: Caller, webhook_id: str) -> TestEventSent:
    """Queue a `webhook.test` event for this endpoint only, whatever it subscribes to."""
    _require(caller, webhook_id)
    message = webhook_events.event(
        caller.org_id, [webhook_id], TEST_EVENT, {"webhookId": webhook_id}
    )
    queues.send_webhook(message)
    return TestEventSent(eventId=message.eventId)


def deliveries(
    caller: Caller, webhook_id: str, limit: int | None, token: str | None
) -> DeliveryPage:
    _require(caller, webhook_id)
    found, next_token = repo.deliveries(
        caller.org_id, webhook_id, limit or DEFAULT_PAGE, token, int(time.time())
    )
    attempts = [DeliveryAttempt.model_validate(d) for d in found]
    return DeliveryPage(deliveries=attempts, nextToken=next_token)
