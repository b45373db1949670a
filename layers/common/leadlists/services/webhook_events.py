"""The events published to an organization's webhook endpoints.

`publish` is the one call an action makes once its fact is true. It never fails or delays the
action beyond one Query (does any endpoint of the organization listen to this event?) and, only
when one does, one SendMessage: the delivery function does the rest (webhook_delivery).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aws_lambda_powertools import Logger

from leadlists import queues
from leadlists.clock import new_id, now_iso
from leadlists.models.common import MAX_IDS
from leadlists.models.webhook_message import WebhookMessage
from leadlists.repositories import webhooks as repo

logger = Logger()


def event(org_id: str, webhook_ids: list[str], event_type: str, data: Any) -> WebhookMessage:
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
        message = event(org_id, listening, event_type, dict(data))
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
