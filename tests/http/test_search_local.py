"""A search beyond the synchronous budget over real HTTP on the local runtime: 202, the runtime's
poller completes it through the refresh segment queue, then GET pages it."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from leadlists.config import settings
from leadlists.filters.evaluate import matches
from leadlists.filters.model import Filter
from leadlists.repositories import catalog, keys
from leadlists_local.runtime import LocalRuntime


@pytest.fixture
def runtime(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalRuntime]:
    rt = LocalRuntime(
        "127.0.0.1",
        0,
        seed_companies=20,
        seed_persons=200,
        state_dir=tmp_path,
        parameters={"LogLevel": "WARNING"},
    )
    rt.start()
    # The runtime sets the template's environment; a budget below the catalog forces fan-out.
    monkeypatch.setenv("SYNC_REFRESH_MAX_PERSONS", "50")
    monkeypatch.setenv("REFRESH_SEGMENT_SIZE", "60")
    settings.cache_clear()
    yield rt
    rt.stop()
    settings.cache_clear()


def test_search_over_budget_over_http(runtime: LocalRuntime) -> None:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {runtime.token()}"
    flt = {"exclude_countries": ["Germany"]}
    answer = session.post(
        f"{runtime.base_url}/api/v1/search/prospects", json={"filter": flt}, timeout=30
    )
    assert answer.status_code == 202, answer.text
    search_id = answer.json()["searchId"]
    assert answer.json() == {"searchId": search_id, "status": "running"}
    deadline = time.monotonic() + 60
    while True:
        state = session.get(f"{runtime.base_url}/api/v1/search/{search_id}", timeout=30)
        assert state.status_code == 200, state.text
        if state.json()["status"] != "running" or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    body = state.json()
    assert body["status"] == "complete", body
    persons = list(catalog.scan_segment(keys.PERSON, 0, 1))
    expected = sorted(p["id"] for p in persons if matches(Filter(**flt), p))
    ids, page = [], body
    while True:
        ids += [r["id"] for r in page["results"]]
        if not page["nextToken"]:
            break
        page = session.get(
            f"{runtime.base_url}/api/v1/search/{search_id}",
            params={"nextToken": page["nextToken"], "pageSize": 100},
            timeout=30,
        ).json()
    assert body["total"] == len(expected) == len(ids) and ids == expected
    missing = session.get(f"{runtime.base_url}/api/v1/search/not-a-search", timeout=30)
    assert missing.status_code == 400 and missing.json()["code"] == "BAD_REQUEST"
