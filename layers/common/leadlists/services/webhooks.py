"""Webhook endpoints (organization admins only) and the events published to them.

`publish` is the one call an action makes once its fact is true. It never fails or delays the
action beyond one Query (does any endpoint of the organization listen to this event?) and, only
when one does, one SendMessage: the delivery function does the rest (webhook_delivery).
"""

from __future__ import annotations

import base64
import secrets
import time
from collections.abc import Mapping
from typing import Any

from aws_lambda_powertools import Logger

from leadlists import queues
from leadlists.auth import Caller
from leadlists.clock import new_id, now_iso
from leadlists.config import settings
from leadlists.errors import FieldError, Forbidden, Invalid, NotFound
from leadlists.models.common import DEFAULT_PAGE, MAX_IDS
from leadlists.models.lead_lists import unique
from leadlists.models.messages import WebhookMessage
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
from leadlists.services import webhook_urls

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
    message = _event(caller.org_id, [webhook_id], TEST_EVENT, {"webhookId": webhook_id})
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


# Publishing -------------------------------------------------------------------------------------


def _event(org_id: str, webhook_ids: list[str], event_type: str, data: Any) -> WebhookMessage:
    return WebhookMessage(
        organizationId=org_id,
        webhookIds=webhook_ids,
        eventId=new_id(),
        eventType=event_type,
        timestamp=now_iso(),
        data=data,
    )


def publish(org_id: str, event_type: str, data: Mapping[str, Any]) -> str | None:
    """Queue an event for the organization's endpoints that listen to it; its id, or None when
    none listens. Never raises: the action it reports has already happened."""
    try:
        listening = repo.subscribed(org_id, event_type)
        if not listening:
            return None
        message = _event(org_id, listening, event_type, dict(data))
        queues.send_webhook(message)
    except Exception:
        logger.exception("Webhook event not published", extra={"eventType": event_type})
        return None
    return message.eventId


def refreshed(record: Mapping[str, Any] | None, added: int, removed: int) -> None:
    """`list.refreshed` for a saved list whose refresh just completed (None: superseded)."""
    if record is not None:
        data = {k: record.get(k) for k in ("contactsNum", "matchedContactsNum", "lastSyncedTime")}
        data.update(listId=record["id"], addedCount=added, removedCount=removed)
        publish(record["organizationId"], "list.refreshed", data)


def refresh_failed(record: Mapping[str, Any] | None) -> None:
    """`list.refresh_failed` for a saved list just marked failed (None: the run was superseded)."""
    if record is not None:
        data = {"listId": record["id"], "error": record.get("refreshError")}
        publish(record["organizationId"], "list.refresh_failed", data)


def _members_changed(
    org_id: str, list_id: str, kind: str, ids: list[str], event_type: str, count: str
) -> list[str]:
    if ids:
        data = {"listId": list_id, "memberType": kind, count: len(ids), "ids": ids[:MAX_IDS]}
        publish(org_id, event_type, data)
    return ids


def members_added(org_id: str, list_id: str, kind: str, ids: list[str]) -> list[str]:
    """`leadlist.members_added` for the ids a request added; returns them, to wrap the write."""
    return _members_changed(org_id, list_id, kind, ids, "leadlist.members_added", "addedCount")


def members_removed(org_id: str, list_id: str, kind: str, ids: list[str]) -> list[str]:
    """`leadlist.members_removed` for the ids a request removed; returns them."""
    return _members_changed(org_id, list_id, kind, ids, "leadlist.members_removed", "removedCount")
