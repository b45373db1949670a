"""Lead lists: create, read, page, update, delete, and add or remove companies and prospects.

Access: a member of the organization may use a lead list when their user id is in its `userIds`,
it is theirs (its owner is its creator) or they are an admin; only the owner or an admin changes
its `userIds` or deletes it. Other organizations' lists simply are not found (their keys begin
with another organization id). Every request is validated in full (list type, ids, limits)
before its first write, so a failed request changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from leadlists import clock
from leadlists.auth import Caller
from leadlists.errors import Conflict, FieldError, Forbidden, Invalid, NotFound
from leadlists.models.common import DEFAULT_PAGE, parse_uuid, unique
from leadlists.models.lead_lists import (
    DEFAULT_MEMBERS_PAGE,
    MAX_MEMBER_BYTES,
    MAX_MEMBERS_SHOWN,
    AddCompaniesRequest,
    AddedCount,
    AddedProspects,
    AddProspectsRequest,
    CreateLeadListRequest,
    LeadList,
    LeadListPage,
    LeadListSummary,
    MemberPage,
    PersonInput,
    RemoveCompaniesRequest,
    RemovedCount,
    RemoveProspectsRequest,
    SelectionAdded,
    UpdateLeadListRequest,
)
from leadlists.models.records import Company, Person
from leadlists.models.stored import LeadListRecord
from leadlists.repositories import keys, tenant_records
from leadlists.repositories import lead_lists as repo
from leadlists.services import cleanup, search, tenant_copy, webhook_events

PUBLIC_FIELDS = (
    "id", "icpId", "name", "type", "startDate", "endDate", "userIds", "ownerId", "createdAt",
    "updatedAt",
)  # fmt: skip
_PATCH_ROUNDS = 3
# Tenant copies read at a time while filling a page (one BatchGetItem call's worth).
_COPY_BATCH = 100


@dataclass(frozen=True)
class AddCompaniesResult:
    """The seed answers the full list (or `{"addedCount": 0}`); `added` also travels in a header."""

    added: int
    body: LeadList | AddedCount


# Loading and access -----------------------------------------------------------------------------


def _path_id(raw: str) -> str:
    list_id = parse_uuid(raw)
    if list_id is None:
        raise Invalid("Invalid lead list id", [FieldError("id", "Invalid UUID")])
    return list_id


def _owns(caller: Caller, record: LeadListRecord) -> bool:
    return caller.is_admin or record.get("ownerId") == caller.user_id


def _require_access(caller: Caller, record: LeadListRecord) -> None:
    if not _owns(caller, record) and caller.user_id not in record.get("userIds", []):
        raise Forbidden("The lead list is not shared with you")


def _require_owner(caller: Caller, record: LeadListRecord, action: str) -> None:
    """Shared users use a list; who may use it, and whether it exists, its owner decides."""
    _require_access(caller, record)
    if not _owns(caller, record):
        raise Forbidden(f"Only the lead list's owner or an admin may {action}")


def _load(caller: Caller, raw_id: str) -> LeadListRecord:
    record = repo.require(caller.org_id, _path_id(raw_id))
    _require_access(caller, record)
    return record


def _require_type(record: LeadListRecord, kind: str) -> None:
    if record["type"] != kind:
        raise Invalid(
            f"This works only on {kind}-type lead lists; this one is {record['type']}-type"
        )


def _check_dates(start: str, end: str) -> None:
    # Both are normalized to the same fixed-width UTC format, so text order is time order.
    if end < start:
        raise Invalid(
            "endDate is before startDate", [FieldError("endDate", "Must not be before startDate")]
        )


# The lead list object and its members ------------------------------------------------------------


@dataclass(frozen=True)
class _Members:
    """One page of a list's members: ids, the records of those with a copy, the next token."""

    ids: list[str]
    records: list[Company | Person]
    next_token: str | None


def _json_bytes(value: Any) -> int:
    # As the HTTP adapter serializes answers: compact separators, non-ASCII escaped.
    return len(json.dumps(value, separators=(",", ":")))


def _members(
    org_id: str,
    record: Mapping[str, Any],
    limit: int,
    token: str | None,
    known: Mapping[str, dict[str, Any]] | None = None,
) -> _Members:
    """Up to `limit` members from `token` on, populated from the tenant copies (`known`: records
    already in hand, which need no reading back), cut short where their JSON would pass
    MAX_MEMBER_BYTES; the token then resumes right after the last member shown. Copies are read
    one batch at a time, so large records past the cut are never loaded."""
    known = known or {}
    kind = record["type"]
    ids, more = repo.member_page(org_id, record["id"], kind, limit, token)
    model = Company if kind == keys.COMPANY else Person
    shown: list[str] = []
    records: list[Company | Person] = []
    size = 0
    for start in range(0, len(ids), _COPY_BATCH):
        batch = ids[start : start + _COPY_BATCH]
        copies = tenant_records.get_copies(org_id, kind, [i for i in batch if i not in known])
        copies.update({i: known[i] for i in batch if i in known})
        for member in batch:
            copy = model.model_validate(copies[member]) if member in copies else None
            # The id shows twice on GET (id array, record): counted twice to stay on the safe side.
            cost = 2 * _json_bytes(member) + (
                _json_bytes(copy.model_dump(mode="json")) if copy else 0
            )
            if shown and size + cost > MAX_MEMBER_BYTES:
                resume = repo.member_token(org_id, record["id"], kind, shown[-1])
                return _Members(shown, records, resume)
            size += cost
            shown.append(member)
            if copy is not None:
                records.append(copy)
    next_token = repo.member_token(org_id, record["id"], kind, shown[-1]) if more else None
    return _Members(shown, records, next_token)


def _summary(record: Mapping[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {k: record.get(k) for k in PUBLIC_FIELDS}
    data["memberCount"] = int(record.get("memberCount") or 0)
    return data


def _model(record: Mapping[str, Any], members: _Members, populated: bool = True) -> LeadList:
    companies = record["type"] == keys.COMPANY
    data = _summary(record)
    data["companyIds"] = members.ids if companies else []
    data["personIds"] = [] if companies else members.ids
    data["membersNextToken"] = members.next_token
    if populated:
        data["companies" if companies else "persons"] = members.records
    return LeadList.model_validate(data)


def _populated(
    org_id: str, record: LeadListRecord, known: Mapping[str, dict[str, Any]] | None = None
) -> LeadList:
    """The list with its first page of members' records (see `_members`)."""
    return _model(record, _members(org_id, record, MAX_MEMBERS_SHOWN, None, known))


# Create, read, page, update, delete -------------------------------------------------------------


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
    return _model(record, _Members([], [], None), populated=False)


def get(caller: Caller, raw_id: str) -> LeadList:
    return _populated(caller.org_id, _load(caller, raw_id))


def page(caller: Caller, limit: int | None, token: str | None) -> LeadListPage:
    """The lists the caller may use: all of the organization's for admins, else those shared.
    Each carries its member count from the list item: one Query for the page, none per list."""
    visible_to = None if caller.is_admin else caller.user_id
    records, next_token = repo.page(caller.org_id, limit or DEFAULT_PAGE, token, visible_to)
    lists = [LeadListSummary.model_validate(_summary(r)) for r in records]
    return LeadListPage(leadLists=lists, nextToken=next_token)


def members(caller: Caller, raw_id: str, limit: int | None, token: str | None) -> MemberPage:
    """A page of the list's members, with the access rules of `get`."""
    record = _load(caller, raw_id)
    found = _members(caller.org_id, record, limit or DEFAULT_MEMBERS_PAGE, token)
    return MemberPage(items=found.records, nextToken=found.next_token)


def update(caller: Caller, raw_id: str, request: UpdateLeadListRequest) -> LeadList:
    """Change the fields given; the date order is checked against the version it is written to."""
    caller.require_own_org(request.organizationId)
    list_id = _path_id(raw_id)
    changes = request.changes()
    for _ in range(_PATCH_ROUNDS):
        record = repo.require(caller.org_id, list_id)
        _require_access(caller, record)
        if "userIds" in changes:
            _require_owner(caller, record, "change userIds")
            # The owner keeps their place, whoever edits the list.
            owner = record.get("ownerId")
            changes["userIds"] = unique([*changes["userIds"], *([owner] if owner else [])])
        merged = {**record, **changes}
        _check_dates(merged["startDate"], merged["endDate"])
        fields = {**changes, "updatedAt": clock.now_iso()}
        updated = repo.update(caller.org_id, list_id, fields, record["version"])
        if updated is not None:
            return _populated(caller.org_id, updated)
    raise Conflict("The lead list was changed by another request; reload it and retry")


def delete(caller: Caller, raw_id: str) -> None:
    """Remove the list item (gone for every reader at once); its member items and unused copies
    go in the background. A constant number of calls at any size."""
    record = repo.require(caller.org_id, _path_id(raw_id))
    _require_owner(caller, record, "delete it")
    if not repo.delete(caller.org_id, record["id"]):
        raise NotFound("Lead list not found")
    cleanup.schedule(caller.org_id, record["id"], keys.LEAD, [])


# Members ----------------------------------------------------------------------------------------


def _add(
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
    record = _load(caller, raw_id)
    _require_type(record, keys.COMPANY)
    found, missing = tenant_copy.load(keys.COMPANY, request.companyIds)
    if missing:
        unknown = set(missing)
        details = [
            FieldError(f"companyIds.{n}", "Company not found")
            for n, company_id in enumerate(request.companyIds)
            if company_id in unknown
        ]
        raise Invalid("Unknown company ids; nothing was added", details)
    added = _add(caller.org_id, record, keys.COMPANY, found)
    if not added:
        return AddCompaniesResult(0, AddedCount(addedCount=0))
    # Read back for the exact memberCount, which concurrent requests may have moved too.
    record = repo.require(caller.org_id, record["id"])
    return AddCompaniesResult(len(added), _populated(caller.org_id, record, known=found))


def add_prospects(
    caller: Caller, raw_id: str, request: AddProspectsRequest
) -> AddedProspects | SelectionAdded:
    """Direct-mode data never rewrites a person the organization already holds: that copy may
    show in lists the caller cannot see. Those ids are added, and named in `ignoredIds` (ids the
    catalog knows are copied from the catalog, as ever: no supplied data is used for them). A
    `selectAll` selection answers where the next one continues (`nextOffset`)."""
    caller.require_own_org(request.organizationId)
    record = _load(caller, raw_id)
    _require_type(record, keys.PERSON)
    if request.persons is not None:
        records = _direct(request.persons)
        supplied = [i for i, r in records.items() if r.get("tenantOnly")]
        held = tenant_copy.held(caller.org_id, keys.PERSON, supplied)
        added = _add(caller.org_id, record, keys.PERSON, records, keep=held)
        ignored = [i for i in records if i in held]
        return AddedProspects(addedCount=len(added), ignoredIds=ignored or None)
    elif request.selection is None:  # the model guarantees exactly one mode
        raise TypeError("add-prospects needs persons or a selection")
    else:
        picked = search.resolve_selection(caller.org_id, request.selection)
        # A result that has left the catalog since the search cannot be copied: it is skipped.
        records, _ = tenant_copy.load(keys.PERSON, picked.ids)
    count = len(_add(caller.org_id, record, keys.PERSON, records))
    if picked.by_ids:
        return AddedProspects(addedCount=count)
    return SelectionAdded(addedCount=count, nextOffset=picked.next_offset)


def _direct(persons: list[PersonInput]) -> dict[str, dict[str, Any]]:
    """Direct mode: the catalog's record wins for ids it knows; an unknown id is stored as
    supplied, as a tenant-only prospect. A repeated id counts once (its first object)."""
    supplied: dict[str, PersonInput] = {}
    for person in persons:
        supplied.setdefault(person.id, person)
    found, _ = tenant_copy.load(keys.PERSON, supplied)
    return {
        i: found.get(i) or {**person.model_dump(exclude_none=True), "tenantOnly": True}
        for i, person in supplied.items()
    }


def _remove(caller: Caller, raw_id: str, kind: str, ids: list[str]) -> RemovedCount:
    record = _load(caller, raw_id)
    _require_type(record, kind)
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
