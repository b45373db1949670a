"""Webhook endpoints (organization admins only): who may manage one, and deleting one. Each
other route's operation has its own module, with only what it needs: listing
(`webhook_listing`), registering (`webhook_registration`, which checks the URL), the delivery
log (`webhook_log`) and test events (`webhook_test_events`, which queues). The events published
to endpoints are in `webhook_events`, which the actions that publish import without these."""

from __future__ import annotations

from typing import Any

from leadlists.auth import Caller
from leadlists.errors import Forbidden, NotFound
from leadlists.repositories import webhooks as repo


def require_admin(caller: Caller) -> None:
    if not caller.is_admin:
        raise Forbidden("Only organization admins manage webhooks")


def require(caller: Caller, webhook_id: str) -> dict[str, Any]:
    """The caller's organization's endpoint. Looked up before the admin check: another
    organization's id is a 404 to anyone, never a 403 that would confirm it exists."""
    endpoint = repo.get(caller.org_id, webhook_id)
    if endpoint is None:
        raise NotFound("Webhook not found")
    require_admin(caller)
    return endpoint


def delete(caller: Caller, webhook_id: str) -> None:
    """Gone at once: queued events for it are dropped; its delivery log expires by TTL."""
    require(caller, webhook_id)
    if not repo.delete(caller.org_id, webhook_id):
        raise NotFound("Webhook not found")
