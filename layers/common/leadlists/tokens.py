"""Pagination tokens, encoded and decoded only here: opaque and tamper-evident.

A token is base64url of a 16-byte tag and the JSON it carries, enciphered with a keystream of
HMAC-SHA256 blocks under that tag. The tag is an HMAC of the JSON, so a token is accepted only as
it was issued (any other is the client's 400 at once, before DynamoDB sees it), and the JSON (a
table's start key, with its attribute names and key layout) never shows. The key is
PAGING_TOKEN_KEY when set (per deployment, so tokens cannot be forged), else a built-in one that
still keeps tokens opaque and whole; every reader also checks the key's parts and partition.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
from functools import lru_cache
from typing import Any

from leadlists.errors import FieldError, Invalid

_TAG_BYTES = 16
_BLOCK = hashlib.sha256().digest_size
_BUILT_IN_KEY = b"leadlists-paging-token-v1"


def invalid(message: str = "Invalid pagination token") -> Invalid:
    """The 400 a nextToken that cannot be used earns."""
    return Invalid("Invalid nextToken", [FieldError("nextToken", message)])


@lru_cache(maxsize=1)
def _key() -> bytes:
    return os.environ.get("PAGING_TOKEN_KEY", "").encode() or _BUILT_IN_KEY


def _tag(raw: bytes) -> bytes:
    return hmac.new(_key(), b"tag" + raw, hashlib.sha256).digest()[:_TAG_BYTES]


def _cipher(tag: bytes, data: bytes) -> bytes:
    """XOR with the keystream under `tag` (its own inverse)."""
    blocks = (len(data) + _BLOCK - 1) // _BLOCK
    stream = b"".join(
        hmac.new(_key(), tag + n.to_bytes(4, "big"), hashlib.sha256).digest() for n in range(blocks)
    )
    return bytes(a ^ b for a, b in zip(data, stream, strict=False))


def encode(data: Any) -> str:
    raw = json.dumps(data, separators=(",", ":"), sort_keys=True).encode()
    tag = _tag(raw)
    return base64.urlsafe_b64encode(tag + _cipher(tag, raw)).decode().rstrip("=")


def decode(token: str) -> Any:
    """The JSON a token carries; anything that is not one of ours, whole, is the client's 400."""
    try:
        padded = token + "=" * (-len(token) % 4)
        blob = base64.urlsafe_b64decode(padded.encode())
        tag, body = blob[:_TAG_BYTES], blob[_TAG_BYTES:]
        raw = _cipher(tag, body)
        if len(tag) != _TAG_BYTES or not hmac.compare_digest(tag, _tag(raw)):
            raise invalid()
        return json.loads(raw)
    except (ValueError, binascii.Error, UnicodeError, RecursionError):
        raise invalid() from None
