"""Races between a refresh run and the newer actions of a user: a save with a new filter, or a
delete, while the run computes, inline and fanned out. Every member write of a run is
conditional on the run still owning the list, so the list ends exactly as the newer action says:
the new filter's members only, or no item at all once the cleanup ran."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from conftest import ORG_A, drain_queue
from leadlists.config import settings
from leadlists.repositories import dynamo, keys
from leadlists.repositories import saved_lists as repo
from leadlists.services import cleanup, merge

US = {"countries": ["United States"]}
GERMANY = {"countries": ["Germany"]}


def _ids(persons: list[dict[str, Any]], country: str) -> list[str]:
    return sorted(p["id"] for p in persons if p["country"] == country)


def _partition(list_id: str) -> list[str]:
    """Sort keys of every item left in the list's partition."""
    request = dynamo.partition_query(
        settings().tenant_table, keys.PK, keys.saved_list(ORG_A, list_id)[keys.PK]
    )
    return [i[keys.SK] for i in dynamo.items("query", request)]


def _during(monkeypatch: pytest.MonkeyPatch, owner: Any, name: str, action: Callable[[], None]):
    """Run `action` once, just before the first call of owner.name (the run's member writes)."""
    real = getattr(owner, name)
    done: list[bool] = []

    def racing(*args: Any, **kwargs: Any) -> Any:
        if not done:
            done.append(True)
            action()
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, racing)
    return done


def _save(api: Any, flt: dict[str, Any], **extra: Any) -> dict[str, Any]:
    body = {"organizationId": ORG_A, "listName": "Raced", "contacts_found": 0, "filter": flt}
    status, saved, _ = api.post("/lists/save", {**body, **extra})
    assert status == 200, saved
    return saved


def _new_filter(api: Any, list_id: str) -> Callable[[], None]:
    def action() -> None:
        current = repo.get(ORG_A, list_id)
        assert current is not None
        _save(api, GERMANY, id=list_id, version=current["version"])

    return action


def _delete(api: Any, list_id: str) -> Callable[[], None]:
    def action() -> None:
        assert api.delete(f"/lists/{list_id}")[0] == 200

    return action


@pytest.fixture
def small_catalog(aws: dict[str, Any]) -> list[dict[str, Any]]:
    from leadlists_local.catalog import seed_catalog

    return list(seed_catalog(companies=10, persons=60, seed=3)["persons"])


@pytest.fixture
def inline(aws: dict[str, Any], small_catalog: list[dict[str, Any]]) -> dict[str, Any]:
    """A list whose US members are computed (inline: the catalog is within the budget)."""
    from conftest import Api, claims

    api = Api(claims())
    saved = _save(api, US)
    drain_queue(aws, "RefreshQueue", "RefreshWorkerFunction")
    assert sorted(repo.member_ids(ORG_A, saved["id"])) == _ids(small_catalog, "United States")
    return {"api": api, "list": saved, "persons": small_catalog}


def test_inline_refresh_raced_by_a_save_with_a_new_filter_leaves_only_the_new_members(
    inline, aws, monkeypatch
):
    api, list_id = inline["api"], inline["list"]["id"]
    # A refresh whose members would all go: the catalog now matches no one for it.
    from leadlists.repositories import catalog_scans

    real = catalog_scans.matching_persons
    monkeypatch.setattr(catalog_scans, "matching_persons", lambda *a, **k: iter(()))
    raced = _during(monkeypatch, repo, "write_members_owned", _new_filter(api, list_id))
    status, body, _ = api.post(f"/lists/refresh/{list_id}")
    assert raced and status == 200
    # The stale run wrote nothing: its removals did not land, the newer run owns the list.
    assert body["refreshStatus"] == "queued" and body["usedFilter"] == GERMANY
    assert sorted(repo.member_ids(ORG_A, list_id)) == _ids(inline["persons"], "United States")
    monkeypatch.setattr(catalog_scans, "matching_persons", real)
    drain_queue(aws, "RefreshQueue", "RefreshWorkerFunction")
    _, done, _ = api.get(f"/lists/{list_id}")
    assert done["refreshStatus"] == "idle"
    assert sorted(repo.member_ids(ORG_A, list_id)) == _ids(inline["persons"], "Germany")


def test_inline_refresh_raced_by_a_delete_leaves_no_item_behind(inline, aws, monkeypatch):
    api, list_id = inline["api"], inline["list"]["id"]
    monkeypatch.setattr(cleanup, "GRACE_SECONDS", 0)  # the cleanup message is not delayed
    # The run would add Germany's members on top: none of them may land after the delete.
    repo.update_fields(ORG_A, list_id, {"usedFilter": GERMANY})
    raced = _during(monkeypatch, repo, "write_members_owned", _delete(api, list_id))
    status, _, _ = api.post(f"/lists/refresh/{list_id}")
    assert raced and status == 404  # the list is gone; no 500
    left = {keys.member_id(sk) for sk in _partition(list_id)}
    assert left == set(_ids(inline["persons"], "United States"))  # none of the run's writes
    drain_queue(aws, "CleanupQueue", "CleanupFunction", rounds=20)
    assert _partition(list_id) == []  # no orphaned member item


# ------------------------------------------------------------------------------------- fan-out

FAN_OUT = {
    "RefreshQueue": "RefreshWorkerFunction",
    "RefreshSegmentQueue": "RefreshSegmentFunction",
    "TenantCopyQueue": "TenantCopyFunction",
}


def _run_queues(aws: dict[str, Any]) -> None:
    for _ in range(50):
        if not sum(drain_queue(aws, q, f, rounds=50) for q, f in FAN_OUT.items()):
            return
    raise AssertionError("queues never emptied")


@pytest.fixture
def fanned(
    aws: dict[str, Any], small_catalog: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> dict[str, Any]:
    """60 persons over 3 scan segments, merged 5 members a write: a list computed (US) by the
    fan-out, ready for a second run that the test races."""
    from conftest import Api, claims

    monkeypatch.setenv("SYNC_REFRESH_MAX_PERSONS", "10")
    monkeypatch.setenv("REFRESH_SEGMENT_SIZE", "20")
    settings.cache_clear()
    monkeypatch.setattr(merge, "MERGE_FLUSH", 5)
    persons = small_catalog
    api = Api(claims())
    saved = _save(api, US)
    _run_queues(aws)
    assert sorted(repo.member_ids(ORG_A, saved["id"])) == _ids(persons, "United States")
    # The next run would move the list to Germany's members, several merge writes.
    current = repo.get(ORG_A, saved["id"])
    assert current is not None
    repo.update_fields(ORG_A, saved["id"], {"usedFilter": GERMANY})
    assert api.post(f"/lists/refresh/{saved['id']}")[0] == 202
    return {"api": api, "list": saved, "persons": persons}


@pytest.mark.parametrize("newer", ["save", "delete"])
def test_fanned_out_run_raced_mid_merge_leaves_the_list_as_the_newer_action_says(
    fanned, aws, monkeypatch, newer
):
    api, list_id, persons = fanned["api"], fanned["list"]["id"], fanned["persons"]
    monkeypatch.setattr(cleanup, "GRACE_SECONDS", 0)  # the cleanup message is not delayed
    calls: list[int] = []
    real = repo.write_members_owned

    def second_write_raced(*args: Any, **kwargs: Any) -> bool:
        calls.append(1)
        if len(calls) == 2:  # mid-merge: the first write of the run landed
            if newer == "save":
                current = repo.get(ORG_A, list_id)
                assert current is not None
                _save(api, {"countries": ["France"]}, id=list_id, version=current["version"])
            else:
                assert api.delete(f"/lists/{list_id}")[0] == 200
        return real(*args, **kwargs)

    monkeypatch.setattr(repo, "write_members_owned", second_write_raced)
    _run_queues(aws)
    assert len(calls) >= 2
    if newer == "save":
        _, body, _ = api.get(f"/lists/{list_id}")
        assert body["refreshStatus"] == "idle" and body["usedFilter"] == {"countries": ["France"]}
        want = _ids(persons, "France")
        assert sorted(repo.member_ids(ORG_A, list_id)) == want
        assert body["contactsNum"] == len(want)
    else:
        assert api.get(f"/lists/{list_id}")[0] == 404
        drain_queue(aws, "CleanupQueue", "CleanupFunction", rounds=20)
        assert _partition(list_id) == []  # no member item outlives the delete
