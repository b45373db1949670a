"""Searches over the global catalog, and resolving a bulk selection against one.

Design: a search is evaluated once, in full (the exact `total` needs every match anyway), and its
matched ids are snapshotted, sorted, in chunk items next to the search (repositories/searches.py),
all expiring after 24 hours through the table's TTL. Pages, `ids` checks and `selectAll` then read
that snapshot rather than re-evaluating the filter, so a selection picks exactly what the caller
was shown and counted, however the catalog changes meanwhile; `ids` checks read only the chunks
that can hold them, and `selectAll` stops reading as soon as its answer is known.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from leadlists import clock, tokens
from leadlists.auth import Caller
from leadlists.errors import FieldError, Invalid
from leadlists.filters import Filter
from leadlists.filters.companies import check_company_filter
from leadlists.models.common import MAX_IDS, parse_uuid
from leadlists.models.lead_lists import Selection, unique
from leadlists.models.records import Company, Person
from leadlists.models.search import CompanySearchPage, PersonSearchPage, SearchRequest
from leadlists.models.stored import SearchHead
from leadlists.repositories import catalog, keys, searches

LIFETIME = timedelta(hours=24)
SCAN_SEGMENTS = 4
# Seed limit: a bulk selection adds at most this many prospects.
MAX_SELECTION = MAX_IDS

SearchPage = PersonSearchPage | CompanySearchPage


def search(caller: Caller, kind: str, request: SearchRequest) -> SearchPage:
    """POST /api/v1/search/{prospects|companies}: a new search, or the next page of one."""
    caller.require_own_org(request.organizationId)
    if request.nextToken is not None:
        return _next_page(caller, kind, request)
    flt = request.filter
    if flt is None:  # the model guarantees one of filter / nextToken
        raise Invalid("Request validation failed", [FieldError("filter", "Field required")])
    if kind == keys.COMPANY:
        check_company_filter(flt)
    matched = _matching(kind, flt)
    moment = clock.now()
    head = searches.save(
        caller.org_id,
        {
            "id": clock.new_id(),
            "kind": kind,
            "filter": flt.used(),
            "total": len(matched),
            "createdAt": clock.iso(moment),
            "createdBy": caller.user_id,
            "expiresAt": int((moment + LIFETIME).timestamp()),
        },
        [r["id"] for r in matched],
    )
    first = matched[: request.pageSize]
    return _page(kind, head, first, len(first))


def _matching(kind: str, flt: Filter) -> list[dict[str, Any]]:
    """Every catalog match, by parallel scan segments, sorted by id (the snapshot's order)."""
    find = catalog.matching_persons if kind == keys.PERSON else catalog.matching_companies
    with ThreadPoolExecutor(SCAN_SEGMENTS) as pool:
        parts = pool.map(lambda seg: list(find(flt, seg, SCAN_SEGMENTS)), range(SCAN_SEGMENTS))
        matched = [record for part in parts for record in part]
    return sorted(matched, key=lambda r: r["id"])


def _page(
    kind: str, head: SearchHead, records: list[dict[str, Any]], next_offset: int
) -> SearchPage:
    """One page; `next_offset` is where the next page starts in the snapshot (it advances past
    ids whose record has left the catalog since the search)."""
    total = int(head["total"])
    token = _encode(head["id"], next_offset) if next_offset < total else None
    if kind == keys.PERSON:
        people = [Person.model_validate(r) for r in records]
        return PersonSearchPage(searchId=head["id"], total=total, results=people, nextToken=token)
    companies = [Company.model_validate(r) for r in records]
    return CompanySearchPage(searchId=head["id"], total=total, results=companies, nextToken=token)


def _next_page(caller: Caller, kind: str, request: SearchRequest) -> SearchPage:
    search_id, offset = _decode(request.nextToken or "")
    head = searches.get(caller.org_id, search_id, _now_epoch())
    if head is None or head["kind"] != kind or offset > int(head["total"]):
        raise tokens.invalid("Unknown or expired search")
    if request.filter is not None and request.filter.used() != head["filter"]:
        raise Invalid(
            "The filter differs from the search this nextToken continues",
            [FieldError("filter", "Does not match the search of nextToken")],
        )
    ids = searches.id_slice(caller.org_id, head, offset, request.pageSize)
    found = catalog.get_records(kind, ids)
    # No ids means no more snapshot to read: end the paging rather than loop on one offset.
    next_offset = offset + len(ids) if ids else int(head["total"])
    return _page(kind, head, [found[i] for i in ids if i in found], next_offset)


def _now_epoch() -> int:
    return int(clock.now().timestamp())


def _encode(search_id: str, offset: int) -> str:
    return tokens.encode({"s": search_id, "o": offset})


def _decode(token: str) -> tuple[str, int]:
    data = tokens.decode(token)
    if not isinstance(data, dict) or not isinstance(data.get("s"), str):
        raise tokens.invalid()
    search_id, offset = parse_uuid(data["s"]), data.get("o")
    if search_id is None or type(offset) is not int or offset < 0:
        raise tokens.invalid()
    return search_id, offset


def resolve_selection(org_id: str, selection: Selection) -> list[str]:
    """The prospect ids a bulk selection picks, or a 400 saying why it cannot be used."""
    head = searches.get(org_id, selection.searchId, _now_epoch())
    if head is None:
        raise Invalid(
            "Unknown or expired search",
            [FieldError("selection.searchId", "Unknown or expired search; search again")],
        )
    if head["kind"] != keys.PERSON:
        raise Invalid(
            "Not a prospect search",
            [FieldError("selection.searchId", "A selection needs a search of prospects")],
        )
    if selection.ids is not None:
        ids = unique(selection.ids)
        found = searches.contained(org_id, head, ids)
        details = [
            FieldError(f"selection.ids.{n}", "Not a result of this search")
            for n, i in enumerate(selection.ids)
            if i not in found
        ]
        if details:
            raise Invalid("Selected ids are not results of this search", details)
        return ids
    excluded = set(selection.excludeIds or ())
    picked: list[str] = []
    for i in searches.all_ids(org_id, head):
        if i in excluded:
            continue
        picked.append(i)
        if len(picked) > MAX_SELECTION:
            raise Invalid(
                f"The selection resolves to more than {MAX_SELECTION} prospects",
                [
                    FieldError(
                        "selection",
                        f"At most {MAX_SELECTION} prospects; exclude ids or set a limit",
                    )
                ],
            )
        if selection.limit is not None and len(picked) >= selection.limit:
            break
    return picked


def prospects(caller: Caller, request: SearchRequest) -> PersonSearchPage:
    page = search(caller, keys.PERSON, request)
    if not isinstance(page, PersonSearchPage):  # search() answers the page type of its kind
        raise TypeError(type(page).__name__)
    return page


def companies(caller: Caller, request: SearchRequest) -> CompanySearchPage:
    page = search(caller, keys.COMPANY, request)
    if not isinstance(page, CompanySearchPage):  # search() answers the page type of its kind
        raise TypeError(type(page).__name__)
    return page
