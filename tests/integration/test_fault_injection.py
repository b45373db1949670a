"""Faults injected below the repositories: throttling and unprocessed batch items are retried and
lose nothing; an SQS consumer failing one record of a batch retries only that record."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import boto3
from botocore.awsrequest import AWSResponse

from conftest import ORG_A, drain_queue
from leadlists.repositories import dynamo, keys, tenant_records
from leadlists_local import lambdas


class _Raw:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any):
        yield self._body


def throttle_first(client: Any, operation: str, times: int) -> list[int]:
    """Answer the first `times` calls of `operation` with a throttling error, at the HTTP layer."""
    seen = [0]

    def before_send(request: Any, **_: Any) -> AWSResponse | None:
        seen[0] += 1
        if seen[0] > times:
            return None
        body = json.dumps(
            {
                "__type": "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
                "message": "Rate exceeded",
            }
        ).encode()
        return AWSResponse(request.url, 400, {"x-amzn-requestid": "x"}, _Raw(body))

    client.meta.events.register(f"before-send.dynamodb.{operation}", before_send)
    return seen


class HalfProcessing:
    """A client proxy whose batch calls process only half their items, like a busy table."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.batch_calls = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)

    def batch_write_item(self, RequestItems: dict) -> dict:
        self.batch_calls += 1
        ((table, requests),) = RequestItems.items()
        keep, later = requests[: (len(requests) + 1) // 2], requests[(len(requests) + 1) // 2 :]
        self.real.batch_write_item(RequestItems={table: keep})
        return {"UnprocessedItems": {table: later} if later else {}}

    def batch_get_item(self, RequestItems: dict) -> dict:
        self.batch_calls += 1
        ((table, request),) = RequestItems.items()
        wanted = request["Keys"]
        half = (len(wanted) + 1) // 2
        answer = self.real.batch_get_item(RequestItems={table: {**request, "Keys": wanted[:half]}})
        rest = wanted[half:]
        if rest:
            answer["UnprocessedKeys"] = {table: {**request, "Keys": rest}}
        return answer


@contextmanager
def half_processing() -> Iterator[HalfProcessing]:
    proxy = HalfProcessing(dynamo.client())
    with mock.patch.object(dynamo, "client", lambda: proxy):
        yield proxy


def test_unprocessed_batch_items_are_retried_until_all_are_written(aws, monkeypatch):
    monkeypatch.setattr(dynamo, "_RETRY_DELAYS", (0,) * 10)
    records = [{"id": f"p{n:03d}", "fullName": f"Person {n}"} for n in range(60)]
    with half_processing() as proxy:
        tenant_records.put_copies(ORG_A, keys.PERSON, records)
        assert proxy.batch_calls > 3  # 3 chunks of 25, each needing retries
        calls = proxy.batch_calls
        copies = tenant_records.get_copies(ORG_A, keys.PERSON, [r["id"] for r in records])
        assert proxy.batch_calls > calls + 1  # the gets were retried too
    assert sorted(copies) == [r["id"] for r in records]
    assert copies["p007"]["fullName"] == "Person 7"


def test_throttled_calls_are_retried_by_the_client_and_succeed(aws):
    client = dynamo.client()
    seen = throttle_first(client, "BatchWriteItem", times=2)
    tenant_records.put_copies(ORG_A, keys.PERSON, [{"id": "p1", "fullName": "One"}])
    assert seen[0] == 3  # two throttled attempts, then the real one
    assert tenant_records.get_copies(ORG_A, keys.PERSON, ["p1"])["p1"]["fullName"] == "One"


def test_refresh_survives_throttling_and_unprocessed_items(api, catalog, monkeypatch):
    body = {"organizationId": ORG_A, "listName": "Throttled", "contacts_found": 0,
            "filter": {"countries": ["United States"]}}  # fmt: skip
    _, saved, _ = api.post("/lists/save", body)
    throttle_first(dynamo.client(), "Scan", times=1)
    monkeypatch.setattr(dynamo, "_RETRY_DELAYS", (0,) * 10)
    with half_processing():
        status, done, _ = api.post(f"/lists/refresh/{saved['id']}")
    assert status == 200
    want = sum(1 for p in catalog["persons"] if p["country"] == "United States")
    assert done["contactsNum"] == want
    seen, token = 0, None
    while True:
        query = "limit=100" + (f"&nextToken={token}" if token else "")
        _, page, _ = api.get(f"/lists/{saved['id']}/contacts", query=query)
        seen += len(page["contacts"])
        token = page["nextToken"]
        if not token:
            break
    assert seen == want  # every member has its tenant copy


def test_sqs_consumer_failing_one_record_retries_only_that_record(api, catalog, aws, monkeypatch):
    names = ["First", "Second"]
    ids = []
    for name in names:
        body = {"organizationId": ORG_A, "listName": name, "contacts_found": 0,
                "filter": {"countries": ["Germany"]}}  # fmt: skip
        ids.append(api.post("/lists/save", body)[1]["id"])
    from leadlists.services import refresh_requests

    real_run = refresh_requests.run_queued

    def flaky(org: str, list_id: str, run_id: str) -> None:
        if list_id == ids[1]:
            raise RuntimeError("transient")
        real_run(org, list_id, run_id)

    monkeypatch.setattr(refresh_requests, "run_queued", flaky)
    sqs = boto3.client("sqs", region_name="us-east-1")
    url, arn = aws["queues"]["RefreshQueue"]["url"], aws["queues"]["RefreshQueue"]["arn"]
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert len(messages) == 2
    result = lambdas.invoke("RefreshWorkerFunction", lambdas.sqs_event(messages, arn))
    failed_body = next(m for m in messages if json.loads(m["Body"])["listId"] == ids[1])
    assert result["batchItemFailures"] == [{"itemIdentifier": failed_body["MessageId"]}]

    monkeypatch.setattr(refresh_requests, "run_queued", real_run)
    for m in messages:  # the event source mapping deletes what succeeded, keeps the failure
        if m is not failed_body:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    sqs.change_message_visibility(
        QueueUrl=url, ReceiptHandle=failed_body["ReceiptHandle"], VisibilityTimeout=0
    )
    assert drain_queue(aws, "RefreshQueue", "RefreshWorkerFunction") == 1
    for list_id in ids:
        assert api.get(f"/lists/{list_id}")[1]["refreshStatus"] == "idle"
