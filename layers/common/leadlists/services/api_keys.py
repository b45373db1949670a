"""API keys: created, listed and revoked by an organization's admins; identified by the
authorizer from the secret alone.

A key is `ll_live_<key id, 32 hex>_<43 random url-safe characters>` (256 random bits): the id
finds its item, and the secret's SHA-256, compared in constant time, proves it. Only the hash is
stored; the secret is in the create answer and nowhere else (no log, no later answer).
A key acts as its organization under the principal id `apikey:<id>`. With the `admin` scope it
is an admin (it reaches every lead list of the organization, as admins do); without it, it
reaches only the lead lists whose `userIds` name `apikey:<id>`.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from leadlists import clock
from leadlists.auth import ADMIN, API_KEY_PRINCIPAL, SCOPES, Caller
from leadlists.errors import FieldError, Forbidden, Invalid, NotFound, Unauthorized
from leadlists.models.api_keys import ApiKey, ApiKeyCreated, ApiKeyPage, CreateApiKeyRequest
from leadlists.models.common import DEFAULT_PAGE, parse_uuid
from leadlists.repositories import api_keys as repo

KEY_PREFIX = "ll_live_"
PREFIX_SHOWN = len(KEY_PREFIX) + 8
_KEY_SHAPE = re.compile(rf"{KEY_PREFIX}([0-9a-f]{{32}})_[A-Za-z0-9_-]{{43}}")
# An expired key's item stays this long (refused meanwhile), then the table's TTL removes it.
_EXPIRED_KEPT_SECONDS = 7 * 86400
UNKNOWN_KEY = "Unknown, revoked or expired API key"


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def principal(key_id: str) -> str:
    return f"{API_KEY_PRINCIPAL}{key_id}"


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
    repo.create(caller.org_id, record, _hash(secret), ttl)
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


def identify(secret: str, now: datetime) -> dict[str, Any]:
    """The stored key a secret proves (id, organization, scopes, limit); 401 otherwise."""
    shape = _KEY_SHAPE.fullmatch(secret)
    if shape is None:
        raise Unauthorized(UNKNOWN_KEY)
    item = repo.get(str(uuid.UUID(shape.group(1))))
    if item is None or not hmac.compare_digest(_hash(secret), str(item.get(repo.HASH, ""))):
        raise Unauthorized(UNKNOWN_KEY)
    valid_until = item.get(repo.VALID_UNTIL)
    if valid_until and datetime.fromisoformat(str(valid_until)) <= now:
        raise Unauthorized(UNKNOWN_KEY)
    return item


def identity(item: Mapping[str, Any]) -> dict[str, Any]:
    """The authorizer's identity of a key: its organization, principal id and scopes."""
    return {
        "orgId": item[repo.ORG],
        "userId": principal(item["id"]),
        "admin": ADMIN in item.get("scopes", []),
        "scopes": ",".join(item.get("scopes", [])),
        "keyId": item["id"],
    }
