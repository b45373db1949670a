"""API key requests and the key object (the secret itself appears only in the create answer)."""

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


class ApiKey(BaseModel):
    id: str
    name: str
    scopes: list[str]
    prefix: str = Field(description="The key's first characters, to recognize it")
    rateLimitPerMinute: int
    createdAt: str
    expiresAt: str | None = None
    lastUsedAt: str | None = Field(None, description="When the key was last used")


class ApiKeyCreated(ApiKey):
    key: str = Field(description="The secret: shown in this answer only, stored only as a hash")


class ApiKeyPage(BaseModel):
    apiKeys: list[ApiKey]
    nextToken: str | None = None
