"""Pagination tokens: base64url JSON, opaque to clients, encoded and decoded only here."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from leadlists.errors import FieldError, Invalid


def invalid(message: str = "Invalid pagination token") -> Invalid:
    """The 400 a nextToken that cannot be used earns."""
    return Invalid("Invalid nextToken", [FieldError("nextToken", message)])


def encode(data: Any) -> str:
    raw = json.dumps(data, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(token: str) -> Any:
    """The JSON a token carries; anything that is not one of ours is the client's 400."""
    try:
        padded = token + "=" * (-len(token) % 4)
        return json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, binascii.Error, UnicodeError, RecursionError):
        raise invalid() from None
