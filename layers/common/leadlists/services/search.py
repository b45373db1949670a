"""Searches over the global catalog, and resolving a bulk selection against one.

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

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from leadlists import clock, tokens
from leadlists.auth import Caller
from leadlists.config import settings
from leadlists.errors import Conflict, FieldError, Invalid, NotFound
from leadlists.filters import Filter
from leadlists.filters.companies import check_company_filter
from leadlists.models.common import MAX_IDS, parse_uuid, unique
from leadlists.models.lead_lists import Selection
from leadlists.models.records import Company, Person
from leadlists.models.search import (
    CompanySearchPage,
    PersonSearchPage,
    SearchRequest,
    SearchStarted,
    SearchState,
)
from leadlists.models.stored import SearchHead
from leadlists.repositories import catalog, keys, searches
from leadlists.services import search_fanout
from leadlists.status import SearchStatus

LIFETIME = timedelta(hours=24)
SCAN_SEGMENTS = 4
# Seed limit: a bulk selection adds at most this many prospects.
MAX_SELECTION = MAX_IDS

SearchPage = PersonSearchPage | CompanySearchPage
KIND_NAMES = {keys.PERSON: "prospects", keys.COMPANY: "companies"}
STATS_FIELD = {keys.PERSON: "persons", keys.COMPANY: "companies"}
# A match-item cursor holds a catalog id; longer than any id the catalog stores is malformed.
_MAX_CURSOR = 200


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
    return _page(kind, head, first, _encode(head["id"], len(first)) if more else None)


def _matching(kind: str, flt: Filter) -> list[dict[str, Any]]:
    """Every catalog match, by parallel scan segments, sorted by id (the snapshot's order)."""
    find = catalog.matching_persons if kind == keys.PERSON else catalog.matching_companies
    with ThreadPoolExecutor(SCAN_SEGMENTS) as pool:
        parts = pool.map(lambda seg: list(find(flt, seg, SCAN_SEGMENTS)), range(SCAN_SEGMENTS))
        matched = [record for part in parts for record in part]
    return sorted(matched, key=lambda r: r["id"])


def _page(
    kind: str, head: SearchHead, records: list[dict[str, Any]], token: str | None
) -> SearchPage:
    total = int(head["total"])
    if kind == keys.PERSON:
        people = [Person.model_validate(r) for r in records]
        return PersonSearchPage(searchId=head["id"], total=total, results=people, nextToken=token)
    companies = [Company.model_validate(r) for r in records]
    return CompanySearchPage(searchId=head["id"], total=total, results=companies, nextToken=token)


def _next_page(caller: Caller, kind: str, request: SearchRequest) -> SearchPage:
    cursor = _decode(request.nextToken or "")
    head = searches.get(caller.org_id, cursor[0], _now_epoch())
    if head is None or head["kind"] != kind:
        raise tokens.invalid("Unknown or expired search")
    if request.filter is not None and request.filter.used() != head["filter"]:
        raise Invalid(
            "The filter differs from the search this nextToken continues",
            [FieldError("filter", "Does not match the search of nextToken")],
        )
    _require_complete(head, "nextToken")
    return _read_page(caller.org_id, head, cursor, request.pageSize)


def _read_page(
    org_id: str, head: SearchHead, cursor: tuple[str, int | str | None], size: int
) -> SearchPage:
    """The page of a complete search at `cursor` (None: its first page); records that have left
    the catalog since the search are skipped."""
    position = cursor[1]
    if head.get("storage") == searches.MATCH_ITEMS:
        if isinstance(position, int):
            raise tokens.invalid()
        ids = searches.match_page(org_id, head["id"], position, size + 1)
        token = _encode(head["id"], ids[size - 1]) if len(ids) > size else None
        ids = ids[:size]
    else:
        offset = position or 0
        if not isinstance(offset, int) or offset > int(head["total"]):
            raise tokens.invalid()
        ids = searches.id_slice(org_id, head, offset, size)
        # No ids means no more snapshot to read: end the paging rather than loop on one offset.
        following = offset + len(ids) if ids else int(head["total"])
        token = _encode(head["id"], following) if following < int(head["total"]) else None
    found = catalog.get_records(head["kind"], ids)
    return _page(head["kind"], head, [found[i] for i in ids if i in found], token)


def _require_complete(head: SearchHead, field: str) -> None:
    """A running search has no pages yet (409); a failed one never will (400)."""
    status = head.get("status", SearchStatus.COMPLETE)
    if status == SearchStatus.RUNNING:
        raise Conflict(
            "The search is still running; GET it until its status is complete",
            [FieldError(field, "Search still running")],
        )
    if status == SearchStatus.FAILED:
        raise Invalid("The search failed; search again", [FieldError(field, "Search failed")])


def state(caller: Caller, search_id: str, next_token: str | None, size: int) -> SearchState:
    """GET /api/v1/search/{searchId}: a search's status and, once complete, a page of it."""
    canonical = parse_uuid(search_id)
    if canonical is None:
        raise Invalid("Invalid search id", [FieldError("searchId", "Not a search id")])
    cursor: tuple[str, int | str | None] = (canonical, None)
    if next_token:
        cursor = _decode(next_token)
        if cursor[0] != canonical:
            raise tokens.invalid("The nextToken belongs to another search")
    head = searches.get(caller.org_id, canonical, _now_epoch())
    if head is None:
        raise NotFound("Unknown or expired search")
    status = head.get("status", SearchStatus.COMPLETE)
    answer = SearchState.model_validate(
        {"searchId": canonical, "status": status, "kind": KIND_NAMES[head["kind"]]}
    )
    if status != SearchStatus.COMPLETE:
        return answer
    page = _read_page(caller.org_id, head, cursor, size)
    return answer.model_copy(
        update={"total": page.total, "results": page.results, "nextToken": page.nextToken}
    )


def _now_epoch() -> int:
    return int(clock.now().timestamp())


def _encode(search_id: str, position: int | str) -> str:
    """A page cursor: an offset into chunks ("o"), or the last match-item id shown ("a")."""
    return tokens.encode({"s": search_id, ("o" if isinstance(position, int) else "a"): position})


def _decode(token: str) -> tuple[str, int | str]:
    data = tokens.decode(token)
    if not isinstance(data, dict) or not isinstance(data.get("s"), str) or len(data) != 2:
        raise tokens.invalid()
    search_id = parse_uuid(data["s"])
    offset, after = data.get("o"), data.get("a")
    if search_id is None:
        raise tokens.invalid()
    if type(offset) is int and offset >= 0:
        return search_id, offset
    if isinstance(after, str) and 0 < len(after) <= _MAX_CURSOR:
        return search_id, after
    raise tokens.invalid()


@dataclass(frozen=True)
class Picked:
    """A selection's prospect ids; for `selectAll`, the offset the next call continues at (None
    once the end is reached; `by_ids` selections have none)."""

    ids: list[str]
    next_offset: int | None = None
    by_ids: bool = False


def resolve_selection(org_id: str, selection: Selection) -> Picked:
    """The prospect ids a bulk selection picks, or a 400 saying why it cannot be used."""
    head = searches.get(org_id, selection.searchId, _now_epoch())
    if head is None:
        raise Invalid(
            "Unknown or expired search",
            [FieldError("selection.searchId", "Unknown or expired search; search again")],
        )
    _require_complete(head, "selection.searchId")
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
        return Picked(ids, by_ids=True)
    return _select_all(searches.all_ids(org_id, head), selection)


def _select_all(results: Iterator[str], selection: Selection) -> Picked:
    """`selectAll`: the search's results in its stable order, minus `excludeIds`, from `offset`,
    up to `limit`; one more result is read to know whether a next call has anything to take."""
    excluded = set(selection.excludeIds or ())
    offset = selection.offset or 0
    cap = selection.limit or MAX_SELECTION
    eligible = (i for i in results if i not in excluded)
    picked: list[str] = []
    for position, i in enumerate(eligible):
        if position < offset:
            continue
        if len(picked) == cap:
            if selection.limit is None:
                raise Invalid(
                    f"The selection resolves to more than {MAX_SELECTION} prospects",
                    [
                        FieldError(
                            "selection",
                            f"At most {MAX_SELECTION} prospects; set a limit (and an offset to "
                            "continue) or exclude ids",
                        )
                    ],
                )
            return Picked(picked, offset + len(picked))
        picked.append(i)
    return Picked(picked)


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
