"""API key secrets, identified by the authorizer from the secret alone (no model of the API key
endpoints needed).

A key is `ll_live_<key id, 32 hex>_<43 random url-safe characters>` (256 random bits): the id
finds its item, and the secret's SHA-256, compared in constant time, proves it. Only the hash is
stored; the secret is in the create answer and nowhere else (no log, no later answer).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from leadlists.auth import ADMIN, API_KEY_PRINCIPAL
from leadlists.errors import Unauthorized
from leadlists.repositories import api_keys as repo

KEY_PREFIX = "ll_live_"
PREFIX_SHOWN = len(KEY_PREFIX) + 8
_KEY_SHAPE = re.compile(rf"{KEY_PREFIX}([0-9a-f]{{32}})_[A-Za-z0-9_-]{{43}}")
UNKNOWN_KEY = "Unknown, revoked or expired API key"


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def principal(key_id: str) -> str:
    return f"{API_KEY_PRINCIPAL}{key_id}"


def identify(secret: str, now: datetime) -> dict[str, Any]:
    """The stored key a secret proves (id, organization, scopes, limit); 401 otherwise."""
    shape = _KEY_SHAPE.fullmatch(secret)
    if shape is None:
        raise Unauthorized(UNKNOWN_KEY)
    item = repo.get(str(uuid.UUID(shape.group(1))))
    if item is None or not hmac.compare_digest(hash_secret(secret), str(item.get(repo.HASH, ""))):
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
