"""Reading a stored search (see `search` for the design): its state and, once complete, its
pages, as GET /api/v1/search/{searchId} and a search's next page answer them."""

from __future__ import annotations

from typing import Any

from leadlists import clock, tokens
from leadlists.auth import Caller
from leadlists.errors import Conflict, FieldError, Invalid, NotFound
from leadlists.models.common import parse_uuid
from leadlists.models.records import Company, Person
from leadlists.models.search_pages import CompanySearchPage, PersonSearchPage, SearchState
from leadlists.models.stored import SearchHead
from leadlists.repositories import catalog, keys, searches
from leadlists.status import SearchStatus

SearchPage = PersonSearchPage | CompanySearchPage
KIND_NAMES = {keys.PERSON: "prospects", keys.COMPANY: "companies"}
# A match-item cursor holds a catalog id; longer than any id the catalog stores is malformed.
_MAX_CURSOR = 200


def page_of(
    kind: str, head: SearchHead, records: list[dict[str, Any]], token: str | None
) -> SearchPage:
    total = int(head["total"])
    if kind == keys.PERSON:
        people = [Person.model_validate(r) for r in records]
        return PersonSearchPage(searchId=head["id"], total=total, results=people, nextToken=token)
    companies = [Company.model_validate(r) for r in records]
    return CompanySearchPage(searchId=head["id"], total=total, results=companies, nextToken=token)


def read_page(
    org_id: str, head: SearchHead, cursor: tuple[str, int | str | None], size: int
) -> SearchPage:
    """The page of a complete search at `cursor` (None: its first page); records that have left
    the catalog since the search are skipped."""
    position = cursor[1]
    if head.get("storage") == searches.MATCH_ITEMS:
        if isinstance(position, int):
            raise tokens.invalid()
        ids = searches.match_page(org_id, head["id"], position, size + 1)
        token = encode(head["id"], ids[size - 1]) if len(ids) > size else None
        ids = ids[:size]
    else:
        offset = position or 0
        if not isinstance(offset, int) or offset > int(head["total"]):
            raise tokens.invalid()
        ids = searches.id_slice(org_id, head, offset, size)
        # No ids means no more snapshot to read: end the paging rather than loop on one offset.
        following = offset + len(ids) if ids else int(head["total"])
        token = encode(head["id"], following) if following < int(head["total"]) else None
    found = catalog.get_records(head["kind"], ids)
    return page_of(head["kind"], head, [found[i] for i in ids if i in found], token)


def require_complete(head: SearchHead, field: str) -> None:
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
        cursor = decode(next_token)
        if cursor[0] != canonical:
            raise tokens.invalid("The nextToken belongs to another search")
    head = searches.get(caller.org_id, canonical, now_epoch())
    if head is None:
        raise NotFound("Unknown or expired search")
    status = head.get("status", SearchStatus.COMPLETE)
    answer = SearchState.model_validate(
        {"searchId": canonical, "status": status, "kind": KIND_NAMES[head["kind"]]}
    )
    if status != SearchStatus.COMPLETE:
        return answer
    page = read_page(caller.org_id, head, cursor, size)
    return answer.model_copy(
        update={"total": page.total, "results": page.results, "nextToken": page.nextToken}
    )


def now_epoch() -> int:
    return int(clock.now().timestamp())


def encode(search_id: str, position: int | str) -> str:
    """A page cursor: an offset into chunks ("o"), or the last match-item id shown ("a")."""
    return tokens.encode({"s": search_id, ("o" if isinstance(position, int) else "a"): position})


def decode(token: str) -> tuple[str, int | str]:
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
