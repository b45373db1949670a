"""An endpoint's delivery log: its recent attempts, newest first."""

from __future__ import annotations

from pydantic import BaseModel, Field


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
