"""An endpoint's delivery log: its recent attempts, newest first (kept 7 days)."""

from __future__ import annotations

import time

from leadlists.auth import Caller
from leadlists.models.common import DEFAULT_PAGE
from leadlists.models.webhook_deliveries import DeliveryAttempt, DeliveryPage
from leadlists.repositories import webhooks as repo
from leadlists.services.webhooks import require


def deliveries(
    caller: Caller, webhook_id: str, limit: int | None, token: str | None
) -> DeliveryPage:
    require(caller, webhook_id)
    found, next_token = repo.deliveries(
        caller.org_id, webhook_id, limit or DEFAULT_PAGE, token, int(time.time())
    )
    attempts = [DeliveryAttempt.model_validate(d) for d in found]
    return DeliveryPage(deliveries=attempts, nextToken=next_token)
