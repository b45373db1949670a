"""The webhook queue's message."""

from typing import Annotated, Any, Literal

from pydantic import Field, PositiveInt

from leadlists.models.message_base import Id, QueueMessage


class WebhookMessage(QueueMessage):
    """One event for the organization's endpoints (webhook queue). A message naming several
    endpoints is split into one per endpoint; one for a single endpoint is a delivery `attempt`,
    due at `notBefore` (epoch seconds): retries wait longer than SQS's 15-minute delay."""

    type: Literal["webhook"] = "webhook"
    organizationId: Id
    webhookIds: Annotated[list[Id], Field(min_length=1)]
    eventId: Id
    eventType: Id
    timestamp: Id = Field(description="When the event happened (ISO 8601)")
    data: dict[str, Any]
    attempt: PositiveInt = 1
    notBefore: float = 0
