"""Lead lists: create, list, get, patch, delete, and who may see and change them."""

from __future__ import annotations

import re

import pytest
from lead_list_helpers import BASE, UNKNOWN, assert_error, new_list, tenant_items

from conftest import ORG_B, drain_queue
from leadlists.services import cleanup

ISO_MS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
SEED_FIELDS = {
    "id", "icpId", "name", "type", "startDate", "endDate", "personIds", "companyIds", "userIds",
    "createdAt", "updatedAt",
}  # fmt: skip
# The seed's object plus the paging of its members (the first 1,000 shown).
LIST_FIELDS = SEED_FIELDS | {"memberCount", "membersNextToken", "ownerId"}
# A listing's item: the list's fields and its member count, no member ids.
LISTING_FIELDS = SEED_FIELDS - {"personIds", "companyIds"} | {"memberCount", "ownerId"}


def test_create_answers_201_with_the_seed_fields_and_member_paging(api):
    status, body, _ = api.post(
        BASE,
        {
            "name": "  Enterprise Accounts Q1 ",
            "type": "company",
            "startDate": "2024-01-01",
            "endDate": "2024-03-31T23:59:59+02:00",
            "icpId": "660E8400-E29B-41D4-A716-446655440001",
            "userIds": ["user_xyz789", "user_xyz789"],
        },
    )
    assert status == 201, body
    assert set(body) == LIST_FIELDS
    assert body["name"] == "Enterprise Accounts Q1"
    assert body["startDate"] == "2024-01-01T00:00:00.000Z"
    assert body["endDate"] == "2024-03-31T21:59:59.000Z"
    assert body["icpId"] == "660e8400-e29b-41d4-a716-446655440001"
    # Duplicates collapse and the creator is always included.
    assert body["userIds"] == ["user_xyz789", "user_1"]
    assert body["personIds"] == [] and body["companyIds"] == []
    assert body["memberCount"] == 0 and body["membersNextToken"] is None
    assert ISO_MS.match(body["createdAt"]) and body["createdAt"] == body["updatedAt"]


def test_create_defaults(api):
    body = new_list(api, "person")
    assert body["icpId"] is None
    assert body["userIds"] == ["user_1"]
    assert body["type"] == "person"


def test_get_populates_companies_for_a_company_list(api, catalog):
    created = new_list(api)
    ids = [c["id"] for c in catalog["companies"][:3]]
    api.post(f"{BASE}/{created['id']}/add-companies", {"companyIds": ids})
    status, body, _ = api.get(f"{BASE}/{created['id']}")
    assert status == 200, body
    assert set(body) == LIST_FIELDS | {"companies"}
    assert sorted(body["companyIds"]) == sorted(ids)
    assert [c["id"] for c in body["companies"]] == body["companyIds"]
    assert body["companies"][0]["name"] and "phones" in body["companies"][0]


def test_get_populates_persons_for_a_person_list(api, catalog):
    created = new_list(api, "person")
    people = catalog["persons"][:2]
    persons = [{"id": p["id"]} for p in people]
    api.post(f"{BASE}/{created['id']}/add-prospects", {"persons": persons})
    status, body, _ = api.get(f"{BASE}/{created['id']}")
    assert status == 200, body
    assert set(body) == LIST_FIELDS | {"persons"}
    assert sorted(body["personIds"]) == sorted(p["id"] for p in people)
    assert {p["fullName"] for p in body["persons"]} == {p["fullName"] for p in people}
    # Only the contract's person fields, not the catalog's denormalized company facets.
    assert "companyDescription" not in body["persons"][0]


def test_list_pages_the_callers_lists(api):
    made = [new_list(api, name=f"L{n}")["id"] for n in range(5)]
    seen, token, pages = [], None, 0
    while True:
        query = "limit=2" + (f"&nextToken={token}" if token else "")
        status, body, _ = api.get(BASE, query=query)
        assert status == 200, body
        assert len(body["leadLists"]) <= 2
        seen += [item["id"] for item in body["leadLists"]]
        pages += 1
        token = body["nextToken"]
        if not token:
            break
    assert seen == made  # oldest first, each exactly once
    assert pages == 3


def test_non_admins_see_only_lists_shared_with_them(api):
    mine = new_list(api.as_(user="user_2", role=None), name="Mine")
    shared = new_list(api, name="Shared", userIds=["user_2"])
    new_list(api, name="Hidden")
    status, body, _ = api.as_(user="user_2", role=None).get(BASE, query="limit=1")
    assert status == 200
    ids = [item["id"] for item in body["leadLists"]]
    token = body["nextToken"]
    while token:
        _, body, _ = api.as_(user="user_2", role=None).get(BASE, query=f"limit=1&nextToken={token}")
        ids += [item["id"] for item in body["leadLists"]]
        token = body["nextToken"]
    assert ids == [mine["id"], shared["id"]]
    # Admins see all of them.
    _, body, _ = api.get(BASE)
    assert len(body["leadLists"]) == 3


def test_list_carries_member_counts_not_member_ids(api, catalog):
    created = new_list(api)
    companies = [c["id"] for c in catalog["companies"][:3]]
    api.post(f"{BASE}/{created['id']}/add-companies", {"companyIds": companies})
    _, body, _ = api.get(BASE)
    assert body["leadLists"] == [
        {**{k: created[k] for k in LISTING_FIELDS - {"updatedAt", "memberCount"}},
         "updatedAt": body["leadLists"][0]["updatedAt"], "memberCount": 3}
    ]  # fmt: skip


def test_other_organizations_lists_are_invisible(api):
    new_list(api)
    status, body, _ = api.as_(org=ORG_B).get(BASE)
    assert status == 200 and body == {"leadLists": [], "nextToken": None}


def test_patch_changes_only_the_fields_given(api):
    created = new_list(api, icpId="660e8400-e29b-41d4-a716-446655440001")
    status, body, _ = api.call(
        "PATCH", f"{BASE}/{created['id']}", {"name": "Renamed", "endDate": "2024-06-30"}
    )
    assert status == 200, body
    assert body["name"] == "Renamed"
    assert body["endDate"] == "2024-06-30T00:00:00.000Z"
    assert body["startDate"] == created["startDate"]
    assert body["icpId"] == created["icpId"]
    assert body["updatedAt"] >= created["updatedAt"]
    assert body["companies"] == []
    status, body, _ = api.call("PATCH", f"{BASE}/{created['id']}", {"icpId": None})
    assert status == 200 and body["icpId"] is None
    _, again, _ = api.get(f"{BASE}/{created['id']}")
    assert again["icpId"] is None and again["name"] == "Renamed"


def test_patch_replaces_user_ids_and_access_follows(api):
    created = new_list(api)
    status, body, _ = api.call("PATCH", f"{BASE}/{created['id']}", {"userIds": ["user_2"]})
    # The owner (its creator) always stays in userIds.
    assert status == 200 and body["userIds"] == ["user_2", "user_1"]
    status, _, _ = api.as_(user="user_2", role=None).get(f"{BASE}/{created['id']}")
    assert status == 200
    status, body, _ = api.as_(user="user_3", role=None).get(f"{BASE}/{created['id']}")
    assert_error(status, body, 403, "FORBIDDEN")


def test_patch_checks_date_order_against_the_stored_dates(api):
    created = new_list(api)
    status, body, _ = api.call("PATCH", f"{BASE}/{created['id']}", {"startDate": "2025-01-01"})
    assert_error(status, body, 400, "BAD_REQUEST")
    assert body["details"] == [{"field": "endDate", "message": "Must not be before startDate"}]
    _, again, _ = api.get(f"{BASE}/{created['id']}")
    assert again["startDate"] == created["startDate"]


def test_delete_removes_the_list_and_every_member_item(api, catalog, aws, monkeypatch):
    monkeypatch.setattr(cleanup, "GRACE_SECONDS", 0)  # members go in the background, undelayed
    created = new_list(api)
    ids = [c["id"] for c in catalog["companies"][:30]]
    api.post(f"{BASE}/{created['id']}/add-companies", {"companyIds": ids})
    status, body, _ = api.delete(f"{BASE}/{created['id']}")
    assert status == 200 and body is None
    drain_queue(aws, "CleanupQueue", "CleanupFunction")
    leftovers = [i for i in tenant_items() if f"#LEADLIST#{created['id']}" in i["pk"]["S"]]
    assert leftovers == []
    status, body, _ = api.get(f"{BASE}/{created['id']}")
    assert_error(status, body, 404, "NOT_FOUND")
    status, body, _ = api.delete(f"{BASE}/{created['id']}")
    assert_error(status, body, 404, "NOT_FOUND")
    # No list uses their tenant copies any more (tests/test_deletes.py: those in use stay).
    assert not any("#COMPANY#" in i["pk"]["S"] for i in tenant_items())


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("GET", "", None),
        ("PATCH", "", {"name": "x"}),
        ("DELETE", "", None),
        ("POST", "/add-companies", {"companyIds": [UNKNOWN]}),
        ("POST", "/remove-companies", {"companyIds": [UNKNOWN]}),
    ],
)
def test_a_list_not_shared_with_a_non_admin_is_forbidden(api, method, suffix, body):
    created = new_list(api)
    before = [i for i in tenant_items() if created["id"] in i["pk"]["S"]]
    status, answer, _ = api.as_(user="user_2", role="member").call(
        method, f"{BASE}/{created['id']}{suffix}", body
    )
    assert_error(status, answer, 403, "FORBIDDEN")
    assert [i for i in tenant_items() if created["id"] in i["pk"]["S"]] == before


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("GET", "", None),
        ("PATCH", "", {"name": "x"}),
        ("DELETE", "", None),
        ("POST", "/add-companies", {"companyIds": [UNKNOWN]}),
        ("POST", "/add-prospects", {"persons": [{"id": UNKNOWN}]}),
        ("POST", "/remove-companies", {"companyIds": [UNKNOWN]}),
        ("POST", "/remove-prospects", {"personIds": [UNKNOWN]}),
    ],
)
def test_other_organizations_and_unknown_lists_are_not_found(api, method, suffix, body):
    created = new_list(api)
    for caller, list_id in ((api.as_(org=ORG_B), created["id"]), (api, UNKNOWN)):
        status, answer, _ = caller.call(method, f"{BASE}/{list_id}{suffix}", body)
        assert_error(status, answer, 404, "NOT_FOUND")
    _, still, _ = api.get(f"{BASE}/{created['id']}")
    assert still["name"] == created["name"]


def test_shared_non_admins_may_use_the_list(api, catalog):
    created = new_list(api, userIds=["user_2"])
    member = api.as_(user="user_2", role=None)
    company = catalog["companies"][0]["id"]
    path = f"{BASE}/{created['id']}/add-companies"
    status, body, _ = member.post(path, {"companyIds": [company]})
    assert status == 200 and body["companyIds"] == [company]
    status, body, _ = member.call("PATCH", f"{BASE}/{created['id']}", {"name": "Ours"})
    assert status == 200 and body["name"] == "Ours"
    # Using is not owning: resharing and deleting are the owner's (or an admin's).
    status, body, _ = member.delete(f"{BASE}/{created['id']}")
    assert_error(status, body, 403, "FORBIDDEN")
    status, _, _ = api.delete(f"{BASE}/{created['id']}")
    assert status == 200
