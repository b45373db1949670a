"""Faults injected below the repositories: throttling and unprocessed batch items are retried and
lose nothing; an SQS consumer failing one record of a batch retries only that record."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ClientError

from conftest import ORG_A, drain_queue
from leadlists.repositories import dynamo, keys, tenant_records
from leadlists_local import lambdas, template


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


# ------------------------------------------------------------ steps killed without raising
# A Lambda killed by its timeout or out of memory raises nothing: no handler runs, the message
# is not acknowledged, SQS delivers it again after its visibility timeout and, after
# maxReceiveCount receives, moves it to its dead-letter queue, where DeadLettersFunction fails the
# run. Each fan-out step is killed on its first attempt (the list ends completed, exactly) or on
# every attempt, the last included (the list ends failed with a readable reason); never running.

FAN_OUT_QUEUES = ["RefreshQueue", "RefreshSegmentQueue", "TenantCopyQueue"]
DEAD_LETTER_QUEUES = [
    "RefreshDeadLetterQueue",
    "RefreshSegmentDeadLetterQueue",
    "TenantCopyDeadLetterQueue",
]


class Killed(BaseException):
    """The runtime stopping the handler: no `except Exception` sees it, nothing is acknowledged."""


class KillingQueues:
    """Drives the fan-out's queues one message at a time like their event source mappings;
    `attempt` is the receive count of the message being handled (what a kill switch reads)."""

    def __init__(self, aws: dict[str, Any]) -> None:
        self.aws = aws
        self.sqs = boto3.client("sqs", region_name="us-east-1")
        self.attempt = 0
        self.killed = 0
        self.consumers = {
            q["queue"]: name for name, f in template.functions().items() for q in f.queues
        }

    def step(self, queue: str) -> int:
        url, arn = self.aws["queues"][queue]["url"], self.aws["queues"][queue]["arn"]
        got = self.sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=1, VisibilityTimeout=0, AttributeNames=["All"]
        )
        for m in got.get("Messages", []):
            self.attempt = int(m["Attributes"]["ApproximateReceiveCount"])
            try:
                result = lambdas.invoke(self.consumers[queue], lambdas.sqs_event([m], arn))
            except Killed:
                self.killed += 1
                continue  # not acknowledged: back after the visibility timeout (0 here)
            if not (result or {}).get("batchItemFailures"):
                self.sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        return len(got.get("Messages", []))

    def run(self, rounds: int = 400) -> None:
        for _ in range(rounds):
            if not sum(self.step(q) for q in FAN_OUT_QUEUES + DEAD_LETTER_QUEUES):
                return
        raise AssertionError("queues never emptied")


# step -> where it is killed: (module, function); the kill comes after the real call on a first
# attempt (the worst moment: its effect done, unacknowledged) and before it on every attempt.
KILL_POINTS = {
    "inline": ("leadlists.repositories.saved_lists", "write_members_owned"),
    "coordinator": ("leadlists.refresh_queues", "send_segments"),
    "segment": ("leadlists.repositories.refresh_runs", "complete_segment"),
    "finalize": ("leadlists.services.merge", "merge_members"),
}


def _kill(monkeypatch: Any, queues: KillingQueues, step: str, attempts: set[int], after: bool):
    import importlib

    module_name, name = KILL_POINTS[step]
    owner = importlib.import_module(module_name)
    real = getattr(owner, name)

    def killed(*args: Any, **kwargs: Any) -> Any:
        if queues.attempt not in attempts:
            return real(*args, **kwargs)
        result = real(*args, **kwargs) if after else None
        raise Killed(step)
        return result  # pragma: no cover

    monkeypatch.setattr(owner, name, killed)


@pytest.fixture
def small_fanout(aws: dict[str, Any], monkeypatch: Any) -> dict[str, Any]:
    """60 persons over 3 scan segments: most steps run several times."""
    from leadlists.config import settings
    from leadlists_local.catalog import seed_catalog

    monkeypatch.setenv("SYNC_REFRESH_MAX_PERSONS", "10")
    monkeypatch.setenv("REFRESH_SEGMENT_SIZE", "20")
    settings.cache_clear()
    # A redelivery comes after the visibility timeout, so past the finalizer's lease.
    from leadlists.services import finalizer

    monkeypatch.setattr(finalizer, "FINALIZE_LEASE_SECONDS", -1)
    return seed_catalog(companies=10, persons=60, seed=3)


def _members(list_id: str) -> list[str]:
    from leadlists.repositories import saved_lists

    return sorted(saved_lists.member_ids(ORG_A, list_id))


def _save(api: Any) -> dict[str, Any]:
    body = {"organizationId": ORG_A, "listName": "Killed", "contacts_found": 0,
            "filter": {"countries": ["United States", "Germany"]}}  # fmt: skip
    status, saved, _ = api.post("/lists/save", body)
    assert status == 200
    return saved


def _want(persons: list[dict[str, Any]]) -> list[str]:
    return sorted(p["id"] for p in persons if p["country"] in ("United States", "Germany"))


# No copy step: segments write their tenant copies themselves.
STEPS = ["inline", "coordinator", "segment", "finalize"]


def _setup(step: str, monkeypatch: Any) -> None:
    if step == "inline":  # within the synchronous budget: the refresh worker computes it
        from leadlists.config import settings

        monkeypatch.setenv("SYNC_REFRESH_MAX_PERSONS", "1000")
        settings.cache_clear()


@pytest.mark.parametrize("steps", [["inline"], ["coordinator", "segment", "finalize"]])
def test_steps_killed_on_their_first_attempt_are_redelivered_and_the_list_completes_exactly(
    api, small_fanout, aws, monkeypatch, steps
):
    _setup(steps[0], monkeypatch)
    saved = _save(api)
    queues = KillingQueues(aws)
    for step in steps:  # each message of each step dies once, right after its step's effect
        _kill(monkeypatch, queues, step, attempts={1}, after=True)
    queues.run()
    assert queues.killed >= len(steps)
    _, body, _ = api.get(f"/lists/{saved['id']}")
    want = _want(small_fanout["persons"])
    assert body["refreshStatus"] == "idle", body
    assert body["contactsNum"] == len(want) == body["matchedContactsNum"]
    assert body["refreshError"] is None and body["refreshProgress"] is None
    assert _members(saved["id"]) == want


@pytest.mark.parametrize("step", STEPS)
def test_step_killed_on_every_attempt_ends_failed_with_a_reason_never_running(
    api, small_fanout, aws, monkeypatch, step
):
    from leadlists.config import settings

    _setup(step, monkeypatch)
    saved = _save(api)
    queues = KillingQueues(aws)
    _kill(monkeypatch, queues, step, attempts={1, 2, 3}, after=False)
    queues.run()
    assert queues.killed >= settings().max_receive_count  # the last attempt was killed too
    _, body, _ = api.get(f"/lists/{saved['id']}")
    assert body["refreshStatus"] == "failed", body
    assert body["refreshError"].startswith("The refresh could not be completed")
    assert "interrupted" in body["refreshError"]
    assert "Error" not in body["refreshError"] and "Killed" not in body["refreshError"]
    assert body["refreshProgress"] is None
    # Every dead letter was handled; nothing waits anywhere.
    for queue in DEAD_LETTER_QUEUES:
        url = aws["queues"][queue]["url"]
        assert "Messages" not in queues.sqs.receive_message(QueueUrl=url)


# ------------------------------------------------------------------ conflicts on hot items


class Conflicting:
    """A client proxy answering every other transaction, and every third conditional update,
    with a TransactionConflict first: as busy items would. Records what each transaction touched."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.calls = {"TransactWriteItems": 0, "UpdateItem": 0}
        self.conflicts = {"TransactWriteItems": 0, "UpdateItem": 0}
        self.touched: list[tuple[str, str]] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)

    def _conflict(self, operation: str, every: int) -> bool:
        self.calls[operation] += 1
        if self.calls[operation] % every:
            return False
        self.conflicts[operation] += 1
        return True

    def transact_write_items(self, TransactItems: list[dict[str, Any]]) -> dict[str, Any]:
        for item in TransactItems:
            action = next(iter(item.values()))
            key = action.get("Key") or action["Item"]
            self.touched.append((key["pk"]["S"], key["sk"]["S"]))
        if self._conflict("TransactWriteItems", 2):
            reasons = [{"Code": "None"}] * (len(TransactItems) - 1) + [
                {"Code": "TransactionConflict"}
            ]
            error = {"Code": "TransactionCanceledException", "Message": "conflict"}
            raise ClientError({"Error": error, "CancellationReasons": reasons}, "TransactWrite")
        return self.real.transact_write_items(TransactItems=TransactItems)

    def update_item(self, **request: Any) -> dict[str, Any]:
        if self._conflict("UpdateItem", 3):
            error = {"Code": "TransactionConflictException", "Message": "conflict"}
            raise ClientError({"Error": error}, "UpdateItem")
        return self.real.update_item(**request)


def test_injected_conflicts_are_retried_with_backoff_and_counts_stay_exact(
    api, small_fanout, aws, monkeypatch
):
    monkeypatch.setattr(dynamo, "_RETRY_DELAYS", (0,) * 7)
    saved = _save(api)
    proxy = Conflicting(dynamo.client())
    with mock.patch.object(dynamo, "client", lambda: proxy):
        KillingQueues(aws).run()
    _, body, _ = api.get(f"/lists/{saved['id']}")
    want = _want(small_fanout["persons"])
    assert body["refreshStatus"] == "idle", body
    assert body["contactsNum"] == len(want) == body["matchedContactsNum"]
    assert _members(saved["id"]) == want
    rates = {op: proxy.conflicts[op] / proxy.calls[op] for op in proxy.calls}
    print(f"injected conflict rates {rates} over {proxy.calls} calls; every one retried")
    assert rates["TransactWriteItems"] >= 0.4 and rates["UpdateItem"] >= 0.25
    # No transaction touches the run item (the former hot item): counts go to done markers and
    # shard counters, spread over the shards.
    assert not [pk for pk, sk in proxy.touched if "#RUN#" in pk and sk == keys.META]
    counters = {sk for _, sk in proxy.touched if sk.startswith(keys.RUN_COUNTER_PREFIX)}
    assert len(counters) == 3  # each of the three segments on a shard of its own


def test_a_thousand_segments_and_their_chunks_spread_over_the_counter_shards():
    from leadlists.repositories import refresh_runs

    shards = [0] * refresh_runs.COUNTER_SHARDS
    for segment in range(1000):
        shards[segment % refresh_runs.COUNTER_SHARDS] += 1
        for chunk in range(3):
            shards[(segment + chunk + 1) % refresh_runs.COUNTER_SHARDS] += 1
    # 4,000 counts: no shard takes more than its share plus one segment's worth.
    assert max(shards) <= 4000 / refresh_runs.COUNTER_SHARDS + 4
    # Twenty concurrent workers (the segment mapping's maximum) landing on one shard at once:
    # the chance two of them pick the same of 32 items is what a conflict costs, not certainty.
    assert refresh_runs.COUNTER_SHARDS >= 32


def test_dead_letter_consumer_drops_a_malformed_message_after_logging_it(aws, capsys, caplog):
    dlq = aws["queues"]["RefreshDeadLetterQueue"]
    record = {"messageId": "m-1", "receiptHandle": "r", "body": "{not json", "attributes": {},
              "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs",
              "awsRegion": "us-east-1", "eventSourceARN": dlq["arn"]}  # fmt: skip
    assert lambdas.invoke("DeadLettersFunction", {"Records": [record]}) == {"batchItemFailures": []}
    errors = [r.message for r in caplog.records if r.levelname == "ERROR"]
    assert errors == ["Malformed dead letter"]
    assert '"DeadLetters":[1.0]' in capsys.readouterr().out  # counted: the alarm fires
