"""Listing the lead lists a caller may use, each as its summary (no members)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from leadlists.models.common import DEFAULT_PAGE
from leadlists.models.lead_list_summaries import LeadListPage, LeadListSummary
from leadlists.repositories import lead_lists as repo

if TYPE_CHECKING:
    from leadlists.auth import Caller

PUBLIC_FIELDS = (
    "id", "icpId", "name", "type", "startDate", "endDate", "userIds", "ownerId", "createdAt",
    "updatedAt",
)  # fmt: skip


def summary(record: Mapping[str, Any]) -> dict[str, Any]:
    """A list's public fields and member count, as every lead list answer carries them."""
    data: dict[str, Any] = {k: record.get(k) for k in PUBLIC_FIELDS}
    data["memberCount"] = int(record.get("memberCount") or 0)
    return data


def page(caller: Caller, limit: int | None, token: str | None) -> LeadListPage:
    """The lists the caller may use: all of the organization's for admins, else those shared.
    Each carries its member count from the list item: one Query for the page, none per list."""
    visible_to = None if caller.is_admin else caller.user_id
    records, next_token = repo.page(caller.org_id, limit or DEFAULT_PAGE, token, visible_to)
    lists = [LeadListSummary.model_validate(summary(r)) for r in records]
    return LeadListPage(leadLists=lists, nextToken=next_token)
