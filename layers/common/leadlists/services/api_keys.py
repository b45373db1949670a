"""API keys: created, listed and revoked by an organization's admins (the key's format and how
the authorizer identifies it are in `api_key_secrets`).

A key acts as its organization under the principal id `apikey:<id>`. With the `admin` scope it
is an admin (it reaches every lead list of the organization, as admins do); without it, it
reaches only the lead lists whose `userIds` name `apikey:<id>`.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime
from typing import Any

from leadlists import clock
from leadlists.auth import SCOPES, Caller
from leadlists.errors import FieldError, Forbidden, Invalid, NotFound
from leadlists.models.api_keys import ApiKey, ApiKeyCreated, ApiKeyPage, CreateApiKeyRequest
from leadlists.models.common import DEFAULT_PAGE, parse_uuid
from leadlists.repositories import api_keys as repo
from leadlists.services.api_key_secrets import KEY_PREFIX, PREFIX_SHOWN, hash_secret

# An expired key's item stays this long (refused meanwhile), then the table's TTL removes it.
_EXPIRED_KEPT_SECONDS = 7 * 86400


def _require_admin(caller: Caller) -> None:
    if not caller.is_admin:
        raise Forbidden("Only an organization admin manages API keys")


def create(caller: Caller, request: CreateApiKeyRequest) -> ApiKeyCreated:
    _require_admin(caller)
    now = clock.now()
    ttl = None
    if request.expiresAt is not None:
        expiry = datetime.fromisoformat(request.expiresAt)
        if expiry <= now:
            raise Invalid("expiresAt is in the past", [FieldError("expiresAt", "Must be future")])
        ttl = int(expiry.timestamp()) + _EXPIRED_KEPT_SECONDS
    key_uuid = uuid.uuid4()
    secret = f"{KEY_PREFIX}{key_uuid.hex}_{secrets.token_urlsafe(32)}"
    record: dict[str, Any] = {
        "id": str(key_uuid),
        "name": request.name,
        "scopes": [s for s in SCOPES if s in request.scopes],
        "prefix": secret[:PREFIX_SHOWN],
        "rateLimitPerMinute": request.rateLimitPerMinute,
        "createdAt": clock.iso(now),
        "expiresAt": request.expiresAt,
    }
    repo.create(caller.org_id, record, hash_secret(secret), ttl)
    return ApiKeyCreated(**record, key=secret)


def page(caller: Caller, limit: int | None, token: str | None) -> ApiKeyPage:
    _require_admin(caller)
    found, next_token = repo.page(caller.org_id, limit or DEFAULT_PAGE, token)
    return ApiKeyPage(apiKeys=[ApiKey(**r) for r in found], nextToken=next_token)


def revoke(caller: Caller, raw_id: str) -> None:
    _require_admin(caller)
    key_id = parse_uuid(raw_id)
    if key_id is None:
        raise Invalid("Invalid API key id", [FieldError("id", "Invalid UUID")])
    if not repo.delete(caller.org_id, key_id):
        raise NotFound("API key not found")
