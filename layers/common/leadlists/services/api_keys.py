"""API keys: created, listed and revoked by an organization's admins. This module holds who may
manage them and revoking one; listing (`api_key_listing`) and creating (`api_key_issuing`) have
their own modules, with only what each needs. The key's format and how the authorizer
identifies it are in `api_key_secrets`.

A key acts as its organization under the principal id `apikey:<id>`. With the `admin` scope it
is an admin (it reaches every lead list of the organization, as admins do); without it, it
reaches only the lead lists whose `userIds` name `apikey:<id>`.
"""

from __future__ import annotations

from leadlists.auth import Caller
from leadlists.errors import FieldError, Forbidden, Invalid, NotFound
from leadlists.models.common import parse_uuid
from leadlists.repositories import api_keys as repo


def require_admin(caller: Caller) -> None:
    if not caller.is_admin:
        raise Forbidden("Only an organization admin manages API keys")


def revoke(caller: Caller, raw_id: str) -> None:
    require_admin(caller)
    key_id = parse_uuid(raw_id)
    if key_id is None:
        raise Invalid("Invalid API key id", [FieldError("id", "Invalid UUID")])
    if not repo.delete(caller.org_id, key_id):
        raise NotFound("API key not found")
