"""Webhook endpoints, their deliveries, and the events they receive (Standard Webhooks)."""

from __future__ import annotations

from typing import Annotated, Literal, get_args

from aws_lambda_powertools.event_handler.openapi.params import Path
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from pydantic import BaseModel, Field, StringConstraints, WithJsonSchema

from leadlists.models.common import UUID_SCHEMA, UuidStr, strict

MAX_URL_LENGTH = 2048
MAX_DESCRIPTION = 500
# Endpoints an organization may register: publishing reads them all in one Query.
MAX_WEBHOOKS = 20


# The events an endpoint subscribes to (`webhook.test` goes to one endpoint on request).
EventType = Literal[
    "list.refreshed",
    "list.refresh_failed",
    "list.deleted",
    "leadlist.members_added",
    "leadlist.members_removed",
]
EVENT_TYPES: tuple[str, ...] = get_args(EventType)
TEST_EVENT = "webhook.test"

# The 403 every webhook route answers a caller who is not an organization admin.
ADMIN_ONLY: OpenAPIResponse = {
    "description": "The caller is not an organization admin",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
}


def admin_only_page(description: str, model: type[BaseModel]) -> dict[int, OpenAPIResponse]:
    """The OpenAPI answers of a GET route of webhooks: its 200 page and the admins-only 403."""
    return {
        200: {"description": description, "content": {"application/json": {"model": model}}},
        403: ADMIN_ONLY,
    }


# An endpoint's id in a path: a UUID, anything else a 400 on field `id`.
WebhookId = Annotated[
    UuidStr,
    WithJsonSchema({**UUID_SCHEMA, "description": "The webhook's id"}),
    Path(description="The webhook's id"),
]
Url = Annotated[str, StringConstraints(min_length=1, max_length=MAX_URL_LENGTH)]
Events = Annotated[list[EventType], Field(min_length=1, max_length=20)]


class CreateWebhookRequest(BaseModel):
    model_config = strict()

    url: Url = Field(description="https URL that receives the events (POST)")
    events: Events = Field(description="The events to send; duplicates collapse")
    description: Annotated[str, StringConstraints(max_length=MAX_DESCRIPTION)] | None = None


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


class TestEventSent(BaseModel):
    eventId: str = Field(description="The webhook-id header the endpoint receives")


class DeliveryAttempt(BaseModel):
    """One attempt to deliver one event to one endpoint."""

    eventId: str
    eventType: str
    attempt: int
    statusCode: int | None = Field(None, description="The endpoint's answer; null if none came")
    durationMs: int
    error: str | None = None
    timestamp: str


class DeliveryPage(BaseModel):
    deliveries: list[DeliveryAttempt]
    nextToken: str | None = None
