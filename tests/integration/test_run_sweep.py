"""The sweep of stuck refresh runs: a run killed without raising (an inline refresh interrupted,
a fan-out whose messages vanished, a save whose request was lost) ends `failed` with a readable
reason once its lease lapses; a healthy, renewed or completed run is left alone. The clock is
injected: the sweep is called at a later moment, nothing sleeps."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import boto3
import pytest

from conftest import ORG_A, drain_queue
from leadlists.clock import iso, now
from leadlists.config import settings
from leadlists.repositories import refresh_runs as runs
from leadlists.repositories import saved_lists as repo
from leadlists.services import refresh, run_sweep, webhook_events
from leadlists_local.catalog import seed_catalog

US = {"countries": ["United States"]}
LATER = run_sweep.STUCK_AFTER + timedelta(minutes=1)


class Killed(BaseException):
    """What a Lambda timeout or lack of memory looks like to the code: no `except Exception`
    runs, nothing is written after it."""


def save(api, name: str, flt: dict | None = None) -> dict[str, Any]:
    body = {"organizationId": ORG_A, "listName": name, "contacts_found": 0, "filter": flt or US}
    status, saved, _ = api.post("/lists/save", body)
    assert status == 200, saved
    return saved


def purge(aws: dict[str, Any], queue: str) -> None:
    """The queue's messages vanish (never delivered)."""
    boto3.client("sqs", region_name="us-east-1").purge_queue(QueueUrl=aws["queues"][queue]["url"])


def listed(api, list_id: str) -> dict[str, Any]:
    status, body, _ = api.get(f"/lists/{list_id}")
    assert status == 200
    return body


def assert_readable_failure(body: dict[str, Any]) -> None:
    assert body["refreshStatus"] == "failed"
    error = body["refreshError"]
    assert error.startswith("The refresh could not be completed: it stopped making progress")
    assert "Error" not in error and "Killed" not in error and "Exception" not in error


@pytest.fixture
def tiny(aws: dict[str, Any]) -> dict[str, Any]:
    return seed_catalog(companies=4, persons=40, seed=7)


@pytest.fixture
def failed_events(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The list ids of every list.refresh_failed event published."""
    seen: list[str] = []
    real = webhook_events.publish

    def publish(org: str, event_type: str, data: dict[str, Any]) -> Any:
        if event_type == "list.refresh_failed":
            seen.append(data["listId"])
        return real(org, event_type, data)

    monkeypatch.setattr(webhook_events, "publish", publish)
    return seen


def test_stuck_runs_are_failed_after_their_lease_and_only_they(
    api, aws, tiny, monkeypatch, failed_events
):
    done, killed = save(api, "Completed"), save(api, "Killed inline")
    lost, renewed = save(api, "Lost request"), save(api, "Renewed")
    purge(aws, "RefreshQueue")  # the saves' requests are lost
    assert api.post(f"/lists/refresh/{done['id']}")[1]["refreshStatus"] == "idle"

    def die(*_: Any, **__: Any) -> None:
        raise Killed

    with monkeypatch.context() as patch:
        patch.setattr(repo, "write_members_owned", die)
        with pytest.raises(Killed):
            api.post(f"/lists/refresh/{killed['id']}")
    assert listed(api, killed["id"])["refreshStatus"] == "running"

    # Within the lease: a run that may still be working is left alone.
    assert run_sweep.sweep(now() + timedelta(minutes=30)) == {"failed": 0, "skipped": 0}
    assert listed(api, killed["id"])["refreshStatus"] == "running"

    later = now() + LATER
    stale = list(repo.active_since_before(iso(later - run_sweep.STUCK_AFTER)))
    assert {i for _, i in stale} == {killed["id"], lost["id"], renewed["id"]}  # never `done`
    # `renewed` shows life after the sweep's index read: the conditional write leaves it.
    repo.update_fields(
        ORG_A, renewed["id"], {"refreshStartedAt": iso(later)}, condition="refreshStatus = :q",
        condition_values={":q": "queued"},
    )  # fmt: skip
    with monkeypatch.context() as patch:  # the index lags the item
        patch.setattr(repo, "active_since_before", lambda _moment: iter(stale))
        assert run_sweep.sweep(later) == {"failed": 2, "skipped": 1}
    assert_readable_failure(listed(api, killed["id"]))
    assert_readable_failure(listed(api, lost["id"]))
    assert listed(api, renewed["id"])["refreshStatus"] == "queued"
    assert listed(api, done["id"])["refreshStatus"] == "idle"
    assert sorted(failed_events) == sorted([killed["id"], lost["id"]])

    # Another path failing the same run (a dead letter, a last attempt) loses the conditional
    # write: list.refresh_failed is published once per failed run.
    run_id = repo.get(ORG_A, killed["id"])["refreshRunId"]
    assert refresh.fail(ORG_A, killed["id"], run_id, "its work was interrupted") is None
    # Ended runs leave the index: the next sweep fails nothing, publishes nothing.
    assert run_sweep.sweep(later) == {"failed": 0, "skipped": 0}
    assert len(failed_events) == 2
    # A new refresh starts at once and completes.
    status, refreshed, _ = api.post(f"/lists/refresh/{killed['id']}")
    assert status == 200 and refreshed["refreshStatus"] == "idle" and refreshed["contactsNum"]

    # A fan-out run whose segment messages vanished.
    monkeypatch.setenv("SYNC_REFRESH_MAX_PERSONS", "10")
    monkeypatch.setenv("REFRESH_SEGMENT_SIZE", "10")
    settings.cache_clear()
    vanished = save(api, "Vanished")
    drain_queue(aws, "RefreshQueue", "RefreshWorkerFunction")  # the run fans out
    purge(aws, "RefreshSegmentQueue")  # ... and its segment messages are lost
    body = listed(api, vanished["id"])
    assert body["refreshStatus"] == "running" and body["refreshProgress"]["segmentsTotal"] == 4
    run_id = repo.get(ORG_A, vanished["id"])["refreshRunId"]
    assert runs.get(ORG_A, vanished["id"], run_id) is not None
    assert run_sweep.sweep(now() + LATER) == {"failed": 1, "skipped": 0}
    body = listed(api, vanished["id"])
    assert_readable_failure(body)
    assert body["refreshProgress"] is None
    assert runs.get(ORG_A, vanished["id"], run_id) is None  # its items are gone
    assert listed(api, renewed["id"])["refreshStatus"] == "queued"
