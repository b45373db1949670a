"""Lead-list exports: POST /api/v1/entities/leadlists/{id}/export and its status route, for both
list types, within the budget (200) and beyond it (202, then ExportFunction)."""

from __future__ import annotations

import pytest
from export_helpers import export_objects, set_budget
from lead_list_helpers import BASE, UNKNOWN, assert_error, new_list, person_input, snapshot
from test_export import download

from conftest import ORG_A, ORG_B, drain_queue
from leadlists.models.records import Company, Person
from leadlists.repositories import keys, tenant_records
from leadlists.services.export_csv import cell

MEMBER = {"role": "member", "user": "user_2"}  # not an admin, and not in the list's userIds


def company_list(api, catalog, count: int = 7) -> tuple[dict, list[str]]:
    created = new_list(api, "company")
    ids = [c["id"] for c in catalog["companies"][:count]]
    status, body, _ = api.post(f"{BASE}/{created['id']}/add-companies", {"companyIds": ids})
    assert status == 200, body
    return created, sorted(ids)


def person_list(api, catalog, count: int = 6) -> tuple[dict, list[str]]:
    created = new_list(api, "person")
    persons = [person_input(p["id"]) for p in catalog["persons"][:count]]
    status, body, _ = api.post(f"{BASE}/{created['id']}/add-prospects", {"persons": persons})
    assert status == 200 and body == {"addedCount": count}, body
    return created, sorted(p["id"] for p in persons)


def expected_rows(kind: str, ids: list[str]) -> list[dict[str, str]]:
    model = Company if kind == keys.COMPANY else Person
    copies = tenant_records.get_copies(ORG_A, kind, ids)
    rows = []
    for i in ids:
        data = model.model_validate(copies[i]).model_dump()
        rows.append({c: cell(data[c]) for c in model.model_fields})
    return rows


def background_export(api, aws, list_id: str) -> dict:
    status, body, _ = api.post(f"{BASE}/{list_id}/export")
    assert status == 202 and body["status"] == "running", body
    path = f"{BASE}/{list_id}/exports/{body['exportId']}"
    assert api.get(path)[1] == {"exportId": body["exportId"], "status": "running"}
    drain_queue(aws, "ExportQueue", "ExportFunction")
    status, done, _ = api.get(path)
    assert status == 200 and done["status"] == "complete", done
    return done


@pytest.mark.parametrize("make", [company_list, person_list])
def test_lead_list_export_within_the_budget_answers_the_link(api, catalog, aws, make):
    created, ids = make(api, catalog)
    status, body, _ = api.post(f"{BASE}/{created['id']}/export")
    assert status == 200, body
    assert set(body) == {"url", "expiresAt", "rows"} and body["rows"] == len(ids)
    assert download(body["url"]) == expected_rows(created["type"], ids)


@pytest.mark.parametrize("make", [company_list, person_list])
def test_lead_list_export_beyond_the_budget_runs_in_the_background(
    api, catalog, aws, monkeypatch, make
):
    created, ids = make(api, catalog)
    set_budget(monkeypatch, len(ids) - 1)
    done = background_export(api, aws, created["id"])
    assert done["rows"] == len(ids)
    rows = download(done["url"])
    model = Company if created["type"] == "company" else Person
    assert list(rows[0]) == list(model.model_fields)
    assert rows == expected_rows(created["type"], ids)
    assert len(export_objects(aws, created["id"])) == 1


def test_lead_list_export_neutralizes_formula_cells(api, catalog, aws, monkeypatch):
    created, ids = company_list(api, catalog, count=2)
    copy = tenant_records.get_copies(ORG_A, keys.COMPANY, [ids[0]])[ids[0]]
    hostile = {"name": "=cmd|' /C calc'!A0", "description": "ok;@SUM(1)", "phones": ["+4930123456"]}
    tenant_records.put_copies(ORG_A, keys.COMPANY, [{**copy, **hostile}])
    set_budget(monkeypatch, 0)
    row = download(background_export(api, aws, created["id"])["url"])[0]
    assert row["id"] == ids[0]
    assert row["name"] == "'=cmd|' /C calc'!A0"
    assert row["description"] == "ok;'@SUM(1)"
    assert row["phones"] == "+4930123456"


def test_an_empty_lead_list_exports_only_the_header(api, catalog, aws):
    created = new_list(api, "person")
    status, body, _ = api.post(f"{BASE}/{created['id']}/export")
    assert status == 200 and body["rows"] == 0
    assert download(body["url"]) == []


def test_lead_list_exports_follow_the_access_rule(api, catalog, aws, monkeypatch):
    created, _ = company_list(api, catalog, count=3)
    set_budget(monkeypatch, 0)
    export_id = api.post(f"{BASE}/{created['id']}/export")[1]["exportId"]
    path = f"{BASE}/{created['id']}/exports/{export_id}"
    before = snapshot()
    # A member the list is not shared with: 403 on both routes, and nothing is written.
    assert_error(*api.as_(**MEMBER).post(f"{BASE}/{created['id']}/export")[:2], 403, "FORBIDDEN")
    assert_error(*api.as_(**MEMBER).get(path)[:2], 403, "FORBIDDEN")
    assert snapshot() == before
    # Shared with that user: allowed.
    status, body, _ = api.call(
        "PATCH", f"{BASE}/{created['id']}", {"userIds": ["user_1", "user_2"]}
    )
    assert status == 200, body
    assert api.as_(**MEMBER).get(path)[1]["status"] == "running"
    status, body, _ = api.as_(**MEMBER).post(f"{BASE}/{created['id']}/export")
    assert status == 202 and body["exportId"] != export_id


def test_lead_list_export_errors(api, catalog, aws, monkeypatch):
    created, _ = person_list(api, catalog, count=2)
    other, _ = person_list(api, catalog, count=2)
    set_budget(monkeypatch, 0)
    export_id = api.post(f"{BASE}/{created['id']}/export")[1]["exportId"]
    # Malformed ids: 400 naming the field.
    status, body, _ = api.post(f"{BASE}/not-a-uuid/export")
    assert_error(status, body, 400, "BAD_REQUEST")
    status, body, _ = api.get(f"{BASE}/{created['id']}/exports/nope")
    assert_error(status, body, 400, "BAD_REQUEST")
    assert {d["field"] for d in body["details"]} == {"exportId"}
    # Unknown list, unknown export, another list's export, another organization's list.
    assert_error(*api.post(f"{BASE}/{UNKNOWN}/export")[:2], 404, "NOT_FOUND")
    assert_error(*api.get(f"{BASE}/{created['id']}/exports/{UNKNOWN}")[:2], 404, "NOT_FOUND")
    assert_error(*api.get(f"{BASE}/{other['id']}/exports/{export_id}")[:2], 404, "NOT_FOUND")
    foreign = api.as_(org=ORG_B)
    assert_error(*foreign.post(f"{BASE}/{created['id']}/export")[:2], 404, "NOT_FOUND")
    assert_error(*foreign.get(f"{BASE}/{created['id']}/exports/{export_id}")[:2], 404, "NOT_FOUND")


def test_exports_of_one_kind_of_list_are_not_found_through_the_other(
    api, catalog, aws, monkeypatch
):
    from test_export import saved_list

    saved = saved_list(api, aws, {"countries": ["Germany"]})
    created, _ = person_list(api, catalog, count=2)
    set_budget(monkeypatch, 0)
    saved_export = api.post(f"/lists/{saved['id']}/export")[1]["exportId"]
    lead_export = api.post(f"{BASE}/{created['id']}/export")[1]["exportId"]
    status, body, _ = api.get(f"{BASE}/{created['id']}/exports/{saved_export}")
    assert_error(status, body, 404, "NOT_FOUND")
    assert_error(*api.get(f"/lists/{saved['id']}/exports/{lead_export}")[:2], 404, "NOT_FOUND")
