"""Every error row of the contract for saved lists, and hostile input: the contract's body, the
right status, never a 500, and nothing changed by a failed request."""

from __future__ import annotations

import json
import os

import boto3
import pytest

from conftest import ORG_A, Api, claims
from leadlists.auth import Caller
from leadlists.repositories import keys
from leadlists.repositories import saved_lists as repo

VALID = {
    "organizationId": ORG_A,
    "listName": "Valid",
    "contacts_found": 0,
    "filter": {"countries": ["United States"]},
}


def assert_error(status: int, body: dict, want_status: int, code: str) -> None:
    assert status == want_status, body
    assert body["code"] == code
    assert isinstance(body["message"], str) and body["message"]
    assert isinstance(body["requestId"], str) and body["requestId"]


def fields(body: dict) -> set[str]:
    return {d["field"] for d in body.get("details", [])}


def no_lists(org: str = ORG_A) -> bool:
    return repo.page(org, 100, None)[0] == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"listName": ""}, "listName"),
        ({"listName": "   "}, "listName"),
        ({"listName": "x" * 201}, "listName"),
        ({"listName": 7}, "listName"),
        ({"contacts_found": -1}, "contacts_found"),
        ({"contacts_found": True}, "contacts_found"),
        ({"contacts_found": "3"}, "contacts_found"),
        ({"contacts_found": 1.5}, "contacts_found"),
        ({"filter": {}}, "filter"),
        ({"filter": []}, "filter"),
        ({"filter": {"planets": ["Mars"]}}, "filter.planets"),
        ({"filter": {"countries": "US"}}, "filter.countries"),
        ({"id": "not-a-uuid"}, "id"),
        ({"autoUpdate": "yes"}, "autoUpdate"),
        ({"maxContacts": 0}, "maxContacts"),
        ({"version": 0}, "version"),
        ({"connectedIntegration": {"type": "x"}}, "connectedIntegration.id"),
        ({"unexpected": 1}, "unexpected"),
        ({"organizationId": None}, "organizationId"),
    ],
)
def test_save_rejects_each_bad_field_with_details(api, change, field):
    status, body, _ = api.post("/lists/save", {**VALID, **change})
    assert_error(status, body, 400, "BAD_REQUEST")
    assert field in fields(body)
    assert no_lists()


def test_save_lists_every_missing_field(api):
    status, body, _ = api.post("/lists/save", {})
    assert_error(status, body, 400, "BAD_REQUEST")
    assert {"organizationId", "listName", "contacts_found", "filter"} <= fields(body)


@pytest.mark.parametrize(
    "raw",
    ["{", "not json", "[1, 2]", "null", '"string"', '{"listName": }', "\x00\x01", "1e999999"],
)
def test_malformed_bodies_are_bad_requests(api, raw):
    status, body, _ = api.post("/lists/save", raw=raw)
    assert_error(status, body, 400, "BAD_REQUEST")
    assert no_lists()


def test_non_json_content_type_is_a_bad_request(api):
    form = "organizationId=org_alpha&listName=x"
    for content_type in ("application/x-www-form-urlencoded", "multipart/form-data", "text/plain"):
        status, body, _ = api.post("/lists/save", raw=form, headers={"content-type": content_type})
        assert_error(status, body, 400, "BAD_REQUEST")


def test_oversize_body_is_413_and_changes_nothing(api):
    huge = {**VALID, "filter": {"keywords": ["k" * 200] * 100}, "pad": "x" * (1024 * 1024)}
    status, body, _ = api.post("/lists/save", huge)
    assert_error(status, body, 413, "PAYLOAD_TOO_LARGE")
    assert no_lists()


def test_deeply_nested_and_huge_values_are_rejected_cleanly(api):
    nested: object = "x"
    for _ in range(200):
        nested = {"a": nested}
    for junk in (nested, [[[[[]]]]], {"countries": [{"$ne": 1}]}, "x" * 100_000):
        status, body, _ = api.post("/lists/save", {**VALID, "filter": junk})
        assert_error(status, body, 400, "BAD_REQUEST")
    assert no_lists()


@pytest.mark.parametrize(
    "value",
    [") OR (#n0 = :v0", ":v0", "#n0", "' OR '1'='1", "attribute_exists(pk)", "ünïcødé 🚀", "a\nb"],
)
def test_expression_like_filter_values_stay_data(api, catalog, value):
    body = {**VALID, "listName": f"L {value}", "filter": {"countries": [value]}}
    status, saved, _ = api.post("/lists/save", body)
    assert status == 200, saved
    status, refreshed, _ = api.post(f"/lists/refresh/{saved['id']}")
    assert status == 200
    assert refreshed["contactsNum"] == 0 and refreshed["usedFilter"] == {"countries": [value]}


def test_unauthenticated_and_org_less_callers_are_401(aws):
    for who in (None, {"sub": "user_1"}, {"org_id": ORG_A}, {"sub": "", "org_id": ORG_A}):
        caller = Api(who)
        for method, path, payload in (
            ("GET", f"/lists/{ORG_A}", None),
            ("POST", "/lists/save", VALID),
            ("POST", "/lists/refresh/abc", None),
            ("DELETE", "/lists/abc", None),
            ("GET", "/lists/abc/contacts", None),
        ):
            status, body, _ = caller.call(method, path, payload)
            assert_error(status, body, 401, "UNAUTHORIZED")


def test_401_comes_before_body_validation(aws):
    status, body, _ = Api(None).post("/lists/save", raw="{broken")
    assert_error(status, body, 401, "UNAUTHORIZED")


def test_foreign_organization_id_in_a_body_is_403(api, catalog):
    status, body, _ = api.post("/lists/save", {**VALID, "organizationId": "org_beta"})
    assert_error(status, body, 403, "FORBIDDEN")
    assert no_lists() and no_lists("org_beta")
    _, saved, _ = api.post("/lists/save", VALID)
    status, body, _ = api.post(f"/lists/refresh/{saved['id']}", {"organizationId": "org_beta"})
    assert_error(status, body, 403, "FORBIDDEN")


@pytest.mark.parametrize(
    "query",
    ["limit=0", "limit=101", "limit=abc", "limit=-5", "nextToken=%%%", "nextToken=bm90LWpzb24"],
)
def test_bad_paging_parameters_are_400(api, query):
    status, body, _ = api.get(f"/lists/{ORG_A}", query=query)
    assert_error(status, body, 400, "BAD_REQUEST")


def test_a_next_token_cannot_cross_into_another_organization(api, catalog):
    other = api.as_(org="org_beta")
    for n in range(3):
        other.post("/lists/save", {**VALID, "organizationId": "org_beta", "listName": f"B{n}"})
    _, _, headers = other.get("/lists/org_beta", query="limit=1")
    token = headers["X-Next-Token"]
    status, body, _ = api.get(f"/lists/{ORG_A}", query=f"nextToken={token}")
    assert_error(status, body, 400, "BAD_REQUEST")


def test_forged_token_inside_the_callers_partition_is_handled(api, catalog):
    import base64

    forged = {"gsi1pk": {"S": f"ORG#{ORG_A}#LISTS"}, "gsi1sk": {"S": "x"}, "pk": {"S": "zzz"}}
    token = base64.urlsafe_b64encode(json.dumps(forged).encode()).decode().rstrip("=")
    status, body, _ = api.get(f"/lists/{ORG_A}", query=f"nextToken={token}")
    assert status in (200, 400)
    assert status == 200 or body["code"] == "BAD_REQUEST"


ROUTES = (
    ("GET", "/lists/{}"),
    ("POST", "/lists/refresh/{}"),
    ("POST", "/lists/{}/export"),
    ("DELETE", "/lists/{}"),
    ("GET", "/lists/{}/contacts"),
)


def assert_404_on_every_route(api: Api, list_id: str) -> None:
    for method, path in ROUTES:
        status, body, _ = api.call(method, path.format(list_id))
        assert_error(status, body, 404, "NOT_FOUND")


def assert_malformed_on_every_route(api: Api, list_id: str) -> None:
    """A malformed list id is a 400 on field `id`; GET /lists/{key} reads a key that is no list
    id as an organization id (another one, or none): 404."""
    for method, path in ROUTES:
        status, body, _ = api.call(method, path.format(list_id))
        # GET /lists/{key}: another organization; a raw "#" (which HTTP cannot carry) may
        # match no route at all.
        if (method, path) == ("GET", "/lists/{}") or ("#" in list_id and status == 404):
            assert_error(status, body, 404, "NOT_FOUND")
        else:
            assert_error(status, body, 400, "BAD_REQUEST")
            assert fields(body) == {"id"}


def test_unknown_lists_are_404_on_every_route(api):
    assert_404_on_every_route(api, "00000000-0000-4000-8000-000000000000")


@pytest.mark.parametrize("list_id", ["missing", "x" * 300])
def test_malformed_list_ids_are_400_on_every_route(api, list_id):
    assert_malformed_on_every_route(api, list_id)


LOOKALIKES = {
    "run item": lambda i: f"{i}#RUN#x",
    "encoded run item": lambda i: f"{i}%23RUN%23x",
    "braces": lambda i: f"{{{i}}}",
    "urn": lambda i: f"urn:uuid:{i}",
    "no dashes": lambda i: i.replace("-", ""),
}


def _plant_run_item(list_id: str) -> None:
    """A refresh run's item: it sits at "<list key>#RUN#<run>" / #META."""
    run_key = keys.refresh_run(ORG_A, list_id, "x")
    boto3.client("dynamodb").put_item(
        TableName=os.environ["TENANT_TABLE"],
        Item={k: {"S": v} for k, v in {**run_key, "status": "running", "name": "run"}.items()},
    )


@pytest.mark.parametrize("variant", LOOKALIKES.values(), ids=LOOKALIKES.keys())
def test_ids_that_only_resemble_a_list_are_malformed_on_every_route(api, catalog, variant):
    _, saved, _ = api.post("/lists/save", VALID)
    _plant_run_item(saved["id"])
    list_id = variant(saved["id"])
    assert_malformed_on_every_route(api, list_id)
    assert api.get(f"/lists/{saved['id']}")[0] == 200  # the real one is untouched


def test_a_list_id_with_a_key_separator_never_reaches_a_key(api, catalog):
    # The gateway hands ids over still percent-encoded, so a `#` cannot arrive through HTTP
    # today; the service refuses it anyway rather than answer a run item as a list.
    from leadlists.errors import NotFound
    from leadlists.services import saved_lists

    _, saved, _ = api.post("/lists/save", VALID)
    _plant_run_item(saved["id"])
    caller = Caller(user_id="user_1", org_id=ORG_A, is_admin=True)
    with pytest.raises(NotFound):
        saved_lists.get(caller, f"{saved['id']}#RUN#x")


def test_refresh_body_with_unknown_fields_is_400(api, catalog):
    _, saved, _ = api.post("/lists/save", VALID)
    status, body, _ = api.post(f"/lists/refresh/{saved['id']}", {"force": True})
    assert_error(status, body, 400, "BAD_REQUEST")


def test_non_admin_members_of_the_org_use_saved_lists(aws, catalog):
    member = Api(claims(role="member"))
    status, saved, _ = member.post("/lists/save", VALID)
    assert status == 200
    assert member.get(f"/lists/{saved['id']}")[0] == 200


def test_an_answer_over_lambdas_limit_is_the_contracts_500(api, catalog, monkeypatch):
    # Routes cap their answers far below 6 MB; the adapter's guard is the last line: an answer
    # Lambda would drop with a bare error becomes the contract's body with a request id.
    api.post("/lists/save", VALID)
    monkeypatch.setattr("leadlists.api.MAX_RESPONSE_BODY", 50)
    status, body, _ = api.get(f"/lists/{ORG_A}")
    assert_error(status, body, 500, "INTERNAL_ERROR")
    monkeypatch.setattr("leadlists.api.MAX_RESPONSE_BODY", 6_000_000)
    status, lists, _ = api.get(f"/lists/{ORG_A}")
    assert status == 200 and len(lists) == 1
