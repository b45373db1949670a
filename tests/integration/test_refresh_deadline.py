"""An inline refresh that would outlive its request hands over to the queue: the client gets
202 (never a timeout), the list is queued under the same run, and the consumer completes it."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import ORG_A, drain_queue
from leadlists import deadline as deadline_module
from leadlists.deadline import Deadline
from leadlists.repositories import saved_lists as repo

US = {"countries": ["United States"]}


def _saved(api, aws) -> dict[str, Any]:
    body = {"organizationId": ORG_A, "listName": "US", "contacts_found": 0, "filter": US}
    _, created, _ = api.post("/lists/save", body)
    drain_queue(aws, "RefreshQueue", "RefreshWorkerFunction")  # the save's own computation
    return created


def _expected(catalog: dict) -> set[str]:
    return {p["id"] for p in catalog["persons"] if p["country"] == "United States"}


def _members(list_id: str) -> set[str]:
    return repo.member_ids(ORG_A, list_id)


def _clock(monkeypatch: pytest.MonkeyPatch, plenty_for: int) -> None:
    """Every request's Lambda context: plenty of time for `plenty_for` checks, then none."""
    calls = {"n": 0}

    def remaining() -> int:
        calls["n"] += 1
        return 60_000 if calls["n"] <= plenty_for else 0

    monkeypatch.setattr(Deadline, "of", classmethod(lambda cls, _ctx: cls(remaining)))


@pytest.mark.parametrize("plenty_for", [0, 2, 5])
def test_a_refresh_short_of_time_answers_202_and_the_queue_completes_it(
    api, aws, catalog, monkeypatch, plenty_for
):
    # The run checks at its start, at the first match of each of its 4 scan segments (this
    # catalog has fewer than 200 matches a segment), and before its writes: 0 runs out before
    # the scan, 2 during it, 5 before the writes.
    created = _saved(api, aws)
    repo.write_members(ORG_A, created["id"], add=[], remove=_members(created["id"]))
    _clock(monkeypatch, plenty_for)
    status, body, _ = api.post(f"/lists/refresh/{created['id']}")
    assert status == 202, body
    assert body["refreshStatus"] == "queued"
    assert _members(created["id"]) == set()  # nothing written before the hand-over
    assert drain_queue(aws, "RefreshQueue", "RefreshWorkerFunction") == 1
    _, done, _ = api.get(f"/lists/{created['id']}")
    assert done["refreshStatus"] == "idle"
    assert done["contactsNum"] == len(_expected(catalog))
    assert _members(created["id"]) == _expected(catalog)


def test_writes_that_would_not_fit_are_not_started(api, aws, catalog, monkeypatch):
    created = _saved(api, aws)
    repo.write_members(ORG_A, created["id"], add=[], remove=_members(created["id"]))
    # Time enough to scan, never enough for the estimated writes.
    monkeypatch.setattr(deadline_module, "RESERVE_MS", 1000)
    monkeypatch.setattr("leadlists.services.refresh.WRITE_CALL_MS", 10**9)
    status, body, _ = api.post(f"/lists/refresh/{created['id']}")
    assert status == 202 and body["refreshStatus"] == "queued"
    assert _members(created["id"]) == set()  # handed over before any member write


def test_a_refresh_with_time_to_spare_stays_inline(api, aws, catalog):
    created = _saved(api, aws)
    status, body, _ = api.post(f"/lists/refresh/{created['id']}")
    assert status == 200 and body["refreshStatus"] == "idle"
    assert body["contactsNum"] == len(_expected(catalog))
