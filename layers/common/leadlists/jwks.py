"""Bearer JWTs verified against the issuer's JWKS, as API Gateway's JWT authorizer checks them:
signature (pinned algorithms), issuer, audience, expiry.

The key set is fetched once per Lambda instance and kept; a token naming a key id the set lacks
refetches it (the issuer rotated its keys), at most once per REFETCH_SECONDS so a flood of forged
key ids cannot turn into a flood of fetches.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from collections.abc import Callable, Sequence
from typing import Any

import jwt

REFETCH_SECONDS = 300
RETRY_SECONDS = 10
FETCH_TIMEOUT = 3
# Numeric date claims must be JSON numbers: PyJWT would take "123" as 123.
_NUMERIC_CLAIMS = ("exp", "nbf", "iat")


class InvalidToken(Exception):
    """The token fails a check the JWT authorizer makes."""


def fetch_url(url: str) -> dict[str, Any]:
    # The URL is configuration (the issuer's JWKS; locally a file the runtime writes).
    with urllib.request.urlopen(url, timeout=FETCH_TIMEOUT) as answer:  # noqa: S310  # nosec B310
        data = json.loads(answer.read())
    if not isinstance(data, dict):
        raise ValueError("JWKS is not a JSON object")
    return data


class JwksVerifier:
    def __init__(
        self,
        jwks_url: str,
        issuer: str,
        audience: str,
        algorithms: Sequence[str],
        fetch: Callable[[str], dict[str, Any]] = fetch_url,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.jwks_url, self.issuer, self.audience = jwks_url, issuer, audience
        self.algorithms = list(algorithms)
        self._fetch, self._clock = fetch, clock
        self._keys: dict[str | None, jwt.PyJWK] = {}
        self._fetched_at: float | None = None
        self._lock = threading.Lock()

    def _refresh(self) -> None:
        with self._lock:
            now = self._clock()
            if self._fetched_at is not None and now - self._fetched_at < REFETCH_SECONDS:
                return
            try:
                document = self._fetch(self.jwks_url)
            except (OSError, ValueError):
                # Unreachable issuer: retry on a later request, soon but not on every one.
                self._fetched_at = now - REFETCH_SECONDS + RETRY_SECONDS
                raise
            self._fetched_at = now
            found: dict[str | None, jwt.PyJWK] = {}
            for data in document.get("keys", []):
                if data.get("use", "sig") != "sig":
                    continue
                try:
                    key = jwt.PyJWK(data, data.get("alg") or self.algorithms[0])
                except jwt.PyJWKError:
                    continue  # a key type this verifier cannot use
                found[data.get("kid")] = key
            self._keys = found

    def _key(self, kid: str | None) -> jwt.PyJWK:
        if not self._keys or kid not in self._keys:
            self._refresh()
        if kid in self._keys:
            return self._keys[kid]
        # A token without a key id is verified only against a set of exactly one key.
        if kid is None and len(self._keys) == 1:
            return next(iter(self._keys.values()))
        raise InvalidToken("Unknown signing key")

    def verify(self, token: str) -> dict[str, Any]:
        """The token's claims, or InvalidToken for anything the JWT authorizer would refuse."""
        try:
            header = jwt.get_unverified_header(token)
            if header.get("alg") not in self.algorithms:
                raise InvalidToken("Algorithm not allowed")
            kid = header.get("kid")
            key = self._key(kid if isinstance(kid, str) else None)
            if key.algorithm_name not in self.algorithms:
                raise InvalidToken("Key algorithm not allowed")
            claims: dict[str, Any] = jwt.decode(
                token,
                key.key,
                algorithms=[key.algorithm_name],
                audience=self.audience,
                issuer=self.issuer,
                options={"require": ["exp", "iss", "aud"]},
            )
        except (jwt.InvalidTokenError, ValueError, TypeError) as exc:
            raise InvalidToken(str(exc)) from None
        for name in _NUMERIC_CLAIMS:
            value = claims.get(name)
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int | float)
            ):
                raise InvalidToken(f"Claim {name} is not a number")
        return claims
