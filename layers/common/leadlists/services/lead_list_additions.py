"""Adding members to a lead list: catalog companies by id here, and the step every addition
shares (copy the records, then write the member items); prospects in `prospect_additions`."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from leadlists import clock
from leadlists.errors import FieldError, Invalid, NotFound
from leadlists.models.lead_list_objects import LeadList
from leadlists.models.member_changes import AddCompaniesRequest, AddedCount
from leadlists.repositories import keys
from leadlists.repositories import lead_lists as repo
from leadlists.services import lead_lists, tenant_copy, webhook_events
from leadlists.services.lead_list_access import load, require_type

if TYPE_CHECKING:
    from leadlists.auth import Caller
    from leadlists.models.stored import LeadListRecord


class AddCompaniesResult(NamedTuple):
    """The seed answers the full list (or `{"addedCount": 0}`); `added` also travels in a header."""

    added: int
    body: LeadList | AddedCount


def add_members(
    org_id: str,
    record: LeadListRecord,
    kind: str,
    records: Mapping[str, dict[str, Any]],
    keep: Collection[str] = (),
) -> list[str]:
    """Copy the records that are not members yet into the tenant's records (except `keep`, whose
    copies stay as they are), then add them. Returns the ids this request added (the conditional
    writes decide, not the pre-filter)."""
    existing = repo.existing_members(
        org_id, record["id"], kind, records, int(record.get("memberCount", 0))
    )
    new = [i for i in records if i not in existing]
    if not new:
        return []
    tenant_copy.store(org_id, kind, [records[i] for i in new if i not in keep])
    timestamp = clock.now_iso()
    try:
        return webhook_events.members_added(
            org_id, record["id"], kind, repo.add_members(org_id, record["id"], kind, new, timestamp)
        )
    except repo.ListGone:
        raise NotFound("Lead list not found") from None


def add_companies(caller: Caller, raw_id: str, request: AddCompaniesRequest) -> AddCompaniesResult:
    caller.require_own_org(request.organizationId)
    record = load(caller, raw_id)
    require_type(record, keys.COMPANY)
    found, missing = tenant_copy.load(keys.COMPANY, request.companyIds)
    if missing:
        unknown = set(missing)
        details = [
            FieldError(f"companyIds.{n}", "Company not found")
            for n, company_id in enumerate(request.companyIds)
            if company_id in unknown
        ]
        raise Invalid("Unknown company ids; nothing was added", details)
    added = add_members(caller.org_id, record, keys.COMPANY, found)
    if not added:
        return AddCompaniesResult(0, AddedCount(addedCount=0))
    # Read back for the exact memberCount, which concurrent requests may have moved too.
    record = repo.require(caller.org_id, record["id"])
    return AddCompaniesResult(len(added), lead_lists.populated(caller.org_id, record, known=found))
