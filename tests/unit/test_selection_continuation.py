"""A `selectAll` selection continues where the previous one stopped: a 15,000-result search is
taken 1,000 at a time in 15 calls, each result once (the search repository is faked)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import ValidationError

from leadlists.errors import Invalid
from leadlists.models.lead_lists import Selection
from leadlists.repositories import keys
from leadlists.services import search_selection
from leadlists.status import SearchStatus

SEARCH_ID = str(uuid.UUID(int=1))
RESULTS = sorted(str(uuid.UUID(int=n + 100)) for n in range(15_000))


@pytest.fixture
def snapshot(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """A complete prospect search whose snapshot holds RESULTS (in its sorted order)."""
    head = {"id": SEARCH_ID, "kind": keys.PERSON, "status": SearchStatus.COMPLETE}
    results = list(RESULTS)

    def all_ids(org_id: str, _head: Any) -> Iterator[str]:
        yield from results

    monkeypatch.setattr(search_selection.searches, "get", lambda org, sid, now: head)
    monkeypatch.setattr(search_selection.searches, "all_ids", all_ids)
    return results


def select(**fields: Any) -> search_selection.Picked:
    selection = Selection.model_validate({"searchId": SEARCH_ID, "selectAll": True, **fields})
    return search_selection.resolve_selection("org_a", selection)


def test_15000_results_are_taken_in_15_calls_each_once(snapshot: list[str]) -> None:
    taken: list[str] = []
    offset: int | None = 0
    calls = 0
    while offset is not None:
        picked = select(limit=1000, offset=offset)
        taken += picked.ids
        offset = picked.next_offset
        calls += 1
    assert calls == 15
    assert taken == snapshot  # every result once, in the search's order


def test_the_offset_counts_after_the_exclusions(snapshot: list[str]) -> None:
    excluded = snapshot[0:10:2]  # 5 of the first 10
    first = select(limit=3, excludeIds=excluded)
    second = select(limit=3, excludeIds=excluded, offset=first.next_offset)
    remaining = [i for i in snapshot if i not in excluded]
    assert first.ids + second.ids == remaining[:6]
    assert (first.next_offset, second.next_offset) == (3, 6)


def test_the_last_call_ends_the_selection(snapshot: list[str]) -> None:
    picked = select(limit=1000, offset=14_500)
    assert picked.ids == snapshot[14_500:] and picked.next_offset is None
    past = select(limit=10, offset=20_000)
    assert past.ids == [] and past.next_offset is None
    exact = select(limit=500, offset=14_500)  # exactly what is left: nothing to continue
    assert len(exact.ids) == 500 and exact.next_offset is None


def test_without_a_limit_more_than_1000_is_refused(snapshot: list[str]) -> None:
    with pytest.raises(Invalid, match="1000"):
        select()
    assert select(offset=14_200).ids == snapshot[14_200:]


@pytest.mark.parametrize(
    "fields",
    [{"limit": 1001}, {"limit": 0}, {"offset": -1}, {"offset": 1.5}],
)
def test_limit_is_capped_at_1000_and_offset_is_a_count(fields: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        Selection.model_validate({"searchId": SEARCH_ID, "selectAll": True, **fields})


def test_offset_belongs_to_select_all() -> None:
    with pytest.raises(ValidationError, match="offset"):
        Selection.model_validate({"searchId": SEARCH_ID, "ids": [SEARCH_ID], "offset": 3})
