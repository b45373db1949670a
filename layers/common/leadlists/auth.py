"""Who is calling: the identity the API's Lambda authorizer verified, read from its context.

The authorizer (functions/authorizer) accepts either a bearer JWT or an `X-API-Key` and always
lets the request through to the route with its verdict in `requestContext.authorizer.lambda`:
an identity, or the reason there is none (the function then answers the contract's 401). See
services/authorizer.py for why the gateway itself does not refuse.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from leadlists.errors import Forbidden, Unauthorized

# Organization and user ids longer than this are refused (401): ids go into DynamoDB keys
# (2,048 bytes at most), and no identity provider issues ids of this size.
MAX_IDENTITY_LENGTH = 128

READ, WRITE, ADMIN = "read", "write", "admin"
SCOPES = (READ, WRITE, ADMIN)
# Each scope allows what the ones before it allow: write includes read, admin includes both.
_IMPLIED = {READ: {READ}, WRITE: {READ, WRITE}, ADMIN: {READ, WRITE, ADMIN}}
# Routes that only read although they are POSTs: searches, and exports (a file of what a GET
# would show).
_READ_POSTS = ("/api/v1/search/",)
_READ_POST_SUFFIXES = ("/export",)
# Routes that manage credentials and notifications: admin scope (and an admin caller).
_ADMIN_PREFIXES = ("/api-keys", "/webhooks")
API_KEY_PRINCIPAL = "apikey:"


# NamedTuples, not dataclasses: every API function defines these at its cold start, where a
# dataclass would generate and compile its methods' code.
class RateUsage(NamedTuple):
    """The caller's rate-limit window as the authorizer counted this request."""

    limit: int
    remaining: int
    reset: int  # epoch seconds when the window ends
    retry_after: int  # seconds to wait when limited
    limited: bool


class Caller(NamedTuple):
    user_id: str
    org_id: str
    is_admin: bool
    # A JWT user's requests are not scoped (their role decides); a key has the scopes it was given.
    scopes: frozenset[str] = frozenset(SCOPES)
    key_id: str | None = None
    usage: RateUsage | None = None

    def require_own_org(self, organization_id: str | None) -> None:
        """A body or path naming another organization never widens what the token grants."""
        if organization_id is not None and organization_id != self.org_id:
            raise Forbidden("organizationId is not the caller's organization")

    def require_scope(self, scope: str) -> None:
        if scope not in self.scopes:
            raise Forbidden(f"This API key lacks the '{scope}' scope")


def expand_scopes(scopes: list[str] | tuple[str, ...] | frozenset[str]) -> frozenset[str]:
    return frozenset(s for scope in scopes for s in _IMPLIED.get(scope, set()))


def required_scope(route_key: str) -> str:
    """The scope a route needs, from API Gateway's route key ("POST /lists/save")."""
    method, _, path = route_key.partition(" ")
    if path.startswith(_ADMIN_PREFIXES):
        return ADMIN
    if method in ("GET", "HEAD") or path.startswith(_READ_POSTS):
        return READ
    if method == "POST" and path.endswith(_READ_POST_SUFFIXES):
        return READ
    return WRITE


def valid_id(value: Any) -> bool:
    """An organization or user id a caller may carry: a non-empty string of bounded length."""
    return isinstance(value, str) and len(value.strip()) > 0 and len(value) <= MAX_IDENTITY_LENGTH


def _flag(value: Any) -> bool:
    # The authorizer answers JSON booleans; a gateway that passed context values on as strings
    # would send "true".
    return value is True or value == "true"


def _number(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | str):
        return None
    try:
        return int(value)
    except ValueError:
        return None


def _usage(context: Mapping[str, Any]) -> RateUsage | None:
    limit = _number(context.get("rateLimit"))
    if limit is None:
        return None
    return RateUsage(
        limit=limit,
        remaining=_number(context.get("rateRemaining")) or 0,
        reset=_number(context.get("rateReset")) or 0,
        retry_after=_number(context.get("retryAfter")) or 0,
        limited=_flag(context.get("rateLimited")),
    )


def caller_from_context(context: Mapping[str, Any] | None) -> Caller:
    """The caller the authorizer's context names; its stated reason as a 401 otherwise."""
    context = context or {}
    user, org = context.get("userId"), context.get("orgId")
    if not valid_id(user) or not valid_id(org):
        raise Unauthorized(str(context.get("error") or "Missing user or organization"))
    scopes = str(context.get("scopes") or "")
    key_id = context.get("keyId")
    return Caller(
        user_id=str(user),
        org_id=str(org),
        is_admin=_flag(context.get("admin")),
        scopes=expand_scopes(scopes.split(",")) if key_id else frozenset(SCOPES),
        key_id=str(key_id) if key_id else None,
        usage=_usage(context),
    )


def caller_from_event(event: Mapping[str, Any]) -> Caller:
    context = event.get("requestContext") or {}
    verdict = (context.get("authorizer") or {}).get("lambda")
    return caller_from_context(verdict if isinstance(verdict, Mapping) else None)


def require_route_scope(caller: Caller, event: Mapping[str, Any]) -> None:
    """403 when the caller's scopes do not cover the route (JWT users hold every scope)."""
    caller.require_scope(required_scope(str(event.get("routeKey") or "")))
