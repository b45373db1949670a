"""POST /api/v1/search/prospects and /companies: exact totals, paging over a 24-hour snapshot,
the filter applied to companies, and every error row."""

from __future__ import annotations

import time

import boto3
import pytest
from lead_list_helpers import assert_error, fields, snapshot

from conftest import ORG_A, ORG_B, Api
from leadlists.config import settings
from leadlists.filters.evaluate import matches
from leadlists.filters.facets import as_filterable
from leadlists.filters.model import Filter
from leadlists.repositories import keys, searches

PROSPECTS, COMPANIES = "/api/v1/search/prospects", "/api/v1/search/companies"
PERSON_FIELDS = {
    "id", "firstName", "lastName", "fullName", "title", "seniority", "department", "email",
    "phones", "linkedinUrl", "city", "country", "companyId", "companyName", "companyDomain",
    "industry",
}  # fmt: skip


def page_through(api: Api, path: str, flt: dict, size: int) -> tuple[dict, list[dict]]:
    status, first, _ = api.post(path, {"filter": flt, "pageSize": size})
    assert status == 200, first
    results, page = list(first["results"]), first
    while page["nextToken"]:
        status, page, _ = api.post(path, {"nextToken": page["nextToken"], "pageSize": size})
        assert status == 200, page
        assert page["searchId"] == first["searchId"] and page["total"] == first["total"]
        results += page["results"]
    return first, results


def test_prospect_search_total_is_exact_and_pages_cover_every_match_once(api, catalog):
    flt = {"countries": ["United States"], "seniorities": ["Director", "VP"]}
    expected = {p["id"] for p in catalog["persons"] if matches(Filter(**flt), p)}
    first, results = page_through(api, PROSPECTS, flt, 7)
    assert first["total"] == len(expected) > 7
    assert [r["id"] for r in results] == sorted(expected)
    assert set(results[0]) == PERSON_FIELDS
    assert all(r["country"] == "United States" for r in results)


def test_default_page_size_is_25(api, catalog):
    status, body, _ = api.post(PROSPECTS, {"filter": {"countries": ["United States"]}})
    assert status == 200 and len(body["results"]) == 25 and body["nextToken"]


def test_company_search_applies_the_same_filter_to_companies(api, catalog):
    company = catalog["companies"][0]
    cases = [
        {"industries": ["Software", "Technology"], "countries": ["United States"]},
        {"domains": [f"WWW.{company['domain'].upper()}"]},
        {"company_ids": [company["id"]]},
        {"keywords": [company["name"].split()[0]]},
        {"founded_year": {"min": 2000}, "exclude_company_sizes": ["1-10", "11-50"]},
        {"revenues": ["$1B+"], "cities": ["London", "Berlin", "Austin"]},
    ]
    for raw in cases:
        flt = Filter(**raw)
        expected = sorted(c["id"] for c in catalog["companies"] if matches(flt, as_filterable(c)))
        first, results = page_through(api, COMPANIES, raw, 10)
        assert first["total"] == len(expected), raw
        assert [r["id"] for r in results] == expected, raw
    _, only, _ = api.post(COMPANIES, {"filter": {"company_ids": [company["id"]]}})
    assert only["results"] == [{k: company.get(k) for k in only["results"][0]}]


def test_no_match_is_an_empty_search(api, catalog):
    status, body, _ = api.post(PROSPECTS, {"filter": {"countries": ["Atlantis"]}})
    assert status == 200
    assert body["total"] == 0 and body["results"] == [] and body["nextToken"] is None
    assert body["searchId"]


def test_a_search_expires_after_24_hours(api, catalog):
    status, body, _ = api.post(PROSPECTS, {"filter": {"countries": ["Germany"]}, "pageSize": 1})
    assert status == 200
    head = searches.get(ORG_A, body["searchId"], int(time.time()))
    assert head is not None
    assert abs(head["expiresAt"] - (time.time() + 24 * 3600)) < 120
    items = [
        i for i in _tenant_items() if i["pk"]["S"] == keys.search(ORG_A, body["searchId"])["pk"]
    ]
    assert items and all("expiresAt" in i for i in items)  # TTL on the head and every chunk
    # Expired but not yet deleted by TTL: refused.
    assert searches.get(ORG_A, body["searchId"], head["expiresAt"]) is None
    _expire(body["searchId"])
    status, answer, _ = api.post(PROSPECTS, {"nextToken": body["nextToken"]})
    assert_error(status, answer, 400, "BAD_REQUEST")
    assert fields(answer) == {"nextToken"}


def test_the_snapshot_spans_many_chunks(api, aws, monkeypatch):
    from leadlists_local.catalog import seed_catalog

    monkeypatch.setattr(searches, "CHUNK_IDS", 7)
    seeded = seed_catalog(companies=10, persons=100, seed=4)
    first, results = page_through(api, PROSPECTS, {"exclude_countries": ["Atlantis"]}, 9)
    assert first["total"] == 100
    assert [r["id"] for r in results] == sorted(p["id"] for p in seeded["persons"])
    head = searches.get(ORG_A, first["searchId"], int(time.time()))
    assert head is not None and len(head["chunkStarts"]) == 15
    ids = sorted(p["id"] for p in seeded["persons"])
    assert searches.contained(ORG_A, head, [ids[0], ids[50], ids[99], "zzz"]) == {
        ids[0], ids[50], ids[99]
    }  # fmt: skip
    assert list(searches.all_ids(ORG_A, head, chunks_per_read=2)) == ids


def _tenant_items() -> list[dict]:
    from lead_list_helpers import tenant_items

    return tenant_items()


def _expire(search_id: str) -> None:
    boto3.client("dynamodb", region_name="us-east-1").update_item(
        TableName=settings().tenant_table,
        Key={k: {"S": v} for k, v in keys.search(ORG_A, search_id).items()},
        UpdateExpression="SET expiresAt = :past",
        ExpressionAttributeValues={":past": {"N": str(int(time.time()) - 1)}},
    )


# Errors -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [PROSPECTS, COMPANIES])
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "body"),
        ({"filter": {}}, "filter"),
        ({"filter": []}, "filter"),
        ({"filter": {"planets": ["Mars"]}}, "filter.planets"),
        ({"filter": {"countries": "US"}}, "filter.countries"),
        ({"filter": {"countries": [7]}}, "filter.countries.0"),
        ({"filter": {"countries": ["x"] * 101}}, "filter.countries"),
        ({"filter": {"countries": ["US"]}, "pageSize": 0}, "pageSize"),
        ({"filter": {"countries": ["US"]}, "pageSize": 101}, "pageSize"),
        ({"filter": {"countries": ["US"]}, "pageSize": True}, "pageSize"),
        ({"filter": {"countries": ["US"]}, "pageSize": "10"}, "pageSize"),
        ({"filter": {"countries": ["US"]}, "nextToken": ""}, "nextToken"),
        ({"filter": {"countries": ["US"]}, "nextToken": "x" * 2049}, "nextToken"),
        ({"filter": {"countries": ["US"]}, "sort": "name"}, "sort"),
    ],
)
def test_bad_search_requests_name_the_field(api, path, body, field):
    before = snapshot()
    status, answer, _ = api.post(path, body)
    assert_error(status, answer, 400, "BAD_REQUEST")
    assert field in fields(answer)
    assert snapshot() == before


def test_person_only_fields_do_not_apply_to_companies(api):
    status, body, _ = api.post(
        COMPANIES,
        {"filter": {"countries": ["US"], "job_titles": ["CEO"], "exclude_seniorities": ["VP"]}},
    )
    assert_error(status, body, 400, "BAD_REQUEST")
    assert fields(body) == {"filter.job_titles", "filter.exclude_seniorities"}


@pytest.mark.parametrize(
    "token",
    ["garbage", "e30", "eyJzIjoxLCJvIjowfQ", "eyJzIjoibm90LWEtdXVpZCIsIm8iOjB9",
     "eyJzIjoiNTUwZTg0MDAtZTI5Yi00MWQ0LWE3MTYtNDQ2NjU1NDQwMDAwIiwibyI6LTF9",
     "eyJzIjoiNTUwZTg0MDAtZTI5Yi00MWQ0LWE3MTYtNDQ2NjU1NDQwMDAwIiwibyI6MH0", "W10", "bnVsbA"],
)  # fmt: skip
def test_bad_next_tokens_are_bad_requests(api, token):
    status, body, _ = api.post(PROSPECTS, {"nextToken": token})
    assert_error(status, body, 400, "BAD_REQUEST")
    assert fields(body) == {"nextToken"}


def test_next_tokens_belong_to_one_organization_and_one_kind(api, catalog):
    _, first, _ = api.post(PROSPECTS, {"filter": {"countries": ["Germany"]}, "pageSize": 1})
    for caller, path in ((api.as_(org=ORG_B), PROSPECTS), (api, COMPANIES)):
        status, body, _ = caller.post(path, {"nextToken": first["nextToken"]})
        assert_error(status, body, 400, "BAD_REQUEST")
    status, body, _ = api.post(
        PROSPECTS, {"nextToken": first["nextToken"], "filter": {"countries": ["France"]}}
    )
    assert_error(status, body, 400, "BAD_REQUEST")
    assert fields(body) == {"filter"}
    # The same filter (normalized) alongside the token is fine.
    status, body, _ = api.post(
        PROSPECTS, {"nextToken": first["nextToken"], "filter": {"countries": [" Germany "]}}
    )
    assert status == 200 and body["searchId"] == first["searchId"]


@pytest.mark.parametrize("path", [PROSPECTS, COMPANIES])
@pytest.mark.parametrize("claim_set", [None, {}, {"sub": "user_1"}])
def test_search_needs_an_organization(aws, path, claim_set):
    status, body, _ = Api(claim_set).post(path, {"filter": {"countries": ["US"]}})
    assert_error(status, body, 401, "UNAUTHORIZED")


def test_a_foreign_organization_id_is_forbidden(api):
    status, body, _ = api.post(
        PROSPECTS, {"filter": {"countries": ["US"]}, "organizationId": ORG_B}
    )
    assert_error(status, body, 403, "FORBIDDEN")


def test_oversize_and_malformed_bodies(api):
    status, body, _ = api.post(PROSPECTS, raw='{"filter": {"countries": ["' + "x" * 2**20 + '"]}}')
    assert_error(status, body, 413, "PAYLOAD_TOO_LARGE")
    for raw in ("{", "[]", "null", "[" * 50_000 + "]" * 50_000):
        status, body, _ = api.post(COMPANIES, raw=raw)
        assert_error(status, body, 400, "BAD_REQUEST")


def test_filter_values_never_reach_dynamodb_as_text(api, catalog):
    for value in ("#n0", ":v0", "' OR 1=1", ") OR (", "x" * 200):
        for path in (PROSPECTS, COMPANIES):
            status, body, _ = api.post(path, {"filter": {"countries": [value]}})
            assert status == 200 and body["total"] == 0, body
