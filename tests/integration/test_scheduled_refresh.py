"""Scheduled refresh: the EventBridge-invoked scheduler queues due auto-updated lists (found via
the sparse DueForRefresh index, never a scan), and a completed refresh moves the schedule on."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from conftest import ORG_A, ORG_B, drain_queue
from leadlists.clock import iso, now
from leadlists.config import settings
from leadlists.repositories import dynamo
from leadlists.repositories import saved_lists as repo
from leadlists_local import lambdas

GERMANY = {"countries": ["Germany"]}


def save(api, name: str, auto: bool, org: str = ORG_A) -> dict[str, Any]:
    body = {
        "organizationId": org,
        "listName": name,
        "contacts_found": 0,
        "filter": GERMANY,
        "autoUpdate": auto,
    }
    client = api if org == ORG_A else api.as_(org=org)
    status, saved, _ = client.post("/lists/save", body)
    assert status == 200, saved
    return saved


def set_next_refresh(org: str, list_id: str, moment: str) -> None:
    record = repo.get(org, list_id)
    due_set, due_remove = repo.schedule_fields({**record, "nextRefreshAt": moment})
    assert repo.update_fields(org, list_id, {"nextRefreshAt": moment, **due_set}, remove=due_remove)


def fire_schedule() -> dict[str, int]:
    return lambdas.invoke("RefreshSchedulerFunction", lambdas.scheduled_event("every-15-minutes"))


@pytest.fixture
def no_scans(monkeypatch: pytest.MonkeyPatch) -> None:
    """The scheduler must read the index, never scan the tenant table (refreshes themselves
    scan the global catalog, as they should)."""
    client = dynamo.client()
    real = client.scan

    def scan(**request: Any) -> Any:
        assert request["TableName"] != settings().tenant_table, "tenant table scan"
        return real(**request)

    monkeypatch.setattr(client, "scan", scan)


def test_due_auto_lists_are_refreshed_others_are_not(api, catalog, aws, no_scans):
    due = save(api, "Due", auto=True)
    disabled = save(api, "Disabled", auto=False)
    later = save(api, "Not yet due", auto=True)
    other_org = save(api, "Theirs, due", auto=True, org=ORG_B)
    drain_queue(aws, "RefreshQueue", "RefreshWorkerFunction")  # first computations
    past = iso(now() - timedelta(minutes=5))
    for org, saved in ((ORG_A, due), (ORG_B, other_org)):
        set_next_refresh(org, saved["id"], past)
    set_next_refresh(ORG_A, later["id"], iso(now() + timedelta(hours=3)))
    before = {s["id"]: repo.get(o, s["id"]) for o, s in
              ((ORG_A, due), (ORG_A, disabled), (ORG_A, later), (ORG_B, other_org))}  # fmt: skip

    assert fire_schedule() == {"queued": 2, "skipped": 0}
    assert repo.get(ORG_A, due["id"])["refreshStatus"] == "queued"
    assert drain_queue(aws, "RefreshQueue", "RefreshWorkerFunction") == 1  # two messages

    for org, saved in ((ORG_A, due), (ORG_B, other_org)):
        after = repo.get(org, saved["id"])
        assert after["refreshStatus"] == "idle"
        assert after["lastSyncedTime"] > before[saved["id"]]["lastSyncedTime"]
        assert after["nextRefreshAt"] > iso(now() + timedelta(hours=23))  # moved a day on
    for saved in (disabled, later):
        assert repo.get(ORG_A, saved["id"]) == before[saved["id"]]
    assert fire_schedule() == {"queued": 0, "skipped": 0}  # nothing due any more


def test_running_or_queued_lists_are_skipped(api, catalog, aws):
    running = save(api, "Running", auto=True)
    queued = save(api, "Queued", auto=True)
    drain_queue(aws, "RefreshQueue", "RefreshWorkerFunction")
    past = iso(now() - timedelta(minutes=1))
    for saved in (running, queued):
        set_next_refresh(ORG_A, saved["id"], past)
    from leadlists.services import refresh_leases

    assert refresh_leases.claim(ORG_A, running["id"], "someone-else", from_queue=False)
    assert refresh_leases.mark_queued(ORG_A, queued["id"])
    run_ids = {s["id"]: repo.get(ORG_A, s["id"])["refreshRunId"] for s in (running, queued)}
    assert fire_schedule() == {"queued": 0, "skipped": 2}
    for saved in (running, queued):
        assert repo.get(ORG_A, saved["id"])["refreshRunId"] == run_ids[saved["id"]]


def test_disabling_auto_update_leaves_the_index(api, catalog, aws):
    saved = save(api, "Toggle", auto=True)
    drain_queue(aws, "RefreshQueue", "RefreshWorkerFunction")
    set_next_refresh(ORG_A, saved["id"], iso(now() - timedelta(minutes=1)))
    current = repo.get(ORG_A, saved["id"])
    body = {"organizationId": ORG_A, "listName": "Toggle", "contacts_found": 0,
            "filter": GERMANY, "autoUpdate": False, "id": saved["id"],
            "version": current["version"]}  # fmt: skip
    assert api.post("/lists/save", body)[0] == 200
    assert list(repo.due_lists(iso(now()))) == []
    assert fire_schedule() == {"queued": 0, "skipped": 0}


def test_scheduled_fan_out_refresh_moves_the_schedule_on(api, catalog, aws, monkeypatch):
    saved = save(api, "Big", auto=True)
    drain_queue(aws, "RefreshQueue", "RefreshWorkerFunction")
    monkeypatch.setenv("SYNC_REFRESH_MAX_PERSONS", "10")
    monkeypatch.setenv("REFRESH_SEGMENT_SIZE", "200")
    settings.cache_clear()
    set_next_refresh(ORG_A, saved["id"], iso(now() - timedelta(minutes=1)))
    assert fire_schedule()["queued"] == 1
    for _ in range(4):
        drain_queue(aws, "RefreshQueue", "RefreshWorkerFunction")
        drain_queue(aws, "RefreshSegmentQueue", "RefreshSegmentFunction")
        drain_queue(aws, "TenantCopyQueue", "TenantCopyFunction")
    after = repo.get(ORG_A, saved["id"])
    assert after["refreshStatus"] == "idle"
    assert after["nextRefreshAt"] > iso(now() + timedelta(hours=23))
    assert after["contactsNum"] == sum(1 for p in catalog["persons"] if p["country"] == "Germany")
    assert list(repo.due_lists(iso(now()))) == []


# --------------------------------------------------- the schedule follows the list as it is now


def _due_ids(moment: str) -> set[str]:
    return {list_id for _, list_id in repo.due_lists(moment)}


@pytest.mark.parametrize("turned_on", [False, True])
def test_auto_update_toggled_during_a_run_is_honoured_when_it_completes(
    api, aws, monkeypatch, turned_on
):
    from leadlists_local.catalog import seed_catalog

    seed_catalog(companies=5, persons=30, seed=3)
    saved = save(api, "Toggled", auto=not turned_on)
    from leadlists.repositories import saved_lists

    real = saved_lists.write_members_owned

    def toggle_then_write(*args: Any, **kwargs: Any) -> bool:
        current = repo.get(ORG_A, saved["id"])
        body = {"id": saved["id"], "version": current["version"], "organizationId": ORG_A,
                "listName": "Toggled", "contacts_found": 0, "filter": GERMANY,
                "autoUpdate": turned_on}  # fmt: skip
        assert api.post("/lists/save", body)[0] == 200  # same filter: the run goes on
        return real(*args, **kwargs)

    monkeypatch.setattr(saved_lists, "write_members_owned", toggle_then_write)
    drain_queue(aws, "RefreshQueue", "RefreshWorkerFunction")
    _, body, _ = api.get(f"/lists/{saved['id']}")
    assert body["refreshStatus"] == "idle" and body["lastSyncedTime"]
    assert body["autoUpdateStatus"] == ("enabled" if turned_on else "disabled")
    in_a_day = iso(now() + timedelta(hours=25))
    assert (saved["id"] in _due_ids(in_a_day)) == turned_on
    assert (repo.get(ORG_A, saved["id"]).get("nextRefreshAt") is not None) == turned_on
    assert saved["id"] not in _due_ids(iso(now() + timedelta(hours=23)))


def test_a_failing_auto_updated_list_backs_off_instead_of_being_queued_every_cycle(api, aws):
    from leadlists.services import refresh, refresh_leases, scheduler

    saved = save(api, "Failing", auto=True)
    drain_queue(aws, "RefreshQueue", "RefreshWorkerFunction")  # no catalog: it completes empty
    set_next_refresh(ORG_A, saved["id"], iso(now() - timedelta(minutes=1)))
    gaps = []
    for _ in range(8):
        cycle = now()
        assert scheduler.queue_due(cycle)["queued"] == 1
        run_id = repo.get(ORG_A, saved["id"])["refreshRunId"]
        assert refresh_leases.claim(ORG_A, saved["id"], run_id, from_queue=True)
        refresh.fail(ORG_A, saved["id"], run_id, refresh.INTERNAL_FAILURE)  # the run fails
        record = repo.get(ORG_A, saved["id"])
        assert record["refreshStatus"] == "failed"
        next_at = datetime.fromisoformat(record["nextRefreshAt"])
        gaps.append(round((next_at - cycle).total_seconds() / 60))
        # The next cycles before it queue nothing; the first one after it queues it again.
        assert scheduler.queue_due(next_at - timedelta(minutes=1))["queued"] == 0
        set_next_refresh(ORG_A, saved["id"], iso(now() - timedelta(seconds=1)))
    assert gaps == [30, 60, 120, 240, 480, 960, 1440, 1440]  # doubling, capped at a day
    _, body, _ = api.get(f"/lists/{saved['id']}")
    assert "Error" not in body["refreshError"] and body["refreshError"].endswith("try again.")
