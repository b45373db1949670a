"""The step every addition to a lead list shares: copy the records into the organization's own,
then write the member items (companies: `company_additions`, prospects: `prospect_additions`)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING, Any

from leadlists import clock
from leadlists.errors import NotFound
from leadlists.repositories import lead_lists as repo
from leadlists.services import tenant_copy, webhook_events

if TYPE_CHECKING:
    from leadlists.models.stored import LeadListRecord


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
