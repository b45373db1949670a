"""A background export over HTTP on the local runtime: 202, the queue poller writes it, the status
route answers a link that downloads the rows."""

from __future__ import annotations

import csv
import io
import time

import pytest
import requests
from export_helpers import set_budget
from test_local_runtime import client, runtime, save, url, wait_idle  # noqa: F401 (fixtures)

from leadlists.repositories import saved_lists as repo
from leadlists_local.runtime import LocalRuntime


def test_background_export_over_http(
    client: requests.Session,  # noqa: F811
    runtime: LocalRuntime,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    saved = wait_idle(client, runtime, save(client, runtime)["id"])
    members = sorted(repo.member_ids(saved["organizationId"], saved["id"]))
    assert saved["contactsNum"] == len(members) > 1
    set_budget(monkeypatch, len(members) - 1)  # the runtime's functions run in this process

    answer = client.post(url(runtime, f"/lists/{saved['id']}/export"), timeout=30)
    assert answer.status_code == 202, answer.text
    export_id = answer.json()["exportId"]
    status_url = url(runtime, f"/lists/{saved['id']}/exports/{export_id}")
    deadline = time.monotonic() + 30
    while (body := client.get(status_url, timeout=30).json())["status"] == "running":
        assert time.monotonic() < deadline, "the export queue's poller never wrote the export"
        time.sleep(0.2)
    assert body["status"] == "complete" and body["rows"] == len(members), body

    download = requests.get(body["url"], timeout=30)  # the presigned link points at the emulator
    assert download.status_code == 200
    rows = list(csv.DictReader(io.StringIO(download.content.decode("utf-8"))))
    assert [r["id"] for r in rows] == members

    unknown = client.get(url(runtime, f"/lists/{saved['id']}/exports/{saved['id']}"), timeout=30)
    assert unknown.status_code == 404 and unknown.json()["code"] == "NOT_FOUND"
