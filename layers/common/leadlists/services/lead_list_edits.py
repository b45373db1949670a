"""Creating a lead list and changing its fields."""

from __future__ import annotations

from typing import TYPE_CHECKING

from leadlists import clock
from leadlists.errors import Conflict, FieldError, Invalid
from leadlists.models.common import unique
from leadlists.models.lead_list_edits import CreateLeadListRequest, UpdateLeadListRequest
from leadlists.models.lead_list_objects import LeadList
from leadlists.repositories import lead_lists as repo
from leadlists.services import lead_lists
from leadlists.services.lead_list_access import path_id, require_access, require_owner

if TYPE_CHECKING:
    from leadlists.auth import Caller
    from leadlists.models.stored import LeadListRecord

_PATCH_ROUNDS = 3


def _check_dates(start: str, end: str) -> None:
    # Both are normalized to the same fixed-width UTC format, so text order is time order.
    if end < start:
        raise Invalid(
            "endDate is before startDate", [FieldError("endDate", "Must not be before startDate")]
        )


def create(caller: Caller, request: CreateLeadListRequest) -> LeadList:
    caller.require_own_org(request.organizationId)
    _check_dates(request.startDate, request.endDate)
    timestamp = clock.now_iso()
    record: LeadListRecord = {
        "id": clock.new_id(),
        "icpId": request.icpId,
        "name": request.name,
        "type": request.type,
        "startDate": request.startDate,
        "endDate": request.endDate,
        # The creator always keeps access.
        "userIds": unique([*(request.userIds or []), caller.user_id]),
        "ownerId": caller.user_id,
        "createdAt": timestamp,
        "updatedAt": timestamp,
        "version": 1,
    }
    repo.create(caller.org_id, record)
    return lead_lists.new(record)


def update(caller: Caller, raw_id: str, request: UpdateLeadListRequest) -> LeadList:
    """Change the fields given; the date order is checked against the version it is written to."""
    caller.require_own_org(request.organizationId)
    list_id = path_id(raw_id)
    changes = request.changes()
    for _ in range(_PATCH_ROUNDS):
        record = repo.require(caller.org_id, list_id)
        require_access(caller, record)
        if "userIds" in changes:
            require_owner(caller, record, "change userIds")
            # The owner keeps their place, whoever edits the list.
            owner = record.get("ownerId")
            changes["userIds"] = unique([*changes["userIds"], *([owner] if owner else [])])
        merged = {**record, **changes}
        _check_dates(merged["startDate"], merged["endDate"])
        fields = {**changes, "updatedAt": clock.now_iso()}
        updated = repo.update(caller.org_id, list_id, fields, record["version"])
        if updated is not None:
            return lead_lists.populated(caller.org_id, updated)
    raise Conflict("The lead list was changed by another request; reload it and retry")
