"""Searches over the global catalog (resolving a bulk selection against one: `search_selection`).

Design: a search is evaluated once, in full (the exact `total` needs every match anyway), and its
matched ids are snapshotted, sorted, in chunk items next to the search (repositories/searches.py),
all expiring after 24 hours through the table's TTL. Pages, `ids` checks and `selectAll` then read
that snapshot rather than re-evaluating the filter, so a selection picks exactly what the caller
was shown and counted, however the catalog changes meanwhile; `ids` checks read only the chunks
that can hold them, and `selectAll` stops reading as soon as its answer is known.

No request scans more of the catalog than the synchronous budget (`sync_refresh_max_persons`,
the refresh's): beyond it a search answers 202 `running` and the refresh segment workers complete
it (services/search_fanout.py), storing one item per matched id instead of chunks; the head's
`storage` says which, and both read the same way here. Chunk pages resume at an offset, match-item
pages after the last id shown.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from leadlists import clock, tokens
from leadlists.auth import Caller
from leadlists.config import settings
from leadlists.errors import FieldError, Invalid
from leadlists.filters.companies import check_company_filter
from leadlists.filters.model import Filter
from leadlists.models.search import SearchRequest, SearchStarted
from leadlists.models.search_pages import CompanySearchPage, PersonSearchPage
from leadlists.models.stored import SearchHead
from leadlists.repositories import catalog, catalog_scans, keys, searches
from leadlists.services import search_fanout
from leadlists.services.search_results import (
    SearchPage,
    decode,
    encode,
    now_epoch,
    page_of,
    read_page,
    require_complete,
)
from leadlists.status import SearchStatus

LIFETIME = timedelta(hours=24)
SCAN_SEGMENTS = 4
STATS_FIELD = {keys.PERSON: "persons", keys.COMPANY: "companies"}


def search(caller: Caller, kind: str, request: SearchRequest) -> SearchPage | SearchStarted:
    """POST /api/v1/search/{prospects|companies}: a new search, or the next page of one."""
    caller.require_own_org(request.organizationId)
    if request.nextToken is not None:
        return _next_page(caller, kind, request)
    flt = request.filter
    if flt is None:  # the model guarantees one of filter / nextToken
        raise Invalid("Request validation failed", [FieldError("filter", "Field required")])
    if kind == keys.COMPANY:
        check_company_filter(flt)
    moment = clock.now()
    record: SearchHead = {
        "id": clock.new_id(),
        "kind": kind,
        "total": 0,  # counted below, or by the segment workers
        "filter": flt.used(),
        "createdAt": clock.iso(moment),
        "createdBy": caller.user_id,
        "expiresAt": int((moment + LIFETIME).timestamp()),
    }
    size = catalog.stats()[STATS_FIELD[kind]]
    if size > settings().sync_refresh_max_persons:
        head = search_fanout.start(caller.org_id, record, size)
        return SearchStarted(searchId=head["id"])
    matched = _matching(kind, flt)
    head = searches.save(
        caller.org_id,
        {**record, "status": SearchStatus.COMPLETE, "total": len(matched)},
        [r["id"] for r in matched],
    )
    first = matched[: request.pageSize]
    more = len(first) < len(matched)
    return page_of(kind, head, first, encode(head["id"], len(first)) if more else None)


def _matching(kind: str, flt: Filter) -> list[dict[str, Any]]:
    """Every catalog match, by parallel scan segments, sorted by id (the snapshot's order)."""
    scans = catalog_scans
    find = scans.matching_persons if kind == keys.PERSON else scans.matching_companies
    with ThreadPoolExecutor(SCAN_SEGMENTS) as pool:
        parts = pool.map(lambda seg: list(find(flt, seg, SCAN_SEGMENTS)), range(SCAN_SEGMENTS))
        matched = [record for part in parts for record in part]
    return sorted(matched, key=lambda r: r["id"])


def _next_page(caller: Caller, kind: str, request: SearchRequest) -> SearchPage:
    cursor = decode(request.nextToken or "")
    head = searches.get(caller.org_id, cursor[0], now_epoch())
    if head is None or head["kind"] != kind:
        raise tokens.invalid("Unknown or expired search")
    if request.filter is not None and request.filter.used() != head["filter"]:
        raise Invalid(
            "The filter differs from the search this nextToken continues",
            [FieldError("filter", "Does not match the search of nextToken")],
        )
    require_complete(head, "nextToken")
    return read_page(caller.org_id, head, cursor, request.pageSize)


def prospects(caller: Caller, request: SearchRequest) -> PersonSearchPage | SearchStarted:
    page = search(caller, keys.PERSON, request)
    if isinstance(page, CompanySearchPage):  # search() answers the page type of its kind
        raise TypeError(type(page).__name__)
    return page


def companies(caller: Caller, request: SearchRequest) -> CompanySearchPage | SearchStarted:
    page = search(caller, keys.COMPANY, request)
    if isinstance(page, PersonSearchPage):  # search() answers the page type of its kind
        raise TypeError(type(page).__name__)
    return page
