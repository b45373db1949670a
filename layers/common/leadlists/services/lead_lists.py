"""Reading lead lists: one list with its first members populated, and pages of its members.
Every answer that carries a lead list object (create, update, add companies) builds it here.

Creating and updating are in `lead_list_edits`, deleting in `lead_list_deletion`, listings in
`lead_list_summaries`, adding members in `company_additions` and `prospect_additions` (their
shared step: `lead_list_additions`), removing them in `lead_list_removals`; access rules in
`lead_list_access`. Every request is validated in full (list type, ids, limits) before its
first write, so a failed request changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from leadlists.models.lead_list_objects import (
    DEFAULT_MEMBERS_PAGE,
    MAX_MEMBER_BYTES,
    MAX_MEMBERS_SHOWN,
    LeadList,
    MemberPage,
)
from leadlists.models.records import Company, Person
from leadlists.repositories import keys, tenant_records
from leadlists.repositories import lead_lists as repo
from leadlists.services.lead_list_access import load
from leadlists.services.lead_list_summaries import summary

if TYPE_CHECKING:
    from leadlists.auth import Caller
    from leadlists.models.stored import LeadListRecord

# Tenant copies read at a time while filling a page (one BatchGetItem call's worth).
_COPY_BATCH = 100


class _Members(NamedTuple):
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


def _model(record: Mapping[str, Any], members: _Members, populated: bool = True) -> LeadList:
    companies = record["type"] == keys.COMPANY
    data = summary(record)
    data["companyIds"] = members.ids if companies else []
    data["personIds"] = [] if companies else members.ids
    data["membersNextToken"] = members.next_token
    if populated:
        data["companies" if companies else "persons"] = members.records
    return LeadList.model_validate(data)


def populated(
    org_id: str, record: LeadListRecord, known: Mapping[str, dict[str, Any]] | None = None
) -> LeadList:
    """The list with its first page of members' records (see `_members`)."""
    return _model(record, _members(org_id, record, MAX_MEMBERS_SHOWN, None, known))


def new(record: LeadListRecord) -> LeadList:
    """A list just created: no members, none populated."""
    return _model(record, _Members([], [], None), populated=False)


def get(caller: Caller, raw_id: str) -> LeadList:
    return populated(caller.org_id, load(caller, raw_id))


def members(caller: Caller, raw_id: str, limit: int | None, token: str | None) -> MemberPage:
    """A page of the list's members, with the access rules of `get`."""
    record = load(caller, raw_id)
    found = _members(caller.org_id, record, limit or DEFAULT_MEMBERS_PAGE, token)
    return MemberPage(items=found.records, nextToken=found.next_token)
