"""The stored records repositories hand to services, as items of the tenant table hold them.

Services write some optional fields as None; `dynamo.to_item` drops None values, so read back
such a field is absent instead. Numbers come back as int (`dynamo.from_item`).
"""

from __future__ import annotations

from typing import Any, Literal, TypedDict


class _SavedListFields(TypedDict):
    id: str
    name: str
    organizationId: str
    usedFilter: dict[str, Any]
    contactsNum: int
    autoUpdateStatus: Literal["enabled", "disabled"]
    createdAt: str
    updatedAt: str
    version: int


class RefreshProgressRecord(TypedDict, total=False):
    """A fan-out run's counters as last reported on its list (services/run_progress.py)."""

    phase: str  # "matching", "copying" or "finalizing"
    segmentsDone: int
    segmentsTotal: int
    copiesDone: int
    copiesTotal: int
    stepsDone: int  # everything counted so far: reports never move backwards


class SavedListRecord(_SavedListFields, total=False):
    """A saved list (`repositories.saved_lists.LIST_FIELDS`)."""

    matchedContactsNum: int | None
    lastSyncedTime: str | None
    connectedIntegration: dict[str, str] | None
    refreshStatus: str  # a RefreshStatus value
    refreshError: str
    refreshProgress: RefreshProgressRecord
    refreshRunId: str
    refreshStartedAt: str  # the lease of a queued or running refresh
    maxContacts: int | None
    nextRefreshAt: str | None
    refreshFailures: int  # failed runs in a row: an auto-updated list's schedule backs off
    createdBy: str  # the creator, who may change or delete it (as may admins)
    lastChangeAppliedAt: str  # when a catalog change last joined or left a person (live lists)


class _LeadListFields(TypedDict):
    id: str
    icpId: str | None
    name: str
    type: Literal["company", "person"]
    startDate: str
    endDate: str
    userIds: list[str]
    createdAt: str
    updatedAt: str
    version: int


class LeadListRecord(_LeadListFields, total=False):
    """A lead list (`repositories.lead_lists.LIST_FIELDS`)."""

    memberCount: int  # kept by the member transactions; absent before the first one
    ownerId: str  # its creator; absent on lists created before owners existed


class _RefreshRunFields(TypedDict):
    state: str  # a RunState value
    segmentsTotal: int  # its counters are on shard items (`refresh_runs.totals`)
    usedFilter: dict[str, Any]
    createdAt: str
    expiresAt: int


class RefreshRunRecord(_RefreshRunFields, total=False):
    """A fan-out refresh run's item (`repositories.refresh_runs`), without its table keys."""

    maxContacts: int | None
    finalizer: str  # the claim token of the finalizer holding the run
    leaseUntil: int
    refreshError: str


class _SearchHeadFields(TypedDict):
    id: str
    kind: str
    filter: dict[str, Any]
    total: int
    createdAt: str
    createdBy: str
    expiresAt: int


class SearchHead(_SearchHeadFields, total=False):
    """A search's head item (`repositories.searches.SEARCH_FIELDS`)."""

    chunkStarts: list[str]  # the first id of each chunk item, written by `searches.save`
    storage: str  # "chunks" (written at once) or "items" (one per match, by the fan-out)
    status: str  # SearchStatus
    segmentsTotal: int
    segmentsDone: int
    error: str
