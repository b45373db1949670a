"""The API's one authorizer: either credential, verified, and the request counted against the
caller's rate limit.

Why the gateway never refuses a request itself: an HTTP API allows one authorizer per route, so
one Lambda REQUEST authorizer checks both `Authorization: Bearer <JWT>` and `X-API-Key`. It
declares no identity source (API Gateway would answer 401 before running it whenever one of two
alternative headers is absent) and its results are not cached (revoking a key must take effect
on the next request). An HTTP API Lambda authorizer can answer only 403 (`isAuthorized: false`)
or 500, in API Gateway's own body, never the contract's 401 or 429: so it lets every request
through with its verdict in the context, and `leadlists.api.handler` answers 401, 403 and 429
with the contract's body before the route reads anything.

Rate limits: each API key its own `rateLimitPerMinute`, each organization's JWT traffic
`JWT_RATE_LIMIT_PER_MINUTE` (6,000 by default). One conditional update per request on the key's
item (which also stamps `lastUsedAt`) or the organization's counter: exact across instances,
and nothing is written for a request over the limit.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime
from functools import lru_cache
from typing import Any

from aws_lambda_powertools import Logger

from leadlists import clock
from leadlists.auth import valid_id
from leadlists.config import settings
from leadlists.errors import Unauthorized
from leadlists.jwks import InvalidToken, JwksVerifier
from leadlists.repositories import keys, rate_limits
from leadlists.services import api_key_secrets

WINDOW_SECONDS = 60
# An API key is far shorter; anything longer is refused before any lookup.
MAX_CREDENTIAL_LENGTH = 8192
# The counter item of an organization's JWT traffic outlives its window by this much (TTL).
_COUNTER_KEPT_SECONDS = 120

logger = Logger()


@lru_cache(maxsize=1)
def verifier() -> JwksVerifier:
    """One per Lambda instance: its key set is fetched once and kept."""
    cfg = settings()
    url = cfg.jwks_url or f"{cfg.jwt_issuer.rstrip('/')}/.well-known/jwks.json"
    return JwksVerifier(url, cfg.jwt_issuer, cfg.jwt_audience, cfg.jwt_algorithms)


def bearer(header: str) -> str:
    """The token of an Authorization header; as API Gateway's JWT authorizer, `Bearer ` is
    optional."""
    scheme, _, rest = header.strip().partition(" ")
    return rest.strip() if scheme.lower() == "bearer" else header.strip()


def identity_from_claims(claims: Mapping[str, Any]) -> dict[str, Any]:
    """The identity a verified JWT's claims name; 401 without a usable organization or user."""
    cfg = settings()
    user, org = claims.get(cfg.claim_user), claims.get(cfg.claim_org)
    if not valid_id(user) or not valid_id(org):
        raise Unauthorized("Missing or invalid user or organization claim")
    return {"orgId": org, "userId": user, "admin": claims.get(cfg.claim_role) == cfg.admin_role}


def _usage(count: int | None, limit: int, window: int, now: datetime) -> dict[str, Any]:
    reset = window + WINDOW_SECONDS
    return {
        "rateLimit": limit,
        "rateRemaining": 0 if count is None else max(0, limit - count),
        "rateReset": reset,
        "retryAfter": max(1, math.ceil(reset - now.timestamp())),
        "rateLimited": count is None,
    }


def _identify(headers: Mapping[str, str], now: datetime) -> tuple[dict[str, Any], dict[str, Any]]:
    """(identity, its rate-limit usage after counting this request)."""
    api_key, authorization = headers.get("x-api-key"), headers.get("authorization")
    if api_key and authorization:
        raise Unauthorized("Send either a bearer token or an API key, not both")
    if not api_key and not authorization:
        raise Unauthorized("Missing credentials: a bearer token or an X-API-Key")
    credential = str(api_key or authorization)
    if len(credential) > MAX_CREDENTIAL_LENGTH:
        raise Unauthorized("Invalid credentials")
    window = int(now.timestamp()) // WINDOW_SECONDS * WINDOW_SECONDS
    if api_key:
        item = api_key_secrets.identify(api_key.strip(), now)
        limit = int(item["rateLimitPerMinute"])
        try:
            count = rate_limits.count(
                keys.api_key(item["id"]), window, limit, {"lastUsedAt": clock.iso(now)}, True
            )
        except rate_limits.CounterGone:
            raise Unauthorized(api_key_secrets.UNKNOWN_KEY) from None
        return api_key_secrets.identity(item), _usage(count, limit, window, now)
    try:
        claims = verifier().verify(bearer(credential))
    except InvalidToken as exc:
        # The reason (expired, bad signature, audience...) is for the log, never the answer.
        logger.warning("Token rejected", extra={"reason": str(exc)})
        raise Unauthorized("Invalid bearer token") from None
    identity = identity_from_claims(claims)
    limit = settings().jwt_rate_limit_per_minute
    ttl = {"expiresAt": window + WINDOW_SECONDS + _COUNTER_KEPT_SECONDS}
    count = rate_limits.count(keys.jwt_rate_counter(identity["orgId"]), window, limit, ttl, False)
    return identity, _usage(count, limit, window, now)


def authorize(headers: Mapping[str, str], now: datetime | None = None) -> dict[str, Any]:
    """The authorizer's context: the identity and its usage, or `error` (the 401's message)."""
    lowered = {k.lower(): v for k, v in headers.items()}
    try:
        identity, usage = _identify(lowered, now or clock.now())
    except Unauthorized as error:
        return {"error": error.message}
    return {**identity, **usage}
