"""SQS consumer of webhook events: splits an event per endpoint, POSTs each signed attempt,
records it, and queues the next attempt (or the dead-letter queue) when it fails. Reports
failures per record."""

from leadlists.consumer import Step, handler
from leadlists.models.webhook_message import WebhookMessage
from leadlists.services import webhook_delivery

lambda_handler = handler({WebhookMessage: Step(webhook_delivery.step)})
