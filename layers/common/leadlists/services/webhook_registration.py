"""Registering a webhook endpoint: its URL checked (webhook_urls), its signing secret made."""

from __future__ import annotations

import base64
import secrets

from leadlists.auth import Caller
from leadlists.clock import new_id, now_iso
from leadlists.config import settings
from leadlists.errors import FieldError, Invalid
from leadlists.models.common import unique
from leadlists.models.webhook_endpoints import CreatedWebhook
from leadlists.models.webhook_requests import CreateWebhookRequest
from leadlists.models.webhooks import MAX_WEBHOOKS
from leadlists.repositories import webhooks as repo
from leadlists.services import webhook_urls
from leadlists.services.webhooks import require_admin

SECRET_PREFIX = "whsec_"  # noqa: S105  # nosec B105  # the spec's prefix, not a secret
SECRET_BYTES = 32


def new_secret() -> str:
    """A Standard Webhooks secret: whsec_ and base64 of 32 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def create(caller: Caller, request: CreateWebhookRequest) -> CreatedWebhook:
    require_admin(caller)
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
