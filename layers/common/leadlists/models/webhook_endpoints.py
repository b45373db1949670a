"""Webhook endpoints as the API shows them (listed, and once with the secret when created)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from leadlists.models.webhooks import EventType


class Webhook(BaseModel):
    """An endpoint as the API shows it: never its secret, after creation."""

    id: str
    url: str
    events: list[EventType]
    description: str | None = None
    createdAt: str


class CreatedWebhook(Webhook):
    secret: str = Field(description="whsec_...: verifies the signatures; shown this once only")


class WebhookPage(BaseModel):
    webhooks: list[Webhook]
    nextToken: str | None = None
