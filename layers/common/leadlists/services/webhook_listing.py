"""The organization's webhook endpoints, a page at a time, never their secrets."""

from __future__ import annotations

from leadlists.auth import Caller
from leadlists.models.common import DEFAULT_PAGE
from leadlists.models.webhook_endpoints import Webhook, WebhookPage
from leadlists.repositories import webhooks as repo
from leadlists.services.webhooks import require_admin


def page(caller: Caller, limit: int | None, token: str | None) -> WebhookPage:
    require_admin(caller)
    records, next_token = repo.page(caller.org_id, limit or DEFAULT_PAGE, token)
    return WebhookPage(webhooks=[Webhook.model_validate(r) for r in records], nextToken=next_token)
