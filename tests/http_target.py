"""Where the HTTP suite sends its requests: a `LocalRuntime` the fixture starts (the default), or
any deployed stack.

    LEADLISTS_BASE_URL=https://abc.execute-api.eu-west-1.amazonaws.com \\
    LEADLISTS_TOKEN_CMD="python scripts/test_users.py --stack leadlists-staging token" \\
    make e2e

`LEADLISTS_TOKEN_CMD` is called as `$LEADLISTS_TOKEN_CMD --org ORG --user USER --role ROLE` and
prints a bearer token for that user on its last line of stdout (`leadlists token` follows the
same convention, so `LEADLISTS_TOKEN_CMD="leadlists token"` works against `leadlists serve`).
`--org ''` asks for a token without an organization claim. Every call passes `--role`, so a
command's own default never matters.

Against a base URL each test session uses organizations of its own (`org_e2e_<random>`): a
stack that keeps data between runs never shows a test another run's lists.
"""

from __future__ import annotations

import os
import shlex
import uuid
from dataclasses import dataclass, field
from typing import Any

import jwt

from leadlists_local import fuzz, tokens

BASE_URL_ENV = "LEADLISTS_BASE_URL"
TOKEN_CMD_ENV = "LEADLISTS_TOKEN_CMD"
ADMIN, MEMBER = "admin", "member"


def remote_base_url() -> str | None:
    """The base URL the suite runs against, or None for the fixture's own runtime."""
    value = os.environ.get(BASE_URL_ENV, "").strip()
    return value.rstrip("/") or None


@dataclass(frozen=True)
class Identity:
    """A caller: its bearer token and the user id the API sees (the token's user claim; with
    Cognito that is the user's `sub`, not the name asked for)."""

    token: str
    user_id: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class Target:
    """An API base URL and a way to get tokens for it. `runtime` is the in-process
    `LocalRuntime` when the fixture started one, else None."""

    base_url: str
    runtime: Any = None
    token_cmd: list[str] = field(default_factory=list)
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    _cache: dict[tuple[str, str, str], Identity] = field(default_factory=dict)

    @property
    def remote(self) -> bool:
        return self.runtime is None

    def org(self, name: str = "a") -> str:
        """An organization id of this session's own."""
        return f"org_e2e_{self.run_id}_{name}"

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def identity(self, org: str, user: str, role: str = ADMIN) -> Identity:
        key = (org, user, role)
        if key not in self._cache:
            token = self._mint(org, user, role)
            self._cache[key] = Identity(token, user_of(token))
        return self._cache[key]

    def token_for(self, org: str, user: str, role: str = ADMIN) -> str:
        return self.identity(org, user, role).token

    def _mint(self, org: str, user: str, role: str) -> str:
        if self.runtime is not None:
            return self.runtime.token(org=org, user=user, role=role or None)
        return fuzz.token_from_command(self.token_cmd, org, user, role)


def user_of(token: str) -> str:
    """The user id claim of a token, read without verifying it: the server verifies; the suite
    only needs to know which id it will see (to name the user in a lead list's userIds)."""
    claims = jwt.decode(token, options={"verify_signature": False})
    return str(claims[tokens.claim_names()["user"]])


def remote_target() -> Target:
    base_url = remote_base_url()
    assert base_url is not None
    command = os.environ.get(TOKEN_CMD_ENV, "").strip()
    if not command:
        raise RuntimeError(f"{BASE_URL_ENV} is set: set {TOKEN_CMD_ENV} too (tests/http_target.py)")
    return Target(base_url=base_url, token_cmd=shlex.split(command))
