"""Test events: a `webhook.test` event queued for one endpoint, whatever it subscribes to."""

from __future__ import annotations

from leadlists import queues
from leadlists.auth import Caller
from leadlists.models.webhook_test_events import TestEventSent
from leadlists.models.webhooks import TEST_EVENT
from leadlists.services import webhook_events
from leadlists.services.webhooks import require


def send_test(caller: Caller, webhook_id: str) -> TestEventSent:
    """Queue a `webhook.test` event for this endpoint only (delivered in the background)."""
    require(caller, webhook_id)
    message = webhook_events.event(
        caller.org_id, [webhook_id], TEST_EVENT, {"webhookId": webhook_id}
    )
    queues.send_webhook(message)
    return TestEventSent(eventId=message.eventId)
