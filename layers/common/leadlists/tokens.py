"""Pagination tokens, encoded and decoded only here: opaque and tamper-evident.

A token is base64url of a 16-byte tag and the JSON it carries, enciphered with a keystream of
HMAC-SHA256 blocks under that tag. The tag is an HMAC of the JSON, so a token is accepted only as
it was issued (any other is the client's 400 at once, before DynamoDB sees it), and the JSON (a
table's start key, with its attribute names and key layout) never shows; every reader also
checks the key's parts and partition.

The key is a per-deployment secret the template generates (PAGING_TOKEN_SECRET names it), read
through Powertools' Parameters on the first token a container makes or reads, so routes that
never page never fetch it. There is no fallback: a key in the code would let anyone who reads
it forge tokens. Without the secret, paging is a logged configuration error (a 500 with its
request id).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from functools import lru_cache
from typing import Any

from aws_lambda_powertools import Logger

from leadlists.config import settings
from leadlists.errors import FieldError, Invalid

logger = Logger()

_TAG_BYTES = 16
_BLOCK = hashlib.sha256().digest_size


class MissingKey(RuntimeError):
    """The deployment gives no paging-token key: a configuration error, never the client's."""


def invalid(message: str = "Invalid pagination token") -> Invalid:
    """The 400 a nextToken that cannot be used earns."""
    return Invalid("Invalid nextToken", [FieldError("nextToken", message)])


def _key() -> bytes:
    return _secret_key(settings().paging_token_secret)


@lru_cache(maxsize=4)
def _secret_key(secret_id: str) -> bytes:
    """The secret's value, fetched once per container (a failure is not cached: the next
    request tries again)."""
    if not secret_id:
        logger.error("PAGING_TOKEN_SECRET is not set: paging tokens can be neither made nor read")
        raise MissingKey("PAGING_TOKEN_SECRET is not set")
    # Imported here: a cold start of a route that never pages does not load it.
    from aws_lambda_powertools.utilities.parameters import SecretsProvider

    value = SecretsProvider().get(secret_id)
    if not value:
        logger.error("The paging-token secret is empty", extra={"secret": secret_id})
        raise MissingKey("The paging-token secret is empty")
    return str(value).encode()


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
