"""Who may use or change a lead list, and loading one for a request (every lead list route).

A member of the organization may use a lead list when their user id is in its `userIds`, it is
theirs (its owner is its creator) or they are an admin; only the owner or an admin changes its
`userIds` or deletes it. Other organizations' lists simply are not found (their keys begin with
another organization id).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from leadlists.errors import FieldError, Forbidden, Invalid
from leadlists.models.common import parse_uuid
from leadlists.repositories import lead_lists as repo

if TYPE_CHECKING:
    from leadlists.auth import Caller
    from leadlists.models.stored import LeadListRecord


def path_id(raw: str) -> str:
    list_id = parse_uuid(raw)
    if list_id is None:
        raise Invalid("Invalid lead list id", [FieldError("id", "Invalid UUID")])
    return list_id


def _owns(caller: Caller, record: LeadListRecord) -> bool:
    return caller.is_admin or record.get("ownerId") == caller.user_id


def require_access(caller: Caller, record: LeadListRecord) -> None:
    if not _owns(caller, record) and caller.user_id not in record.get("userIds", []):
        raise Forbidden("The lead list is not shared with you")


def require_owner(caller: Caller, record: LeadListRecord, action: str) -> None:
    """Shared users use a list; who may use it, and whether it exists, its owner decides."""
    require_access(caller, record)
    if not _owns(caller, record):
        raise Forbidden(f"Only the lead list's owner or an admin may {action}")


def load(caller: Caller, raw_id: str) -> LeadListRecord:
    """The list of a route's path id (400 when malformed) that the caller may use."""
    record = repo.require(caller.org_id, path_id(raw_id))
    require_access(caller, record)
    return record


def require_type(record: LeadListRecord, kind: str) -> None:
    if record["type"] != kind:
        raise Invalid(
            f"This works only on {kind}-type lead lists; this one is {record['type']}-type"
        )
