"""Saved lists through their handlers: create, update, read, page, refresh, delete, members."""

from __future__ import annotations

import re
from typing import Any

import pytest

from conftest import ORG_A, drain_queue
from leadlists.repositories import saved_lists as repo
from leadlists.services import cleanup

ISO_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
US_SOFTWARE = {"countries": ["United States"], "industries": ["Software"]}


def save_body(name: str = "US Software", **extra: Any) -> dict[str, Any]:
    return {
        "organizationId": ORG_A,
        "listName": name,
        "contacts_found": 12,
        "filter": US_SOFTWARE,
        **extra,
    }


def expected_ids(catalog: dict, predicate) -> list[str]:
    return sorted(p["id"] for p in catalog["persons"] if predicate(p))


def us_software(p: dict) -> bool:
    return p["country"] == "United States" and p["industry"] == "Software"


def test_create_answers_the_list_object(api, catalog):
    status, body, _ = api.post("/lists/save", save_body(autoUpdate=True))
    assert status == 200
    assert body["name"] == "US Software"
    assert body["organizationId"] == ORG_A
    assert body["usedFilter"] == US_SOFTWARE
    assert body["contactsNum"] == 12  # contacts_found until the first computation
    assert body["matchedContactsNum"] is None
    assert body["autoUpdateStatus"] == "enabled"
    assert body["lastSyncedTime"] is None
    assert body["connectedIntegration"] is None
    assert body["refreshStatus"] == "queued"
    assert body["version"] == 1
    assert ISO_MS.match(body["createdAt"]) and body["createdAt"] == body["updatedAt"]
    assert re.fullmatch(r"[0-9a-f-]{36}", body["id"])


def test_saved_filter_is_normalized(api, catalog):
    raw = {"countries": [" United States", "united states "], "job_titles": ["VP", "vp"]}
    status, body, _ = api.post("/lists/save", save_body(filter=raw))
    assert status == 200
    assert body["usedFilter"] == {"countries": ["United States"], "job_titles": ["VP"]}


def test_queued_computation_materializes_members(api, catalog, aws):
    _, created, _ = api.post("/lists/save", save_body())
    assert drain_queue(aws, "RefreshQueue", "RefreshWorkerFunction") == 1
    status, body, _ = api.get(f"/lists/{created['id']}")
    assert status == 200
    want = expected_ids(catalog, us_software)
    assert body["refreshStatus"] == "idle"
    assert body["contactsNum"] == body["matchedContactsNum"] == len(want) > 0
    assert ISO_MS.match(body["lastSyncedTime"])
    assert sorted(repo.member_ids(ORG_A, created["id"])) == want


def test_redelivered_refresh_message_changes_nothing(api, catalog, aws):
    _, created, _ = api.post("/lists/save", save_body())
    sqs_url = aws["queues"]["RefreshQueue"]["url"]
    import boto3

    sqs = boto3.client("sqs", region_name="us-east-1")
    message = sqs.receive_message(QueueUrl=sqs_url, VisibilityTimeout=0)["Messages"][0]
    sqs.send_message(QueueUrl=sqs_url, MessageBody=message["Body"])  # a duplicate delivery
    drain_queue(aws, "RefreshQueue", "RefreshWorkerFunction")
    _, body, _ = api.get(f"/lists/{created['id']}")
    assert body["contactsNum"] == len(expected_ids(catalog, us_software))
    assert body["version"] == 3  # claimed once, completed once: the duplicate did not re-run


def test_refresh_computes_inline_and_sets_counts(api, catalog):
    _, created, _ = api.post("/lists/save", save_body())
    status, body, _ = api.post(f"/lists/refresh/{created['id']}")
    assert status == 200
    want = expected_ids(catalog, us_software)
    assert body["refreshStatus"] == "idle"
    assert body["contactsNum"] == body["matchedContactsNum"] == len(want)
    assert sorted(repo.member_ids(ORG_A, created["id"])) == want


def test_refresh_accepts_the_callers_own_organization_in_the_body(api, catalog):
    _, created, _ = api.post("/lists/save", save_body())
    status, _, _ = api.post(f"/lists/refresh/{created['id']}", {"organizationId": ORG_A})
    assert status == 200


def test_max_contacts_caps_members_but_not_matches(api, catalog):
    _, created, _ = api.post("/lists/save", save_body(maxContacts=3))
    _, body, _ = api.post(f"/lists/refresh/{created['id']}")
    assert body["contactsNum"] == 3
    assert body["matchedContactsNum"] == len(expected_ids(catalog, us_software)) > 3
    assert len(repo.member_ids(ORG_A, created["id"])) == 3


def test_refresh_after_filter_change_adds_and_removes_members(api, catalog):
    _, created, _ = api.post("/lists/save", save_body())
    _, first, _ = api.post(f"/lists/refresh/{created['id']}")
    germany = {"countries": ["Germany"]}
    status, updated, _ = api.post(
        "/lists/save", save_body(id=created["id"], filter=germany, version=first["version"])
    )
    assert status == 200 and updated["refreshStatus"] == "queued"
    _, body, _ = api.post(f"/lists/refresh/{created['id']}")
    want = expected_ids(catalog, lambda p: p["country"] == "Germany")
    assert body["contactsNum"] == len(want)
    assert sorted(repo.member_ids(ORG_A, created["id"])) == want


def test_update_with_current_version_bumps_it(api, catalog):
    _, created, _ = api.post("/lists/save", save_body())
    status, body, _ = api.post(
        "/lists/save",
        save_body("Renamed", id=created["id"], version=1, autoUpdate=True,
                  connectedIntegration={"type": "hubspot", "id": "h1", "name": "HubSpot"}),
    )  # fmt: skip
    assert status == 200
    assert body["name"] == "Renamed" and body["version"] == 2
    assert body["autoUpdateStatus"] == "enabled"
    assert body["connectedIntegration"] == {"type": "hubspot", "id": "h1", "name": "HubSpot"}
    assert body["createdAt"] == created["createdAt"]


def test_stale_version_is_a_conflict_and_changes_nothing(api, catalog):
    _, created, _ = api.post("/lists/save", save_body())
    api.post("/lists/save", save_body("Second name", id=created["id"], version=1))
    status, body, _ = api.post("/lists/save", save_body("Third", id=created["id"], version=1))
    assert status == 409 and body["code"] == "CONFLICT"
    _, now, _ = api.get(f"/lists/{created['id']}")
    assert now["name"] == "Second name" and now["version"] == 2


def test_names_are_unique_per_organization_case_insensitively(api, catalog):
    api.post("/lists/save", save_body("Pipeline"))
    status, body, _ = api.post("/lists/save", save_body(" pipeline "))
    assert status == 409 and body["code"] == "CONFLICT"
    _, lists, _ = api.get(f"/lists/{ORG_A}")
    assert [item["name"] for item in lists] == ["Pipeline"]
    other = api.as_(org="org_other")
    body = save_body("Pipeline", organizationId="org_other")
    assert other.post("/lists/save", body)[0] == 200


def test_rename_frees_the_old_name_and_cannot_take_a_used_one(api, catalog):
    _, first, _ = api.post("/lists/save", save_body("First"))
    api.post("/lists/save", save_body("Second"))
    status, _, _ = api.post("/lists/save", save_body("Second", id=first["id"]))
    assert status == 409
    assert api.post("/lists/save", save_body("Renamed", id=first["id"]))[0] == 200
    assert api.post("/lists/save", save_body("First"))[0] == 200


def test_update_of_unknown_list_is_not_found(api, catalog):
    missing = "00000000-0000-4000-8000-000000000000"
    status, body, _ = api.post("/lists/save", save_body(id=missing))
    assert status == 404 and body["code"] == "NOT_FOUND"


def test_organization_lists_are_paged(api, catalog):
    for n in range(5):
        api.post("/lists/save", save_body(f"List {n}"))
    seen, token, pages = [], None, 0
    while True:
        query = "limit=2" + (f"&nextToken={token}" if token else "")
        status, page, headers = api.get(f"/lists/{ORG_A}", query=query)
        assert status == 200 and len(page) <= 2
        seen += [item["name"] for item in page]
        pages += 1
        token = headers.get("X-Next-Token")
        if not token:
            break
    assert sorted(seen) == [f"List {n}" for n in range(5)]
    assert pages >= 3


def test_members_are_paged_without_repeats(api, catalog):
    _, created, _ = api.post("/lists/save", save_body())
    api.post(f"/lists/refresh/{created['id']}")
    seen, token = [], None
    while True:
        query = "limit=7" + (f"&nextToken={token}" if token else "")
        status, page, _ = api.get(f"/lists/{created['id']}/contacts", query=query)
        assert status == 200
        seen += [c["id"] for c in page["contacts"]]
        token = page["nextToken"]
        if not token:
            break
    assert sorted(seen) == expected_ids(catalog, us_software)
    contact = page["contacts"][0] if page["contacts"] else None
    if contact:
        assert contact["country"] == "United States" and contact["fullName"]


def test_delete_removes_list_name_and_members(api, catalog, aws, monkeypatch):
    monkeypatch.setattr(cleanup, "GRACE_SECONDS", 0)  # members go in the background, undelayed
    _, created, _ = api.post("/lists/save", save_body())
    api.post(f"/lists/refresh/{created['id']}")
    status, body, _ = api.delete(f"/lists/{created['id']}")
    assert status == 200 and body in (None, "")
    assert api.get(f"/lists/{created['id']}")[0] == 404
    drain_queue(aws, "CleanupQueue", "CleanupFunction")
    assert repo.member_ids(ORG_A, created["id"]) == set()
    assert api.post("/lists/save", save_body())[0] == 200  # the name is free again
    assert api.delete(f"/lists/{created['id']}")[0] == 404


def test_refresh_while_running_is_not_started_twice(api, catalog, monkeypatch):
    _, created, _ = api.post("/lists/save", save_body())
    from leadlists.services import refresh, refresh_leases

    assert refresh_leases.claim(ORG_A, created["id"], "other-run", from_queue=False) is not None
    calls = []
    monkeypatch.setattr(refresh, "compute", lambda *a: calls.append(a))
    status, body, _ = api.post(f"/lists/refresh/{created['id']}")
    assert status == 202
    assert body["refreshStatus"] == "running"
    assert calls == []


def test_failed_refresh_ends_failed_not_running(api, catalog, monkeypatch):
    _, created, _ = api.post("/lists/save", save_body())
    from leadlists.repositories import catalog_scans

    def broken(*args, **kwargs):
        raise RuntimeError("scan exploded")

    original = catalog_scans.matching_persons
    monkeypatch.setattr(catalog_scans, "matching_persons", broken)
    status, body, _ = api.post(f"/lists/refresh/{created['id']}")
    assert status == 500 and body["code"] == "INTERNAL_ERROR"
    assert "exploded" not in body["message"] and body["requestId"]
    _, now, _ = api.get(f"/lists/{created['id']}")
    assert now["refreshStatus"] == "failed" and now["refreshError"]
    monkeypatch.setattr(catalog_scans, "matching_persons", original)
    status, body, _ = api.post(f"/lists/refresh/{created['id']}")
    assert status == 200 and body["refreshStatus"] == "idle"
    assert body["refreshError"] is None


def test_large_catalog_refresh_is_queued_with_202(api, catalog, aws, monkeypatch):
    _, created, _ = api.post("/lists/save", save_body())
    drain_queue(aws, "RefreshQueue", "RefreshWorkerFunction")
    monkeypatch.setenv("SYNC_REFRESH_MAX_PERSONS", "10")
    from leadlists.config import settings

    settings.cache_clear()
    status, body, _ = api.post(f"/lists/refresh/{created['id']}")
    assert status == 202 and body["refreshStatus"] == "queued"
    status, again, _ = api.post(f"/lists/refresh/{created['id']}")
    assert status == 202 and again["version"] == body["version"]  # not queued twice
    assert drain_queue(aws, "RefreshQueue", "RefreshWorkerFunction") == 1
    _, running, _ = api.get(f"/lists/{created['id']}")
    assert running["refreshStatus"] == "running"  # fanned out over scan segments
    for _ in range(5):  # segments, then tenant copies, then the finalize message
        drain_queue(aws, "RefreshSegmentQueue", "RefreshSegmentFunction")
        drain_queue(aws, "TenantCopyQueue", "TenantCopyFunction")
    _, done, _ = api.get(f"/lists/{created['id']}")
    assert done["refreshStatus"] == "idle"
    assert done["contactsNum"] == len(expected_ids(catalog, us_software))


@pytest.mark.parametrize("limit", ["1", "100"])
def test_page_limits_at_the_bounds_are_accepted(api, catalog, limit):
    assert api.get(f"/lists/{ORG_A}", query=f"limit={limit}")[0] == 200
