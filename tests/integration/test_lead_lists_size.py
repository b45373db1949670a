"""Lead lists of any size: answers show the first 1,000 members (fewer when their records are
large) with the exact `memberCount` and a `membersNextToken`; the members route pages them all."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from lead_list_helpers import BASE, UNKNOWN, assert_error, fields, new_list

from conftest import ORG_B, Api
from leadlists import tokens
from leadlists.models.lead_list_objects import MAX_MEMBER_BYTES
from leadlists.repositories import catalog as catalog_repo
from leadlists.repositories import dynamo, keys
from leadlists_local.catalog import seed_catalog
from leadlists_local.runtime import LocalRuntime

ALL = {"exclude_countries": ["Atlantis"]}  # a filter every record matches


def walk(api: Api, list_id: str, limit: int | None = None, token: str | None = None) -> list[Any]:
    """Every member record from `token` on through the members route, page by page."""
    items: list[Any] = []
    while True:
        query = "&".join(
            ([f"limit={limit}"] if limit else []) + ([f"nextToken={token}"] if token else [])
        )
        status, body, _ = api.get(f"{BASE}/{list_id}/members", query=query)
        assert status == 200, body
        assert set(body) == {"items", "nextToken"}
        assert 0 < len(body["items"]) <= (limit or 100)
        items += body["items"]
        token = body["nextToken"]
        if token is None:
            return items


def ids_of(records: list[dict[str, Any]]) -> list[str]:
    return [r["id"] for r in records]


# A company list of 2,500 members ----------------------------------------------------------------


@pytest.fixture
def big_company_list(api: Api, aws: dict[str, Any]) -> tuple[str, list[str]]:
    """A company lead list of 2,500 members, filled by three add-companies calls."""
    seeded = seed_catalog(companies=2600, persons=10, seed=11)
    ids = ids_of(seeded["companies"][:2500])
    list_id = new_list(api)["id"]
    for n, (start, end) in enumerate(((0, 1000), (1000, 2000), (2000, 2500))):
        status, body, headers = api.post(
            f"{BASE}/{list_id}/add-companies", {"companyIds": ids[start:end]}
        )
        assert status == 200, body
        assert headers["X-Added-Count"] == str(end - start)
        # The answer is the populated list: its first 1,000 members, the exact count.
        assert body["memberCount"] == end
        assert len(body["companyIds"]) == min(end, 1000)
        assert ids_of(body["companies"]) == body["companyIds"]
        assert (body["membersNextToken"] is None) == (n == 0)
    return list_id, ids


def count_calls() -> Counter[str]:
    """DynamoDB calls made from here on, by operation (until `stop_counting`)."""
    calls: Counter[str] = Counter()

    def count(model: Any, **_: Any) -> None:
        calls[model.name] += 1

    dynamo.client().meta.events.register("before-call.dynamodb", count, unique_id="size-count")
    return calls


def stop_counting() -> None:
    dynamo.client().meta.events.unregister("before-call.dynamodb", unique_id="size-count")


# One list of 2,500 members serves every check below: building it is most of the cost.
def test_a_company_list_of_2500_members(api, big_company_list):
    list_id, ids = big_company_list
    status, body, _ = api.get(f"{BASE}/{list_id}")
    assert status == 200, body
    assert body["memberCount"] == 2500
    # Member sort-key order: the ids' own order.
    assert body["companyIds"] == sorted(ids)[:1000]
    assert ids_of(body["companies"]) == body["companyIds"]
    assert body["personIds"] == []
    # The token continues right after the members shown, on the members route.
    rest = walk(api, list_id, limit=1000, token=body["membersNextToken"])
    assert ids_of(rest) == sorted(ids)[1000:]

    # The members route visits every member exactly once at an odd page size too (1,000 is
    # walked above and below).
    for limit in (333,):
        members = walk(api, list_id, limit=limit)
        assert ids_of(members) == sorted(ids), limit
        assert all("domain" in m and "firstName" not in m for m in members)  # company objects

    # The listing carries member counts from the list items: one Query, none per list.
    empty = new_list(api)["id"]
    calls = count_calls()
    try:
        status, body, _ = api.get(BASE, query="limit=100")
    finally:
        stop_counting()
    assert status == 200, body
    counts = {item["id"]: item["memberCount"] for item in body["leadLists"]}
    assert counts == {list_id: 2500, empty: 0}
    assert all("companyIds" not in i and "personIds" not in i for i in body["leadLists"])
    assert calls == {"Query": 1}

    # Removing members keeps the count and the pages exact.
    gone = sorted(ids)[500:1500]
    status, body, _ = api.post(f"{BASE}/{list_id}/remove-companies", {"companyIds": gone})
    assert status == 200 and body == {"removedCount": 1000}
    _, got, _ = api.get(f"{BASE}/{list_id}")
    assert got["memberCount"] == 1500
    kept = sorted(set(ids) - set(gone))
    assert got["companyIds"] == kept[:1000]
    assert ids_of(walk(api, list_id, limit=1000)) == kept


# A person list filled from selections -----------------------------------------------------------


def test_person_list_filled_from_selections(api, aws):
    seed_catalog(companies=20, persons=1200, seed=12)
    status, found, _ = api.post("/api/v1/search/prospects", {"filter": ALL})
    assert status == 200 and found["total"] == 1200, found
    list_id = new_list(api, "person")["id"]
    path = f"{BASE}/{list_id}/add-prospects"
    selection = {"searchId": found["searchId"], "selectAll": True}
    status, body, _ = api.post(path, {"selection": {**selection, "limit": 1000}})
    assert status == 200 and body == {"addedCount": 1000, "nextOffset": 1000}
    _, got, _ = api.get(f"{BASE}/{list_id}")
    # Exactly 1,000 members: all of them shown, no token.
    assert got["memberCount"] == 1000 and len(got["personIds"]) == 1000
    assert got["membersNextToken"] is None
    first = ids_of(walk(api, list_id, limit=1000))
    assert first == got["personIds"] == sorted(first)
    # The rest of the search: everything but the current members.
    status, body, _ = api.post(path, {"selection": {**selection, "excludeIds": first}})
    assert status == 200 and body == {"addedCount": 200, "nextOffset": None}
    _, got, _ = api.get(f"{BASE}/{list_id}")
    assert got["memberCount"] == 1200 and len(got["personIds"]) == 1000
    assert ids_of(got["persons"]) == got["personIds"]
    members = walk(api, list_id, limit=250)
    assert len(members) == 1200 and len(set(ids_of(members))) == 1200
    assert all("fullName" in m and "domain" not in m for m in members)  # person objects
    assert ids_of(members)[:1000] == got["personIds"]


# Large records: the page is capped by bytes too -------------------------------------------------


def test_large_records_cap_the_page_by_bytes(api, aws):
    # 40 companies whose JSON is ~360 KB each (non-ASCII is escaped: six bytes a character).
    big = [
        {"id": f"00000000-0000-4000-8000-{n:012d}", "name": f"Big {n}", "description": "é" * 60_000}
        for n in range(40)
    ]
    catalog_repo.put_records(keys.COMPANY, big)
    list_id = new_list(api)["id"]
    status, body, _ = api.post(f"{BASE}/{list_id}/add-companies", {"companyIds": ids_of(big)})
    assert status == 200, body
    for answer in (body, api.get(f"{BASE}/{list_id}")[1]):
        size = len(json.dumps(answer, separators=(",", ":")))
        assert size <= MAX_MEMBER_BYTES + 100_000 < 6_000_000
        assert answer["memberCount"] == 40
        assert 1 < len(answer["companyIds"]) < 40
        assert (
            answer["companyIds"]
            == ids_of(answer["companies"])
            == ids_of(big)[: len(answer["companyIds"])]
        )
        assert answer["membersNextToken"]
    pages, token = [], None
    while True:
        query = "limit=1000" + (f"&nextToken={token}" if token else "")
        status, page, _ = api.get(f"{BASE}/{list_id}/members", query=query)
        assert status == 200, page
        assert len(json.dumps(page, separators=(",", ":"))) <= MAX_MEMBER_BYTES + 1000
        pages.append(ids_of(page["items"]))
        token = page["nextToken"]
        if token is None:
            break
    assert len(pages) > 1
    assert [i for p in pages for i in p] == ids_of(big)


# Limits, tokens and access ----------------------------------------------------------------------


@pytest.fixture
def small_list(api: Api, catalog: dict[str, Any]) -> str:
    list_id = new_list(api, userIds=["user_named"])["id"]
    ids = ids_of(catalog["companies"][:12])
    status, body, _ = api.post(f"{BASE}/{list_id}/add-companies", {"companyIds": ids})
    assert status == 200, body
    return list_id


@pytest.mark.parametrize("limit", ["0", "1001", "-1", "abc", "1.5", "", "99999999999999999999"])
def test_a_bad_limit_is_a_bad_request(api, small_list, limit):
    status, body, _ = api.get(f"{BASE}/{small_list}/members", query=f"limit={limit}")
    assert_error(status, body, 400, "BAD_REQUEST")
    assert fields(body) == {"limit"}


@pytest.mark.parametrize("limit", [1, 5, 1000])
def test_limit_bounds_are_honoured(api, small_list, limit):
    status, body, _ = api.get(f"{BASE}/{small_list}/members", query=f"limit={limit}")
    assert status == 200, body
    assert len(body["items"]) == min(limit, 12)
    assert (body["nextToken"] is None) == (limit >= 12)
    assert len(walk(api, small_list, limit=limit)) == 12


def _forged(data: Any) -> str:
    return tokens.encode(data)


def test_bad_tokens_are_bad_requests(api, small_list):
    other = new_list(api)["id"]
    _, first, _ = api.get(f"{BASE}/{other}/members", query="limit=1")
    ids = ids_of(api.get(f"{BASE}/{small_list}/members", query="limit=1000")[1]["items"])
    api.post(f"{BASE}/{other}/add-companies", {"companyIds": ids[:3]})
    _, other_page, _ = api.get(f"{BASE}/{other}/members", query="limit=1")
    _, listing, _ = api.get(BASE, query="limit=1")
    pk = keys.lead_list("org_alpha", small_list)[keys.PK]
    person_key = keys.lead_list_member("org_alpha", small_list, keys.PERSON, ids[0])
    bad = [
        "garbage!!",
        "e30",  # {}
        _forged([1, 2]),
        _forged({"pk": {"S": pk}}),
        _forged({"pk": {"S": pk}, "sk": {"S": keys.META}}),  # the list item, not a member
        _forged(dynamo.values(person_key)),  # a person key on a company list
        _forged({"pk": {"N": "1"}, "sk": {"S": "COMPANY#x"}}),
        other_page["nextToken"],  # another list's
        listing["nextToken"],  # the lead-list page's
        "x" * 2049,
    ]
    assert first["nextToken"] is None and other_page["nextToken"] and listing["nextToken"]
    for token in bad:
        status, body, _ = api.get(f"{BASE}/{small_list}/members", query=f"nextToken={token}")
        assert_error(status, body, 400, "BAD_REQUEST")
        assert fields(body) == {"nextToken"}, token


def test_members_route_access(api, small_list):
    path = f"{BASE}/{small_list}/members"
    named = api.as_(user="user_named", role=None)
    for who in (api, named):
        status, body, _ = who.get(path)
        assert status == 200 and len(body["items"]) == 12, body
    status, body, _ = api.as_(user="user_other", role=None).get(path)
    assert_error(status, body, 403, "FORBIDDEN")
    status, body, _ = api.as_(org=ORG_B).get(path)
    assert_error(status, body, 404, "NOT_FOUND")
    status, body, _ = api.get(f"{BASE}/{UNKNOWN}/members")
    assert_error(status, body, 404, "NOT_FOUND")
    status, body, _ = api.get(f"{BASE}/not-a-uuid/members")
    assert_error(status, body, 400, "BAD_REQUEST")
    assert fields(body) == {"id"}


def test_an_empty_list_has_no_members_and_no_token(api, catalog):
    list_id = new_list(api, "person")["id"]
    status, body, _ = api.get(f"{BASE}/{list_id}/members")
    assert status == 200 and body == {"items": [], "nextToken": None}
    _, got, _ = api.get(f"{BASE}/{list_id}")
    assert got["memberCount"] == 0 and got["membersNextToken"] is None and got["persons"] == []


# Over HTTP on the local runtime -----------------------------------------------------------------


@pytest.fixture(scope="module")
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalRuntime]:
    rt = LocalRuntime(
        "127.0.0.1",
        0,
        seed_companies=30,
        seed_persons=30,
        state_dir=tmp_path_factory.mktemp("state"),
        parameters={"LogLevel": "WARNING"},
    )
    rt.start()
    yield rt
    rt.stop()


def test_members_over_http(runtime: LocalRuntime):
    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {runtime.token()}"
    base = f"{runtime.base_url}{BASE}"
    body = {"name": "http", "type": "company", "startDate": "2024-01-01", "endDate": "2024-02-01"}
    list_id = http.post(base, json=body, timeout=30).json()["id"]
    found = http.post(
        f"{runtime.base_url}/api/v1/search/companies",
        json={"filter": ALL, "pageSize": 50},
        timeout=30,
    ).json()
    ids = ids_of(found["results"])
    assert len(ids) == 30
    answer = http.post(f"{base}/{list_id}/add-companies", json={"companyIds": ids}, timeout=30)
    assert answer.status_code == 200 and answer.json()["memberCount"] == 30
    got = http.get(f"{base}/{list_id}", timeout=30).json()
    assert got["companyIds"] == sorted(ids) and got["membersNextToken"] is None
    seen, token = [], None
    while True:
        params = {"limit": 7, **({"nextToken": token} if token else {})}
        page = http.get(f"{base}/{list_id}/members", params=params, timeout=30)
        assert page.status_code == 200, page.text
        seen += ids_of(page.json()["items"])
        token = page.json()["nextToken"]
        if token is None:
            break
    assert seen == sorted(ids)
    bad = http.get(f"{base}/{list_id}/members", params={"limit": 0}, timeout=30)
    assert bad.status_code == 400 and bad.json()["code"] == "BAD_REQUEST"
    listing = http.get(base, timeout=30).json()["leadLists"]
    assert [(x["id"], x["memberCount"]) for x in listing] == [(list_id, 30)]
