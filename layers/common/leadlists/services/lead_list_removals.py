"""Removing companies or persons from a lead list by id."""

from __future__ import annotations

from typing import TYPE_CHECKING

from leadlists import clock
from leadlists.errors import NotFound
from leadlists.models.common import unique
from leadlists.models.member_changes import (
    RemoveCompaniesRequest,
    RemovedCount,
    RemoveProspectsRequest,
)
from leadlists.repositories import keys
from leadlists.repositories import lead_lists as repo
from leadlists.services import webhook_events
from leadlists.services.lead_list_access import load, require_type

if TYPE_CHECKING:
    from leadlists.auth import Caller


def _remove(caller: Caller, raw_id: str, kind: str, ids: list[str]) -> RemovedCount:
    record = load(caller, raw_id)
    require_type(record, kind)
    try:
        removed = repo.remove_members(
            caller.org_id, record["id"], kind, unique(ids), clock.now_iso()
        )
    except repo.ListGone:
        raise NotFound("Lead list not found") from None
    webhook_events.members_removed(caller.org_id, record["id"], kind, removed)
    return RemovedCount(removedCount=len(removed))


def remove_companies(caller: Caller, raw_id: str, request: RemoveCompaniesRequest) -> RemovedCount:
    caller.require_own_org(request.organizationId)
    return _remove(caller, raw_id, keys.COMPANY, request.companyIds)


def remove_prospects(caller: Caller, raw_id: str, request: RemoveProspectsRequest) -> RemovedCount:
    caller.require_own_org(request.organizationId)
    return _remove(caller, raw_id, keys.PERSON, request.personIds)
