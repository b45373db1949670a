"""The background path is visible: `refreshProgress` (phase, done and total of each phase) on the
202 answer and on the list while a refresh is queued or running, and an export of a list whose
refresh runs is a 409 that says why."""

from __future__ import annotations

import pytest

from conftest import ORG_A
from leadlists.config import settings
from leadlists.repositories import catalog
from leadlists.repositories import saved_lists as repo
from leadlists.services import run_progress

BODY = {
    "organizationId": ORG_A,
    "listName": "Watched",
    "contacts_found": 0,
    "filter": {"countries": ["Germany"]},
}


@pytest.fixture
def beyond_budget(aws, monkeypatch):
    """A catalog past the synchronous budget (its stats say so; no persons are needed)."""
    monkeypatch.setenv("SYNC_REFRESH_MAX_PERSONS", "5")
    settings.cache_clear()
    catalog.set_stats(persons=10, companies=1)
    yield
    settings.cache_clear()


def test_the_202_answer_and_the_list_show_the_phase(api, beyond_budget):
    _, saved, _ = api.post("/lists/save", BODY)
    status, queued, _ = api.post(f"/lists/refresh/{saved['id']}")
    assert status == 202 and queued["refreshStatus"] == "queued"
    progress = queued["refreshProgress"]
    assert progress["phase"] == "matching"
    assert progress["matching"] == {"done": 0, "total": None}
    assert progress["copying"] == {"done": 0, "total": None}

    # The fan-out's reports: matching, then copying, then finalizing.
    run_id = repo.get(ORG_A, saved["id"])["refreshRunId"]
    repo.update_fields(ORG_A, saved["id"], {"refreshStatus": "running"})
    phases = []
    for run in (
        {"segmentsDone": 1, "segmentsTotal": 3, "copiesDone": 2, "copiesTotal": 4},
        {"segmentsDone": 3, "segmentsTotal": 3, "copiesDone": 5, "copiesTotal": 9},
    ):
        progress = run_progress.progress_of({"segmentsTotal": run["segmentsTotal"]}, run)
        run_progress.report(ORG_A, saved["id"], run_id, progress)
        phases.append(api.get(f"/lists/{saved['id']}")[1]["refreshProgress"])
    done = {"segmentsDone": 3, "segmentsTotal": 3, "copiesDone": 9, "copiesTotal": 9}
    run_progress.report(ORG_A, saved["id"], run_id, run_progress.progress_of(done, done, True))
    phases.append(api.get(f"/lists/{saved['id']}")[1]["refreshProgress"])
    assert [p["phase"] for p in phases] == ["matching", "copying", "finalizing"]
    assert phases[0]["matching"] == {"done": 1, "total": 3}
    assert phases[0]["copying"]["total"] is None  # still growing while segments match
    assert phases[1]["copying"] == {"done": 5, "total": 9}
    assert phases[2]["copying"] == {"done": 9, "total": 9}
    # A late report of less progress never moves it back.
    run_progress.report(
        ORG_A, saved["id"], run_id, run_progress.progress_of(done, {**done, "copiesDone": 1})
    )
    assert api.get(f"/lists/{saved['id']}")[1]["refreshProgress"] == phases[2]


def test_an_export_during_a_running_refresh_is_a_409_that_says_why(api, aws):
    _, saved, _ = api.post("/lists/save", BODY)
    repo.update_fields(ORG_A, saved["id"], {"refreshStatus": "running"})
    status, body, _ = api.post(f"/lists/{saved['id']}/export")
    assert (status, body["code"]) == (409, "CONFLICT")
    assert "being refreshed" in body["message"]
    repo.update_fields(ORG_A, saved["id"], {"refreshStatus": "idle"})
    status, body, _ = api.post(f"/lists/{saved['id']}/export")
    assert status == 200 and body["rows"] == 0
