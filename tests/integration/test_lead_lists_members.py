"""add-companies and add-prospects exactly as the seeds say, remove-*, and the tenant copy."""

from __future__ import annotations

import boto3
from lead_list_helpers import BASE, UNKNOWN, assert_error, fields, new_list, person_input, snapshot

from conftest import ORG_A, ORG_B
from leadlists.config import settings
from leadlists.repositories import keys, tenant_records
from leadlists_local.catalog import seed_catalog

# add-companies ----------------------------------------------------------------------------------


def test_add_companies_answers_the_full_list_with_companies_populated(api, catalog):
    created = new_list(api)
    companies = catalog["companies"][:2]
    ids = [c["id"] for c in companies]
    status, body, headers = api.post(f"{BASE}/{created['id']}/add-companies", {"companyIds": ids})
    assert status == 200, body
    assert sorted(body["companyIds"]) == sorted(ids)
    assert body["personIds"] == []
    by_id = {c["id"]: c for c in body["companies"]}
    for company in companies:
        # The seed's company object, from the tenant copy of the catalog record.
        assert by_id[company["id"]] == {k: company.get(k) for k in by_id[company["id"]]}
    assert headers["X-Added-Count"] == "2"
    assert body["updatedAt"] > created["updatedAt"]


def test_add_companies_collapses_duplicates_and_skips_members(api, catalog):
    created = new_list(api)
    a, b, c = (x["id"] for x in catalog["companies"][:3])
    path = f"{BASE}/{created['id']}/add-companies"
    status, body, headers = api.post(path, {"companyIds": [a, a, a.upper(), b]})
    assert status == 200 and sorted(body["companyIds"]) == sorted([a, b])
    assert headers["X-Added-Count"] == "2"
    status, body, headers = api.post(path, {"companyIds": [b, c]})
    assert status == 200 and sorted(body["companyIds"]) == sorted([a, b, c])
    assert headers["X-Added-Count"] == "1"
    # Nothing new: the seed's short answer.
    status, body, headers = api.post(path, {"companyIds": [a, b, c, a]})
    assert status == 200 and body == {"addedCount": 0}


def test_add_companies_copies_each_company_into_the_tenant_records(api, catalog):
    created = new_list(api)
    ids = [c["id"] for c in catalog["companies"][:5]]
    api.post(f"{BASE}/{created['id']}/add-companies", {"companyIds": ids})
    copies = tenant_records.get_copies(ORG_A, keys.COMPANY, ids)
    assert set(copies) == set(ids)
    assert tenant_records.get_copies(ORG_B, keys.COMPANY, ids) == {}


def test_unknown_company_ids_are_named_and_nothing_is_added(api, catalog):
    created = new_list(api)
    known = catalog["companies"][0]["id"]
    before = snapshot()
    status, body, _ = api.post(
        f"{BASE}/{created['id']}/add-companies", {"companyIds": [known, UNKNOWN, known, UNKNOWN]}
    )
    assert_error(status, body, 400, "BAD_REQUEST")
    assert body["details"] == [
        {"field": "companyIds.1", "message": "Company not found"},
        {"field": "companyIds.3", "message": "Company not found"},
    ]
    assert snapshot() == before


def test_a_person_id_is_not_a_company(api, catalog):
    created = new_list(api)
    status, body, _ = api.post(
        f"{BASE}/{created['id']}/add-companies", {"companyIds": [catalog["persons"][0]["id"]]}
    )
    assert_error(status, body, 400, "BAD_REQUEST")
    assert fields(body) == {"companyIds.0"}


def test_add_companies_to_a_person_list_is_a_bad_request(api, catalog):
    created = new_list(api, "person")
    before = snapshot()
    status, body, _ = api.post(
        f"{BASE}/{created['id']}/add-companies", {"companyIds": [catalog["companies"][0]["id"]]}
    )
    assert_error(status, body, 400, "BAD_REQUEST")
    assert "company-type" in body["message"]
    assert snapshot() == before


def test_add_1000_companies(api, aws):
    seeded = seed_catalog(companies=1000, persons=0, seed=3)
    created = new_list(api)
    ids = [c["id"] for c in seeded["companies"]]
    status, body, headers = api.post(f"{BASE}/{created['id']}/add-companies", {"companyIds": ids})
    assert status == 200
    assert headers["X-Added-Count"] == "1000"
    assert len(body["companyIds"]) == len(body["companies"]) == 1000


# add-prospects, direct mode ---------------------------------------------------------------------


def test_direct_mode_copies_catalog_persons_and_stores_unknown_ones_as_supplied(api, catalog):
    created = new_list(api, "person")
    person = catalog["persons"][0]
    forged = person_input(person["id"], fullName="Forged Name", email="x@evil.test")
    tenant_only = person_input(UNKNOWN, firstName="Tess", email="tess@example.com")
    status, body, _ = api.post(
        f"{BASE}/{created['id']}/add-prospects", {"persons": [forged, tenant_only, forged]}
    )
    assert status == 200 and body == {"addedCount": 2}
    _, got, _ = api.get(f"{BASE}/{created['id']}")
    by_id = {p["id"]: p for p in got["persons"]}
    # The catalog is authoritative for ids it knows.
    assert by_id[person["id"]]["fullName"] == person["fullName"]
    assert by_id[person["id"]]["email"] == person["email"]
    assert by_id[UNKNOWN]["firstName"] == "Tess" and by_id[UNKNOWN]["fullName"] == "Supplied Name"
    copy = tenant_records.get_copies(ORG_A, keys.PERSON, [UNKNOWN])[UNKNOWN]
    assert copy["tenantOnly"] is True


def test_direct_mode_counts_only_new_members(api, catalog):
    created = new_list(api, "person")
    people = [{"id": p["id"]} for p in catalog["persons"][:4]]
    path = f"{BASE}/{created['id']}/add-prospects"
    assert api.post(path, {"persons": people[:2]})[1] == {"addedCount": 2}
    assert api.post(path, {"persons": people})[1] == {"addedCount": 2}
    assert api.post(path, {"persons": people})[1] == {"addedCount": 0}


def test_add_prospects_to_a_company_list_is_a_bad_request(api, catalog):
    created = new_list(api)
    before = snapshot()
    status, body, _ = api.post(
        f"{BASE}/{created['id']}/add-prospects", {"persons": [{"id": catalog["persons"][0]["id"]}]}
    )
    assert_error(status, body, 400, "BAD_REQUEST")
    assert snapshot() == before


# add-prospects, bulk selection ------------------------------------------------------------------


def search(api, flt, page_size=25):
    status, body, _ = api.post("/api/v1/search/prospects", {"filter": flt, "pageSize": page_size})
    assert status == 200, body
    return body


def test_selection_by_ids(api, catalog):
    created = new_list(api, "person")
    found = search(api, {"countries": ["Germany"]}, page_size=5)
    ids = [p["id"] for p in found["results"]]
    status, body, _ = api.post(
        f"{BASE}/{created['id']}/add-prospects",
        {"selection": {"searchId": found["searchId"], "ids": ids + ids[:1]}},
    )
    assert status == 200 and body == {"addedCount": 5}
    _, got, _ = api.get(f"{BASE}/{created['id']}")
    assert sorted(got["personIds"]) == sorted(ids)
    assert all(p["country"] == "Germany" for p in got["persons"])


def test_selection_ids_that_are_not_results_are_named(api, catalog):
    created = new_list(api, "person")
    found = search(api, {"countries": ["Germany"]})
    outsider = next(p["id"] for p in catalog["persons"] if p["country"] != "Germany")
    before = snapshot()
    ids = [found["results"][0]["id"], outsider]
    status, body, _ = api.post(
        f"{BASE}/{created['id']}/add-prospects",
        {"selection": {"searchId": found["searchId"], "ids": ids}},
    )
    assert_error(status, body, 400, "BAD_REQUEST")
    assert body["details"] == [
        {"field": "selection.ids.1", "message": "Not a result of this search"}
    ]
    assert snapshot() == before


def test_select_all_with_exclusions_and_limit(api, catalog):
    created = new_list(api, "person")
    germans = sorted(p["id"] for p in catalog["persons"] if p["country"] == "Germany")
    found = search(api, {"countries": ["Germany"]}, page_size=3)
    assert found["total"] == len(germans)
    excluded = germans[:3]
    path = f"{BASE}/{created['id']}/add-prospects"
    selection = {"searchId": found["searchId"], "selectAll": True, "excludeIds": excluded}
    status, body, _ = api.post(path, {"selection": {**selection, "limit": 10}})
    assert status == 200 and body == {"addedCount": 10, "nextOffset": 10}
    status, body, _ = api.post(path, {"selection": selection})
    assert status == 200 and body == {"addedCount": len(germans) - 3 - 10, "nextOffset": None}
    _, got, _ = api.get(f"{BASE}/{created['id']}")
    assert sorted(got["personIds"]) == germans[3:]


def test_selection_beyond_1000_is_a_bad_request(api, aws):
    seed_catalog(companies=20, persons=1100, seed=9)
    created = new_list(api, "person")
    found = search(api, {"exclude_countries": ["Atlantis"]})
    assert found["total"] > 1000
    more = found["total"] - 1000
    path = f"{BASE}/{created['id']}/add-prospects"
    selection = {"searchId": found["searchId"], "selectAll": True}
    before = snapshot()
    for body in (
        {"selection": selection},
        {"selection": {**selection, "limit": 1001}},
        {"selection": {**selection, "excludeIds": [found["results"][0]["id"]] * (more - 1)}},
    ):
        status, answer, _ = api.post(path, body)
        assert_error(status, answer, 400, "BAD_REQUEST")
        assert "1000" in str(answer)  # the message, or the schema detail of limit
    assert snapshot() == before
    # Exactly 1,000 is allowed; the next call continues where this one stopped.
    status, answer, _ = api.post(path, {"selection": {**selection, "limit": 1000}})
    assert status == 200 and answer == {"addedCount": 1000, "nextOffset": 1000}
    rest = {"selection": {**selection, "limit": 1000, "offset": answer["nextOffset"]}}
    status, answer, _ = api.post(path, rest)
    assert status == 200 and answer == {"addedCount": more, "nextOffset": None}
    _, got, _ = api.get(f"{BASE}/{created['id']}")
    assert got["memberCount"] == found["total"]


def test_selection_needs_a_live_prospect_search_of_the_callers_org(api, catalog):
    created = new_list(api, "person")
    path = f"{BASE}/{created['id']}/add-prospects"
    found = search(api, {"countries": ["Germany"]})
    _, companies, _ = api.post("/api/v1/search/companies", {"filter": {"countries": ["Germany"]}})
    other_org = api.as_(org=ORG_B)
    other_list = new_list(other_org, "person")
    cases = [
        (api, path, {"searchId": UNKNOWN, "selectAll": True}),
        (api, path, {"searchId": companies["searchId"], "selectAll": True}),
        # Another organization cannot use this organization's search.
        (other_org, f"{BASE}/{other_list['id']}/add-prospects", {"searchId": found["searchId"],
                                                                  "selectAll": True}),
    ]  # fmt: skip
    for caller, url, selection in cases:
        status, body, _ = caller.post(url, {"selection": selection})
        assert_error(status, body, 400, "BAD_REQUEST")
        assert fields(body) == {"selection.searchId"}


def test_an_expired_search_is_refused_before_ttl_deletes_it(api, catalog):
    created = new_list(api, "person")
    found = search(api, {"countries": ["Germany"]})
    boto3.client("dynamodb", region_name="us-east-1").update_item(
        TableName=settings().tenant_table,
        Key={k: {"S": v} for k, v in keys.search(ORG_A, found["searchId"]).items()},
        UpdateExpression="SET expiresAt = :past",
        ExpressionAttributeValues={":past": {"N": "1700000000"}},
    )
    status, body, _ = api.post(
        f"{BASE}/{created['id']}/add-prospects",
        {"selection": {"searchId": found["searchId"], "selectAll": True}},
    )
    assert_error(status, body, 400, "BAD_REQUEST")
    assert fields(body) == {"selection.searchId"}


# remove -----------------------------------------------------------------------------------------


def test_remove_companies_counts_only_members(api, catalog):
    created = new_list(api)
    ids = [c["id"] for c in catalog["companies"][:4]]
    api.post(f"{BASE}/{created['id']}/add-companies", {"companyIds": ids})
    path = f"{BASE}/{created['id']}/remove-companies"
    status, body, _ = api.post(path, {"companyIds": [ids[0], ids[0], ids[1], UNKNOWN]})
    assert status == 200 and body == {"removedCount": 2}
    status, body, _ = api.post(path, {"companyIds": [ids[0]]})
    assert status == 200 and body == {"removedCount": 0}
    _, got, _ = api.get(f"{BASE}/{created['id']}")
    assert sorted(got["companyIds"]) == sorted(ids[2:])


def test_remove_prospects(api, catalog):
    created = new_list(api, "person")
    ids = [p["id"] for p in catalog["persons"][:3]]
    api.post(f"{BASE}/{created['id']}/add-prospects", {"persons": [{"id": i} for i in ids]})
    status, body, _ = api.post(f"{BASE}/{created['id']}/remove-prospects", {"personIds": ids[:2]})
    assert status == 200 and body == {"removedCount": 2}
    _, got, _ = api.get(f"{BASE}/{created['id']}")
    assert got["personIds"] == ids[2:]


def test_remove_checks_the_list_type(api, catalog):
    company_list, person_list = new_list(api), new_list(api, "person")
    status, body, _ = api.post(
        f"{BASE}/{company_list['id']}/remove-prospects", {"personIds": [UNKNOWN]}
    )
    assert_error(status, body, 400, "BAD_REQUEST")
    status, body, _ = api.post(
        f"{BASE}/{person_list['id']}/remove-companies", {"companyIds": [UNKNOWN]}
    )
    assert_error(status, body, 400, "BAD_REQUEST")
