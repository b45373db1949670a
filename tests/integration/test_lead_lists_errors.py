"""Every error row of the contract for lead lists, and hostile input: the contract's body, the
right status, never a 500, and nothing changed by a failed request."""

from __future__ import annotations

import json

import pytest
from lead_list_helpers import BASE, UNKNOWN, assert_error, fields, new_list, snapshot

from conftest import ORG_A, ORG_B, Api

VALID_CREATE = {
    "name": "Valid",
    "type": "company",
    "startDate": "2024-01-01T00:00:00.000Z",
    "endDate": "2024-03-31T23:59:59.000Z",
}
U1 = "550e8400-e29b-41d4-a716-446655440001"


# 400: schema violations, with details naming every field ---------------------------------------


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"name": 7}, "name"),
        ({"name": None}, "name"),
        ({"type": "prospect"}, "type"),
        ({"type": ["company"]}, "type"),
        ({"startDate": "yesterday"}, "startDate"),
        ({"startDate": 1704067200}, "startDate"),
        ({"startDate": "2024-02-30"}, "startDate"),
        ({"endDate": "0999-01-01"}, "endDate"),
        ({"endDate": "2023-12-31"}, "endDate"),  # before startDate
        ({"icpId": "not-a-uuid"}, "icpId"),
        ({"icpId": 5}, "icpId"),
        ({"userIds": "user_1"}, "userIds"),
        ({"userIds": [1]}, "userIds.0"),
        ({"userIds": [""]}, "userIds.0"),
        ({"userIds": ["u"] * 101}, "userIds"),
        ({"personIds": []}, "personIds"),
        ({"id": U1}, "id"),
        ({"unexpected": {"deep": [1, 2, {"x": None}]}}, "unexpected"),
    ],
)
def test_create_rejects_each_bad_field(api, change, field):
    before = snapshot()
    status, body, _ = api.post(BASE, {**VALID_CREATE, **change})
    assert_error(status, body, 400, "BAD_REQUEST")
    assert field in fields(body)
    assert snapshot() == before


def test_create_lists_every_missing_field(api):
    status, body, _ = api.post(BASE, {})
    assert_error(status, body, 400, "BAD_REQUEST")
    assert {"name", "type", "startDate", "endDate"} <= fields(body)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "body"),
        ({"organizationId": ORG_A}, "body"),
        ({"name": None}, "name"),
        ({"startDate": None}, "startDate"),
        ({"userIds": []}, "userIds"),
        ({"userIds": None}, "userIds"),
        ({"type": "person"}, "type"),
        ({"icpId": "nope"}, "icpId"),
        ({"endDate": "not a date"}, "endDate"),
    ],
)
def test_patch_rejects_bad_bodies(api, body, field):
    created = new_list(api)
    before = snapshot()
    status, answer, _ = api.call("PATCH", f"{BASE}/{created['id']}", body)
    assert_error(status, answer, 400, "BAD_REQUEST")
    assert field in fields(answer)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "companyIds"),
        ({"companyIds": []}, "companyIds"),
        ({"companyIds": U1}, "companyIds"),
        ({"companyIds": [U1, "nope"]}, "companyIds.1"),
        ({"companyIds": [U1, 12]}, "companyIds.1"),
        ({"companyIds": [U1, None]}, "companyIds.1"),
        ({"companyIds": [{"id": U1}]}, "companyIds.0"),
        ({"companyIds": ["x" * 100_000]}, "companyIds.0"),
        ({"companyIds": [U1] * 1001}, "companyIds"),
        ({"companyIds": [U1], "extra": True}, "extra"),
    ],
)
def test_add_companies_rejects_bad_bodies(api, body, field):
    created = new_list(api)
    before = snapshot()
    status, answer, _ = api.post(f"{BASE}/{created['id']}/add-companies", body)
    assert_error(status, answer, 400, "BAD_REQUEST")
    assert field in fields(answer)
    assert snapshot() == before


def test_every_invalid_uuid_is_its_own_detail(api):
    created = new_list(api)
    status, body, _ = api.post(
        f"{BASE}/{created['id']}/add-companies", {"companyIds": ["a", U1, "b", "c"]}
    )
    assert_error(status, body, 400, "BAD_REQUEST")
    assert body["details"] == [
        {"field": f"companyIds.{n}", "message": "Invalid UUID"} for n in (0, 2, 3)
    ]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "body"),
        ({"persons": [{"id": U1}], "selection": {"searchId": U1, "selectAll": True}}, "body"),
        ({"persons": []}, "persons"),
        ({"persons": [{"id": U1}] * 1001}, "persons"),
        ({"persons": [{}]}, "persons.0.id"),
        ({"persons": [{"id": "nope"}]}, "persons.0.id"),
        ({"persons": [{"id": U1, "fullName": 3}]}, "persons.0.fullName"),
        ({"persons": [{"id": U1, "email": "e" * 501}]}, "persons.0.email"),
        ({"persons": [{"id": U1, "phones": "555"}]}, "persons.0.phones"),
        ({"persons": [{"id": U1, "phones": ["5"] * 21}]}, "persons.0.phones"),
        ({"persons": [{"id": U1, "salary": 1}]}, "persons.0.salary"),
        ({"persons": {"id": U1}}, "persons"),
        ({"selection": {}}, "selection.searchId"),
        ({"selection": {"searchId": U1}}, "selection"),
        ({"selection": {"searchId": U1, "ids": [U1], "selectAll": True}}, "selection"),
        ({"selection": {"searchId": U1, "ids": [U1], "limit": 3}}, "selection"),
        ({"selection": {"searchId": U1, "ids": [U1], "excludeIds": [U1]}}, "selection"),
        ({"selection": {"searchId": U1, "ids": []}}, "selection.ids"),
        ({"selection": {"searchId": U1, "ids": ["x"]}}, "selection.ids.0"),
        ({"selection": {"searchId": U1, "ids": [U1] * 1001}}, "selection.ids"),
        ({"selection": {"searchId": U1, "selectAll": "true"}}, "selection.selectAll"),
        ({"selection": {"searchId": U1, "selectAll": 1}}, "selection.selectAll"),
        ({"selection": {"searchId": U1, "selectAll": True, "limit": 0}}, "selection.limit"),
        ({"selection": {"searchId": U1, "selectAll": True, "limit": True}}, "selection.limit"),
        ({"selection": {"searchId": U1, "selectAll": True, "limit": 2.5}}, "selection.limit"),
        ({"selection": {"searchId": U1, "selectAll": True, "excludeIds": ["x"]}},
         "selection.excludeIds.0"),
        ({"selection": {"searchId": "nope", "selectAll": True}}, "selection.searchId"),
        ({"selection": [U1]}, "selection"),
    ],
)  # fmt: skip
def test_add_prospects_rejects_bad_bodies(api, body, field):
    created = new_list(api, "person")
    before = snapshot()
    status, answer, _ = api.post(f"{BASE}/{created['id']}/add-prospects", body)
    assert_error(status, answer, 400, "BAD_REQUEST")
    assert field in fields(answer), answer
    assert snapshot() == before


@pytest.mark.parametrize(
    ("suffix", "body", "field"),
    [
        ("/remove-companies", {"companyIds": []}, "companyIds"),
        ("/remove-companies", {"personIds": [U1]}, "personIds"),
        ("/remove-prospects", {"personIds": ["x"]}, "personIds.0"),
        ("/remove-prospects", {"personIds": [U1] * 1001}, "personIds"),
    ],
)
def test_remove_rejects_bad_bodies(api, suffix, body, field):
    created = new_list(api, "person" if "prospects" in suffix else "company")
    status, answer, _ = api.post(f"{BASE}/{created['id']}{suffix}", body)
    assert_error(status, answer, 400, "BAD_REQUEST")
    assert field in fields(answer)


# 400: malformed JSON, non-UUID path ids, bad paging ---------------------------------------------


@pytest.mark.parametrize(
    "raw",
    ["{", "not json", "[1, 2]", "null", '"string"', '{"companyIds": }', "\x00\x01", "1e999999",
     "[" * 100_000 + "]" * 100_000, '{"companyIds": [' + "9" * 5000 + "]}"],
)  # fmt: skip
def test_malformed_bodies_are_bad_requests(api, raw):
    created = new_list(api)
    before = snapshot()
    for path in (BASE, f"{BASE}/{created['id']}/add-companies"):
        status, body, _ = api.post(path, raw=raw)
        assert_error(status, body, 400, "BAD_REQUEST")
    assert snapshot() == before


def test_a_non_json_content_type_is_a_bad_request(api):
    created = new_list(api)
    status, body, _ = api.post(
        f"{BASE}/{created['id']}/add-companies",
        raw="companyIds=x",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert_error(status, body, 400, "BAD_REQUEST")


@pytest.mark.parametrize(
    "list_id", ["not-a-uuid", "1", "x" * 500, "%00", "..", "550e8400-e29b-41d4-a716-44665544000Z"]
)
@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("GET", "", None),
        ("PATCH", "", {"name": "x"}),
        ("DELETE", "", None),
        ("POST", "/add-companies", {"companyIds": [U1]}),
        ("POST", "/add-prospects", {"persons": [{"id": U1}]}),
        ("POST", "/remove-companies", {"companyIds": [U1]}),
        ("POST", "/remove-prospects", {"personIds": [U1]}),
    ],
)
def test_non_uuid_path_ids_are_bad_requests(api, list_id, method, suffix, body):
    status, answer, _ = api.call(method, f"{BASE}/{list_id}{suffix}", body)
    assert_error(status, answer, 400, "BAD_REQUEST")
    assert fields(answer) == {"id"}


@pytest.mark.parametrize(
    "query",
    ["limit=0", "limit=101", "limit=abc", "limit=true", "nextToken=@@@", "nextToken=" + "A" * 3000,
     "nextToken=eyJwayI6eyJTIjoiT1JHI29yZ19iZXRhI0xFQURMSVNUUyJ9fQ"],
)  # fmt: skip
def test_bad_paging_is_a_bad_request(api, query):
    new_list(api)
    status, body, _ = api.get(BASE, query=query)
    assert_error(status, body, 400, "BAD_REQUEST")


def test_a_token_of_another_organization_is_refused(api):
    for n in range(3):
        new_list(api.as_(org=ORG_B), name=f"B{n}")
    _, page, _ = api.as_(org=ORG_B).get(BASE, query="limit=1")
    status, body, _ = api.get(BASE, query=f"limit=1&nextToken={page['nextToken']}")
    assert_error(status, body, 400, "BAD_REQUEST")


# 401, 403, 413 ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "claim_set",
    [None, {}, {"sub": "user_1"}, {"sub": "user_1", "org_id": ""}, {"org_id": ORG_A}],
)
@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", BASE, VALID_CREATE),
        ("GET", BASE, None),
        ("GET", f"{BASE}/{U1}", None),
        ("PATCH", f"{BASE}/{U1}", {"name": "x"}),
        ("DELETE", f"{BASE}/{U1}", None),
        ("POST", f"{BASE}/{U1}/add-companies", {"companyIds": [U1]}),
        ("POST", f"{BASE}/{U1}/add-prospects", {"persons": [{"id": U1}]}),
        ("POST", f"{BASE}/{U1}/remove-companies", {"companyIds": [U1]}),
        ("POST", f"{BASE}/{U1}/remove-prospects", {"personIds": [U1]}),
    ],
)
def test_no_organization_claim_is_unauthorized(aws, claim_set, method, path, body):
    status, answer, _ = Api(claim_set).call(method, path, body)
    assert_error(status, answer, 401, "UNAUTHORIZED")


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("POST", None, {**VALID_CREATE}),
        ("PATCH", "", {"name": "x"}),
        ("POST", "/add-companies", {"companyIds": [U1]}),
        ("POST", "/remove-companies", {"companyIds": [U1]}),
    ],
)
def test_a_foreign_organization_id_in_a_body_is_forbidden(api, method, suffix, body):
    created = new_list(api)
    path = BASE if suffix is None else f"{BASE}/{created['id']}{suffix}"
    before = snapshot()
    status, answer, _ = api.call(method, path, {**body, "organizationId": ORG_B})
    assert_error(status, answer, 403, "FORBIDDEN")
    assert snapshot() == before
    # The caller's own organization id is accepted.
    status, _, _ = api.call(method, path, {**body, "organizationId": ORG_A})
    assert status in (200, 201, 400)


def test_a_foreign_organization_id_in_add_prospects_is_forbidden(api):
    created = new_list(api, "person")
    status, body, _ = api.post(
        f"{BASE}/{created['id']}/add-prospects",
        {"persons": [{"id": U1}], "organizationId": ORG_B},
    )
    assert_error(status, body, 403, "FORBIDDEN")


def test_oversize_bodies_are_413(api):
    created = new_list(api)
    before = snapshot()
    raw = json.dumps({"companyIds": [U1], "pad": "x" * (1024 * 1024)})
    status, body, _ = api.post(f"{BASE}/{created['id']}/add-companies", raw=raw)
    assert_error(status, body, 413, "PAYLOAD_TOO_LARGE")
    assert snapshot() == before


def test_hostile_values_never_cause_a_500(api, catalog):
    company_list, person_list = new_list(api), new_list(api, "person")
    junk = [None, True, 0, -1, 1.5, 10**30, "", "x" * 20_000, [], [[[]]], {}, {"a": {"b": {}}},
            "\u0000", "💥" * 1000, "<script>", "' OR 1=1 --", "#n0", ":v0", "${x}"]  # fmt: skip
    bodies = []
    for value in junk:
        bodies += [
            (BASE, {**VALID_CREATE, "name": value}),
            (BASE, {**VALID_CREATE, "userIds": value}),
            (f"{BASE}/{company_list['id']}/add-companies", {"companyIds": value}),
            (f"{BASE}/{company_list['id']}/add-companies", {"companyIds": [value]}),
            (f"{BASE}/{person_list['id']}/add-prospects", {"persons": [{"id": U1, "city": value}]}),
            (f"{BASE}/{person_list['id']}/add-prospects", {"selection": value}),
            (f"{BASE}/{person_list['id']}/add-prospects",
             {"selection": {"searchId": U1, "selectAll": True, "excludeIds": value}}),
        ]  # fmt: skip
    for path, body in bodies:
        status, answer, _ = api.post(path, body)
        assert status < 500, (path, body, answer)
    status, answer, _ = api.call("PATCH", f"{BASE}/{company_list['id']}", {"name": "💥" * 200})
    assert status == 200 and answer["name"] == "💥" * 200
    assert api.get(f"{BASE}/{UNKNOWN}")[0] == 404
