"""The request that registers a webhook endpoint."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from leadlists.models.common import strict
from leadlists.models.webhooks import MAX_DESCRIPTION, MAX_URL_LENGTH, EventType

Url = Annotated[str, StringConstraints(min_length=1, max_length=MAX_URL_LENGTH)]
Events = Annotated[list[EventType], Field(min_length=1, max_length=20)]


class CreateWebhookRequest(BaseModel):
    model_config = strict()

    url: Url = Field(description="https URL that receives the events (POST)")
    events: Events = Field(description="The events to send; duplicates collapse")
    description: Annotated[str, StringConstraints(max_length=MAX_DESCRIPTION)] | None = None
