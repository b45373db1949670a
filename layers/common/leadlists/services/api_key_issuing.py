"""Creating an API key: its secret made once, shown in the answer, stored only as a hash."""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime
from typing import Any

from leadlists import clock
from leadlists.auth import SCOPES, Caller
from leadlists.errors import FieldError, Invalid
from leadlists.models.api_key_requests import CreateApiKeyRequest
from leadlists.models.api_keys import ApiKeyCreated
from leadlists.repositories import api_keys as repo
from leadlists.services.api_key_secrets import KEY_PREFIX, PREFIX_SHOWN, hash_secret
from leadlists.services.api_keys import require_admin

# An expired key's item stays this long (refused meanwhile), then the table's TTL removes it.
_EXPIRED_KEPT_SECONDS = 7 * 86400


def create(caller: Caller, request: CreateApiKeyRequest) -> ApiKeyCreated:
    require_admin(caller)
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
