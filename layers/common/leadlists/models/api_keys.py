"""API keys as the API shows them (the secret itself appears only in the create answer). The
create request is in `api_key_requests`."""

from __future__ import annotations

from pydantic import BaseModel, Field


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
