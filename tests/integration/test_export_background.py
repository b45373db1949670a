"""Saved-list exports beyond the synchronous budget: 202, written by ExportFunction from the
export queue, read back through GET /lists/{id}/exports/{exportId}."""

from __future__ import annotations

import re

import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError
from export_helpers import deliver_export, export_objects, set_budget
from lead_list_helpers import assert_error, snapshot
from test_export import ISO_MS, download, saved_list

from conftest import ORG_A, ORG_B, drain_queue
from leadlists import queues
from leadlists.models.records import Person
from leadlists.repositories import export_members, keys, tenant_records
from leadlists.repositories import saved_lists as repo
from leadlists.services import export_csv, export_jobs

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
UNKNOWN = "3f1c9a52-8d6e-4b7a-9c41-2e5d7f0a1b23"
US_SOFTWARE = {"countries": ["United States"], "industries": ["Software"]}


def started(api, list_id: str) -> str:
    status, body, _ = api.post(f"/lists/{list_id}/export")
    assert status == 202, body
    assert set(body) == {"exportId", "status"} and body["status"] == "running"
    assert UUID.match(body["exportId"])
    return body["exportId"]


def test_export_beyond_the_budget_runs_in_the_background(api, catalog, aws, monkeypatch):
    saved = saved_list(api, aws, US_SOFTWARE)
    members = sorted(repo.member_ids(ORG_A, saved["id"]))
    assert len(members) > 3 * 7
    set_budget(monkeypatch, len(members) - 1)
    monkeypatch.setattr(export_members, "_ID_PAGE", 7)  # member ids read over several pages
    export_id = started(api, saved["id"])
    path = f"/lists/{saved['id']}/exports/{export_id}"

    status, body, _ = api.get(path)
    assert status == 200 and body == {"exportId": export_id, "status": "running"}
    assert export_objects(aws, saved["id"]) == []

    drain_queue(aws, "ExportQueue", "ExportFunction")
    status, body, _ = api.get(path)
    assert status == 200, body
    assert body["status"] == "complete" and body["rows"] == len(members)
    assert ISO_MS.match(body["expiresAt"])
    rows = download(body["url"])
    assert [r["id"] for r in rows] == members
    assert list(rows[0]) == list(Person.model_fields)
    copies = tenant_records.get_copies(ORG_A, keys.PERSON, members)
    for row in rows:
        want = Person.model_validate(copies[row["id"]]).model_dump()
        assert row == {c: export_csv.cell(want[c]) for c in want}
    assert export_objects(aws, saved["id"]) == [f"exports/{ORG_A}/{saved['id']}/{export_id}.csv"]


def test_each_status_read_presigns_a_fresh_link(api, catalog, aws, monkeypatch):
    saved = saved_list(api, aws, US_SOFTWARE)
    set_budget(monkeypatch, 0)
    export_id = started(api, saved["id"])
    drain_queue(aws, "ExportQueue", "ExportFunction")
    monkeypatch.setenv("EXPORT_URL_SECONDS", "60")
    from leadlists.config import settings

    settings.cache_clear()
    _, body, _ = api.get(f"/lists/{saved['id']}/exports/{export_id}")
    assert "Expires=60" in body["url"] or "X-Amz-Expires=60" in body["url"]
    assert len(download(body["url"])) == body["rows"]


def test_formula_cells_are_neutralized_in_a_background_export(api, catalog, aws, monkeypatch):
    saved = saved_list(api, aws, US_SOFTWARE)
    first = sorted(repo.member_ids(ORG_A, saved["id"]))[0]
    copy = tenant_records.get_copies(ORG_A, keys.PERSON, [first])[first]
    hostile = {
        "fullName": '=HYPERLINK("http://x","y")',
        "title": "@SUM(A1)",
        "companyName": "Acme;+cmd|' /C calc'!A0",
        "phones": ["+1 (555) 010-2030", "-2+3"],
    }
    tenant_records.put_copies(ORG_A, keys.PERSON, [{**copy, **hostile}])
    set_budget(monkeypatch, 1)
    export_id = started(api, saved["id"])
    drain_queue(aws, "ExportQueue", "ExportFunction")
    _, body, _ = api.get(f"/lists/{saved['id']}/exports/{export_id}")
    row = download(body["url"])[0]
    assert row["id"] == first
    assert row["fullName"] == '\'=HYPERLINK("http://x","y")'
    assert row["title"] == "'@SUM(A1)"
    assert row["companyName"] == "Acme;'+cmd|' /C calc'!A0"
    assert row["phones"] == "+1 (555) 010-2030;'-2+3"


def test_an_export_at_the_budget_is_still_written_in_the_request(api, catalog, aws, monkeypatch):
    saved = saved_list(api, aws, US_SOFTWARE)
    members = sorted(repo.member_ids(ORG_A, saved["id"]))
    set_budget(monkeypatch, len(members))
    status, body, _ = api.post(f"/lists/{saved['id']}/export")
    assert status == 200, body
    assert set(body) == {"url", "expiresAt", "rows"} and body["rows"] == len(members)
    assert [r["id"] for r in download(body["url"])] == members
    assert drain_queue(aws, "ExportQueue", "ExportFunction") == 0  # nothing was queued


def test_unknown_malformed_and_foreign_exports(api, catalog, aws, monkeypatch):
    saved = saved_list(api, aws, {"countries": ["Germany"]})
    other = saved_list(api, aws, {"countries": ["France"]}, name="Other list")
    set_budget(monkeypatch, 0)
    export_id = started(api, saved["id"])
    base = f"/lists/{saved['id']}/exports"

    assert_error(*api.get(f"{base}/{UNKNOWN}")[:2], 404, "NOT_FOUND")
    for bad in ("not-a-uuid", "%2e%2e", "1234"):
        status, body, _ = api.get(f"{base}/{bad}")
        assert_error(status, body, 400, "BAD_REQUEST")
        assert {d["field"] for d in body["details"]} == {"exportId"}
    # Another list of the same organization, another organization, an unknown list.
    assert_error(*api.get(f"/lists/{other['id']}/exports/{export_id}")[:2], 404, "NOT_FOUND")
    assert_error(*api.as_(org=ORG_B).get(f"{base}/{export_id}")[:2], 404, "NOT_FOUND")
    assert_error(*api.get(f"/lists/{UNKNOWN}/exports/{export_id}")[:2], 404, "NOT_FOUND")
    assert api.get(f"{base}/{export_id}")[1]["status"] == "running"


def test_a_redelivered_export_message_writes_one_object(api, catalog, aws, monkeypatch):
    saved = saved_list(api, aws, US_SOFTWARE)
    set_budget(monkeypatch, 0)
    export_id = started(api, saved["id"])
    queues.send_export(ORG_A, export_id)  # a duplicate delivery, in flight with the first
    uploads: list[str] = []
    real_upload = export_csv.upload
    monkeypatch.setattr(
        export_csv, "upload", lambda key, *a: uploads.append(key) or real_upload(key, *a)
    )
    drain_queue(aws, "ExportQueue", "ExportFunction")
    _, done, _ = api.get(f"/lists/{saved['id']}/exports/{export_id}")
    assert done["status"] == "complete"
    before = snapshot()
    assert deliver_export(export_id) == {"batchItemFailures": []}  # redelivered after completion
    assert len(uploads) == 1
    assert export_objects(aws, saved["id"]) == uploads
    assert snapshot() == before


def test_giving_up_marks_the_export_failed_with_a_reason(api, catalog, aws, monkeypatch):
    saved = saved_list(api, aws, US_SOFTWARE)
    set_budget(monkeypatch, 0)
    export_id = started(api, saved["id"])

    def broken(*args: object) -> int:
        raise OSError("disk full")

    monkeypatch.setattr(export_csv, "upload", broken)
    path = f"/lists/{saved['id']}/exports/{export_id}"
    with pytest.raises(BatchProcessingError):
        deliver_export(export_id, receive_count=1)
    assert api.get(path)[1]["status"] == "running"  # an early attempt leaves it to a retry

    with pytest.raises(BatchProcessingError):  # the queue's maxReceiveCount: the last attempt
        deliver_export(export_id, receive_count=3)
    status, body, _ = api.get(path)
    assert status == 200 and body["status"] == "failed"
    assert set(body) == {"exportId", "status", "error"}
    assert body["error"].startswith("The export could not be written")
    assert "OSError" not in body["error"] and "disk" not in body["error"]  # no internals
    assert export_objects(aws, saved["id"]) == []


def test_an_export_of_a_list_deleted_meanwhile_fails(api, catalog, aws, monkeypatch):
    saved = saved_list(api, aws, US_SOFTWARE)
    set_budget(monkeypatch, 0)
    export_id = started(api, saved["id"])
    record = repo.get(ORG_A, saved["id"])
    assert repo.delete(ORG_A, saved["id"], record["name"])
    assert deliver_export(export_id) == {"batchItemFailures": []}
    job = export_jobs.jobs.get(ORG_A, export_id, 0)
    assert job["status"] == "failed" and job["error"] == export_jobs.LIST_DELETED
    assert export_objects(aws, saved["id"]) == []


def test_a_failed_queue_send_leaves_no_export_behind(api, catalog, aws, monkeypatch):
    saved = saved_list(api, aws, US_SOFTWARE)
    set_budget(monkeypatch, 0)

    def unreachable(*args: object) -> None:
        raise ConnectionError("sqs down")

    monkeypatch.setattr(queues, "send_export", unreachable)
    before = snapshot()
    status, body, _ = api.post(f"/lists/{saved['id']}/export")
    assert_error(status, body, 500, "INTERNAL_ERROR")
    assert snapshot() == before
