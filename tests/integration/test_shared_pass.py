"""The scheduler's shared pass: every due list is refreshed from one read of the catalog, inline
within the synchronous budget and over scan segments beyond it, each list exactly as its own
refresh would leave it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from conftest import ORG_A, ORG_B, drain_queue
from leadlists.clock import iso, now
from leadlists.config import settings
from leadlists.filters.evaluate import matches
from leadlists.filters.model import Filter
from leadlists.repositories import dynamo
from leadlists.repositories import saved_lists as repo
from leadlists_local import lambdas
from leadlists_local.catalog import seed_catalog

FILTERS = [
    {"countries": ["United States"]},
    {"departments": ["Sales", "Marketing"]},
    {"job_titles": ["Manager"]},
]


def scanned(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Global-table items every Scan reads from now on (its ScannedCount)."""
    seen = {"items": 0}

    def count(parsed: dict[str, Any], model: Any, **_: Any) -> None:
        seen["items"] += parsed.get("ScannedCount", 0)

    dynamo.client().meta.events.register("after-call.dynamodb.Scan", count)
    return seen


def test_due_lists_share_one_catalog_read(api, aws, monkeypatch):
    catalog = seed_catalog(companies=12, persons=60, seed=3)
    table_items = 12 + 60 + 1  # companies, persons, the stats item
    lists = []
    for n, flt in enumerate(FILTERS):
        org = ORG_A if n % 2 == 0 else ORG_B
        body = {"organizationId": org, "listName": f"Due {n}", "contacts_found": 0,
                "filter": flt, "autoUpdate": True}  # fmt: skip
        status, saved, _ = api.as_(org=org).post("/lists/save", body)
        assert status == 200, saved
        lists.append(saved)
    drain_queue(aws, "RefreshQueue", "RefreshWorkerFunction")  # their first computations
    seen = scanned(monkeypatch)

    for fan_out in (False, True):
        if fan_out:  # beyond the synchronous budget, over two scan segments
            monkeypatch.setenv("SYNC_REFRESH_MAX_PERSONS", "10")
            monkeypatch.setenv("REFRESH_SEGMENT_SIZE", "30")
            settings.cache_clear()
        before = {s["id"]: repo.get(s["organizationId"], s["id"]) for s in lists}
        for saved in lists:
            due = iso(now() - timedelta(minutes=1))
            record = before[saved["id"]]
            due_set, due_remove = repo.schedule_fields({**record, "nextRefreshAt": due})
            repo.update_fields(record["organizationId"], record["id"],
                               {"nextRefreshAt": due, **due_set}, remove=due_remove)  # fmt: skip
        seen["items"] = 0
        fired = lambdas.invoke("RefreshSchedulerFunction", lambdas.scheduled_event("rule"))
        assert fired["queued"] == len(lists)
        for _ in range(3 if fan_out else 1):
            drain_queue(aws, "RefreshQueue", "RefreshWorkerFunction")
            drain_queue(aws, "RefreshSegmentQueue", "RefreshSegmentFunction")
            drain_queue(aws, "TenantCopyQueue", "TenantCopyFunction")
        # One read of the catalog for the three lists (one refresh each would read it thrice).
        assert seen["items"] == table_items
        for saved, flt in zip(lists, FILTERS, strict=True):
            after = repo.get(saved["organizationId"], saved["id"])
            wanted = sorted(
                p["id"] for p in catalog["persons"] if matches(Filter.model_validate(flt), p)
            )
            assert after["refreshStatus"] == "idle" and "refreshProgress" not in after
            assert after["lastSyncedTime"] > before[saved["id"]]["lastSyncedTime"]
            assert after["contactsNum"] == after["matchedContactsNum"] == len(wanted) > 0
            assert sorted(repo.member_ids(saved["organizationId"], saved["id"])) == wanted
