"""Who is calling: the identity the JWT authorizer verified, read from its claims."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from leadlists.config import settings
from leadlists.errors import Forbidden, Unauthorized


@dataclass(frozen=True)
class Caller:
    user_id: str
    org_id: str
    is_admin: bool

    def require_own_org(self, organization_id: str | None) -> None:
        """A body or path naming another organization never widens what the token grants."""
        if organization_id is not None and organization_id != self.org_id:
            raise Forbidden("organizationId is not the caller's organization")


def caller_from_claims(claims: Mapping[str, Any] | None) -> Caller:
    cfg = settings()
    claims = claims or {}
    user = claims.get(cfg.claim_user)
    org = claims.get(cfg.claim_org)
    if not isinstance(user, str) or not user or not isinstance(org, str) or not org:
        raise Unauthorized("Missing user or organization claim")
    role = claims.get(cfg.claim_role)
    return Caller(user_id=user, org_id=org, is_admin=role == cfg.admin_role)


def caller_from_event(event: Mapping[str, Any]) -> Caller:
    context = event.get("requestContext") or {}
    jwt = (context.get("authorizer") or {}).get("jwt") or {}
    return caller_from_claims(jwt.get("claims"))
