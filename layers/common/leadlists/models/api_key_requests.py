"""The request that creates an API key."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from leadlists.models.common import Name, Timestamp, integer, strict

DEFAULT_RATE_LIMIT = 1000
MAX_RATE_LIMIT = 100_000
Scope = Literal["read", "write", "admin"]


class CreateApiKeyRequest(BaseModel):
    model_config = strict()

    name: Name = "API key"
    scopes: Annotated[list[Scope], Field(min_length=1, max_length=3)]
    rateLimitPerMinute: Annotated[int, *integer(ge=1, le=MAX_RATE_LIMIT)] = DEFAULT_RATE_LIMIT
    expiresAt: Timestamp | None = Field(None, description="None: the key never expires")
