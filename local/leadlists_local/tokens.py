"""Dev bearer tokens: minted and verified like the HTTP API's JWT authorizer would check them.

HS256 with a random key generated on first use and kept in the state folder (never in code).
Issuer and audience are local values; in AWS they are the template's JwtIssuer / JwtAudience.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import secrets
import time
from pathlib import Path
from typing import Any

import jwt

from leadlists_local import state, template

ISSUER = "leadlists-local"
AUDIENCE = "leadlists-local"
ALGORITHM = "HS256"
KEY_FILE = "dev-signing-key"
JWKS_FILE = "dev-jwks.json"
DEFAULT_TTL = 8 * 3600  # a working day, so a printed token lasts a dev session
DEMO_ORG, DEMO_USER, DEMO_ROLE = "org_demo", "user_demo", "admin"
# What `leadlists token` mints without --role: any role but the admin one makes a plain member.
MEMBER_ROLE = "member"


def signing_key(folder: Path | None = None) -> bytes:
    """The dev signing key, created (0600) on first use. Safe when two processes race."""
    path = (folder or state.state_dir()) / KEY_FILE
    if not path.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        tmp = path.with_name(f".{KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode() + "\n")
        # link() publishes the complete file atomically and fails if another process won.
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)
        tmp.unlink()
    key = path.read_text().strip().encode()
    if len(key) < 32:
        raise ValueError(f"{path} holds no usable key; delete it to generate a new one")
    return key


def jwks_file(folder: Path | None = None) -> Path:
    """The dev signing key as a JSON Web Key Set (0600, next to the key): the local authorizer
    fetches it as the deployed one fetches the issuer's, from the JwksUrl parameter."""
    key = signing_key(folder)
    path = (folder or state.state_dir()) / JWKS_FILE
    jwk = {"kty": "oct", "alg": ALGORITHM, "use": "sig", "k": _b64url(key)}
    text = json.dumps({"keys": [jwk]})
    if not path.exists() or path.read_text() != text:
        tmp = path.with_name(f".{JWKS_FILE}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
        tmp.replace(path)
    return path


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def claim_names() -> dict[str, str]:
    """user/org/role claim names: the template parameters' defaults (sub, org_id, org_role)."""
    params = template.load().get("Parameters", {})

    def default(name: str, fallback: str) -> str:
        return str(params.get(name, {}).get("Default", fallback))

    return {
        "user": default("ClaimUser", "sub"),
        "org": default("ClaimOrg", "org_id"),
        "role": default("ClaimRole", "org_role"),
    }


def mint(
    user: str,
    org: str | None,
    role: str | None = DEMO_ROLE,
    ttl: int = DEFAULT_TTL,
    *,
    key: bytes | None = None,
    extra: dict[str, Any] | None = None,
) -> str:
    """A signed token; `org=None` or `role=None` leaves that claim out."""
    names = claim_names()
    now = int(time.time())
    claims: dict[str, Any] = {"iss": ISSUER, "aud": AUDIENCE, "iat": now, "exp": now + ttl}
    claims[names["user"]] = user
    if org is not None:
        claims[names["org"]] = org
    if role:
        claims[names["role"]] = role
    claims.update(extra or {})
    return jwt.encode(claims, key or signing_key(), algorithm=ALGORITHM)


def verify(token: str, key: bytes | None = None) -> dict[str, Any]:
    """The token's claims; raises jwt.InvalidTokenError for anything the authorizer rejects.

    The algorithm is pinned, so `alg: none` and RS/HS confusion fail; exp, iss and aud are
    required and checked.
    """
    return jwt.decode(
        token,
        key or signing_key(),
        algorithms=[ALGORITHM],
        audience=AUDIENCE,
        issuer=ISSUER,
        options={"require": ["exp", "iss", "aud"]},
    )


def bearer(header: str | None) -> str | None:
    """The token of an Authorization header; like API Gateway, the Bearer prefix is optional."""
    if not header:
        return None
    scheme, _, rest = header.strip().partition(" ")
    token = rest.strip() if scheme.lower() == "bearer" else header.strip()
    return token or None
