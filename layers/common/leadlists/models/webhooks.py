"""What every webhook route shares (Standard Webhooks): the events, the limits, the path id and
the admins-only 403. Each route's models are in their own module: the endpoints as the API
shows them (`webhook_endpoints`), the registration request (`webhook_requests`), the delivery
log (`webhook_deliveries`) and the test event's answer (`webhook_test_events`)."""

from __future__ import annotations

from typing import Annotated, Literal, get_args

from aws_lambda_powertools.event_handler.openapi.params import Path
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from pydantic import BaseModel, WithJsonSchema

from leadlists.models.common import UUID_SCHEMA, UuidStr

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
