"""Searches beyond the synchronous budget: 202 `running`, completed by the refresh segment
queue's workers, then read through GET /api/v1/search/{searchId} (and POST nextToken), with an
exact total under redelivery, and bulk selections that wait for completion."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError
from lead_list_helpers import BASE, assert_error, fields, new_list, snapshot

from conftest import ORG_A, ORG_B, Api, drain_queue
from leadlists.config import settings
from leadlists.filters.evaluate import matches
from leadlists.filters.facets import as_filterable
from leadlists.filters.model import Filter
from leadlists.repositories import catalog_scans, counters, dynamo, keys, searches
from leadlists_local import lambdas

PROSPECTS, COMPANIES = "/api/v1/search/prospects", "/api/v1/search/companies"
SEGMENTS = ("RefreshSegmentQueue", "RefreshSegmentFunction")
US = {"countries": ["United States"]}


@pytest.fixture
def over_budget(monkeypatch: pytest.MonkeyPatch, catalog: dict[str, Any]) -> dict[str, Any]:
    """The 600-person / 60-company catalog, beyond a budget of 50, scanned in 100-item segments."""
    monkeypatch.setenv("SYNC_REFRESH_MAX_PERSONS", "50")
    monkeypatch.setenv("REFRESH_SEGMENT_SIZE", "100")
    settings.cache_clear()
    return catalog


def expected_persons(catalog: dict[str, Any], raw: dict[str, Any]) -> list[str]:
    return sorted(p["id"] for p in catalog["persons"] if matches(Filter(**raw), p))


def read_all(api: Api, search_id: str, size: int) -> tuple[dict[str, Any], list[str]]:
    """Every page through GET; the first answer and every result id in page order."""
    status, first, _ = api.get(f"/api/v1/search/{search_id}", query=f"pageSize={size}")
    assert status == 200, first
    page, ids = first, [r["id"] for r in first["results"]]
    while page["nextToken"]:
        query = f"pageSize={size}&nextToken={page['nextToken']}"
        status, page, _ = api.get(f"/api/v1/search/{search_id}", query=query)
        assert status == 200, page
        assert page["total"] == first["total"] and page["status"] == "complete"
        assert len(page["results"]) <= size
        ids += [r["id"] for r in page["results"]]
    return first, ids


def test_prospect_search_over_budget_runs_then_pages_every_match_once(api, aws, over_budget):
    status, started, _ = api.post(PROSPECTS, {"filter": US, "pageSize": 5})
    assert status == 202 and started == {"searchId": started["searchId"], "status": "running"}
    status, running, _ = api.get(f"/api/v1/search/{started['searchId']}")
    assert status == 200 and running["status"] == "running" and running["kind"] == "prospects"
    assert running["results"] == [] and running["nextToken"] is None
    assert running.get("total") is None
    assert drain_queue(aws, *SEGMENTS) >= 1  # six segments of 100
    expected = expected_persons(over_budget, US)
    first, ids = read_all(api, started["searchId"], 7)
    assert first["status"] == "complete" and first["total"] == len(expected) > 7
    assert ids == expected  # exactly once each, in id order
    # POST with a nextToken continues the same search.
    status, again, _ = api.post(PROSPECTS, {"nextToken": first["nextToken"], "pageSize": 7})
    assert status == 200 and again["status"] == "complete"
    assert [r["id"] for r in again["results"]] == expected[7:14]


def test_redelivered_segments_count_once(api, aws, over_budget):
    _, started, _ = api.post(PROSPECTS, {"filter": US})
    sqs = boto3.client("sqs", region_name="us-east-1")
    queue = aws["queues"][SEGMENTS[0]]
    got = sqs.receive_message(QueueUrl=queue["url"], MaxNumberOfMessages=10, VisibilityTimeout=0)
    messages = got["Messages"]
    assert len(messages) == 6
    # Every segment but the last delivered twice (a retry after a lost acknowledgement).
    for _ in range(2):
        lambdas.invoke(SEGMENTS[1], lambdas.sqs_event(messages[:-1], queue["arn"]))
    _, running, _ = api.get(f"/api/v1/search/{started['searchId']}")
    assert running["status"] == "running"
    lambdas.invoke(SEGMENTS[1], lambdas.sqs_event(messages[-1:], queue["arn"]))
    lambdas.invoke(SEGMENTS[1], lambdas.sqs_event(messages, queue["arn"]))  # all again, late
    first, ids = read_all(api, started["searchId"], 100)
    assert first["total"] == len(ids) == len(expected_persons(over_budget, US))
    # Counted on shards (no hot head item): six segments, six shard items, summing to the total.
    counted = searches.counted(ORG_A, started["searchId"])
    assert counted == {"segmentsDone": 6, "total": first["total"]}
    partition = keys.search(ORG_A, started["searchId"])[keys.PK]
    shards = counters.totals(partition, keys.SEARCH_COUNTER_PREFIX, ("segmentsDone",))
    assert shards == {"segmentsDone": 6}
    request = dynamo.partition_query(settings().tenant_table, keys.PK, partition)
    items = list(dynamo.items("query", request))
    assert sum(i[keys.SK].startswith(keys.SEARCH_COUNTER_PREFIX) for i in items) == 6


def test_selection_waits_for_the_search_then_picks_from_it(api, aws, over_budget):
    created = new_list(api, "person")
    path = f"{BASE}/{created['id']}/add-prospects"
    germany = {"countries": ["Germany"]}
    _, started, _ = api.post(PROSPECTS, {"filter": germany})
    before = snapshot()
    for selection in ({"selectAll": True}, {"ids": [over_budget["persons"][0]["id"]]}):
        status, body, _ = api.post(
            path, {"selection": {"searchId": started["searchId"], **selection}}
        )
        assert_error(status, body, 409, "CONFLICT")
        assert "running" in body["message"]
    assert snapshot() == before
    drain_queue(aws, *SEGMENTS)
    germans = expected_persons(over_budget, germany)
    outsider = next(p["id"] for p in over_budget["persons"] if p["country"] != "Germany")
    status, body, _ = api.post(
        path, {"selection": {"searchId": started["searchId"], "ids": [germans[0], outsider]}}
    )
    assert_error(status, body, 400, "BAD_REQUEST")
    assert fields(body) == {"selection.ids.1"}
    selection = {"searchId": started["searchId"], "selectAll": True, "excludeIds": germans[:2]}
    status, body, _ = api.post(path, {"selection": selection})
    assert status == 200 and body == {"addedCount": len(germans) - 2, "nextOffset": None}
    _, got, _ = api.get(f"{BASE}/{created['id']}")
    assert sorted(got["personIds"]) == germans[2:]


def test_company_search_over_budget(api, aws, monkeypatch, over_budget):
    monkeypatch.setenv("SYNC_REFRESH_MAX_PERSONS", "10")  # 60 companies are beyond it
    settings.cache_clear()
    raw = {"industries": ["Software", "Technology"]}
    status, started, _ = api.post(COMPANIES, {"filter": raw})
    assert status == 202 and started["status"] == "running"
    drain_queue(aws, *SEGMENTS)
    expected = sorted(
        c["id"] for c in over_budget["companies"] if matches(Filter(**raw), as_filterable(c))
    )
    first, ids = read_all(api, started["searchId"], 4)
    assert first["kind"] == "companies" and first["total"] == len(expected) > 4
    assert ids == expected
    _, page, _ = api.get(f"/api/v1/search/{started['searchId']}", query="pageSize=1")
    assert set(page["results"][0]) >= {"id", "name", "domain", "industry"}


def test_a_segment_that_fails_its_last_attempt_fails_the_search(api, aws, over_budget, monkeypatch):
    _, started, _ = api.post(PROSPECTS, {"filter": US})

    def broken(*_: Any, **__: Any) -> Any:
        raise RuntimeError("scan failed")

    monkeypatch.setattr(catalog_scans, "matching_persons", broken)
    sqs = boto3.client("sqs", region_name="us-east-1")
    queue = aws["queues"][SEGMENTS[0]]
    got = sqs.receive_message(QueueUrl=queue["url"], MaxNumberOfMessages=10, VisibilityTimeout=0)
    last = [
        {**m, "Attributes": {"ApproximateReceiveCount": str(settings().max_receive_count)}}
        for m in got["Messages"][:1]
    ]
    with pytest.raises(BatchProcessingError):  # the whole batch failed: Lambda retries it
        lambdas.invoke(SEGMENTS[1], lambdas.sqs_event(last, queue["arn"]))
    _, failed, _ = api.get(f"/api/v1/search/{started['searchId']}")
    assert failed["status"] == "failed" and failed["results"] == []
    created = new_list(api, "person")
    status, body, _ = api.post(
        f"{BASE}/{created['id']}/add-prospects",
        {"selection": {"searchId": started["searchId"], "selectAll": True}},
    )
    assert_error(status, body, 400, "BAD_REQUEST")
    assert "search again" in body["message"]


def test_within_budget_search_is_complete_and_readable_by_get(api, catalog):
    status, body, _ = api.post(PROSPECTS, {"filter": US, "pageSize": 9})
    assert status == 200 and body["status"] == "complete"
    first, ids = read_all(api, body["searchId"], 9)
    assert first["kind"] == "prospects" and first["total"] == body["total"]
    assert ids == expected_persons(catalog, US)
    # A POST nextToken and a GET nextToken are the same cursor.
    query = f"nextToken={body['nextToken']}&pageSize=9"
    _, second, _ = api.get(f"/api/v1/search/{body['searchId']}", query=query)
    assert [r["id"] for r in second["results"]] == ids[9:18]


def test_get_search_errors(api, catalog):
    _, mine, _ = api.post(PROSPECTS, {"filter": US, "pageSize": 2})
    _, other, _ = api.post(PROSPECTS, {"filter": {"countries": ["Germany"]}, "pageSize": 2})
    base = f"/api/v1/search/{mine['searchId']}"
    before = snapshot()
    cases = [
        (api.get("/api/v1/search/not-a-uuid"), 400, {"searchId"}),
        (api.get("/api/v1/search/550e8400-e29b-41d4-a716-446655440999"), 404, set()),
        (api.as_(org=ORG_B).get(base), 404, set()),
        (api.get(base, query="nextToken=garbage!"), 400, {"nextToken"}),
        (api.get(base, query=f"nextToken={other['nextToken']}"), 400, {"nextToken"}),
        (api.get(base, query="pageSize=0"), 400, None),
        (api.get(base, query="pageSize=101"), 400, None),
    ]
    for (status, body, _), want, named in cases:
        assert status == want, body
        assert body["message"] and body["requestId"]
        if named:
            assert named <= fields(body), body
    assert snapshot() == before


class ScanCounter:
    """Counts the items DynamoDB scans hand back (what a scan reads into the function)."""

    def __init__(self, client: Any) -> None:
        self.client, self.items = client, 0

    def scan(self, **request: Any) -> dict[str, Any]:
        answer = self.client.scan(**request)
        self.items += len(answer.get("Items", []))
        return answer

    def __getattr__(self, name: str) -> Any:
        return getattr(self.client, name)


def counted_search(monkeypatch, api: Api, path: str, raw: dict) -> tuple[dict, int]:
    from leadlists.repositories import dynamo

    counter = ScanCounter(dynamo.client())
    monkeypatch.setattr(dynamo, "client", lambda: counter)
    status, body, _ = api.post(path, {"filter": raw, "pageSize": 100})
    monkeypatch.undo()
    assert status == 200, body
    return body, counter.items


def test_keywords_are_pushed_down_to_the_scan(api, catalog, monkeypatch):
    word = catalog["companies"][0]["name"].split()[0]
    keyword = word[1:].upper()  # a substring, in another case
    raw = {"keywords": [keyword]}
    body, read = counted_search(monkeypatch, api, PROSPECTS, raw)
    _, unfiltered = counted_search(monkeypatch, api, PROSPECTS, {"exclude_countries": ["X"]})
    expected = expected_persons(catalog, raw)
    assert body["total"] == len(expected) > 0
    assert read < unfiltered / 2  # only (near) matches leave DynamoDB
    _, results = body, [r["id"] for r in body["results"]]
    assert results == expected[:100]
    excluded = {"exclude_keywords": [keyword, "zzzz-none"]}
    body, read = counted_search(monkeypatch, api, PROSPECTS, excluded)
    assert body["total"] == len(expected_persons(catalog, excluded)) == 600 - len(expected)
    assert read == body["total"]
    company_raw = {"keywords": [word.lower()]}
    body, read = counted_search(monkeypatch, api, COMPANIES, company_raw)
    company_filter = Filter(**company_raw)
    companies = [c for c in catalog["companies"] if matches(company_filter, as_filterable(c))]
    assert body["total"] == len(companies) == read  # the facet holds exactly what matches reads
