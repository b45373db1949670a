"""The answer to a test event sent to one endpoint."""

from __future__ import annotations

from pydantic import BaseModel, Field


class TestEventSent(BaseModel):
    eventId: str = Field(description="The webhook-id header the endpoint receives")
