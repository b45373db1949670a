"""Refresh at scale through the handlers and the queue consumers (moto): fan-out over scan
segments, tenant copies in chunks, exactly-once counts under duplicate delivery, retries after
mid-segment failures, runs that exhaust their retries, and one run at a time.

The catalog has 600 persons and a segment takes 100, so a refresh fans out over 6 segments.
Expected members always come from an independent computation over the seeded persons.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

from conftest import ORG_A, ORG_B
from leadlists.config import settings
from leadlists.repositories import dynamo, keys
from leadlists.repositories import saved_lists as repo
from leadlists_local import lambdas, template

SEGMENTS = 6
US = {"countries": ["United States"]}
GERMANY = {"countries": ["Germany"]}
CONSUMERS = {  # queue -> function, read from the template's SQS event sources
    q["queue"]: name for name, f in template.functions().items() for q in f.queues
}
QUEUE_ORDER = ["RefreshQueue", "RefreshSegmentQueue", "TenantCopyQueue"]


@pytest.fixture
def fanout(aws: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Every refresh beyond the synchronous budget; 100 persons per scan segment."""
    monkeypatch.setenv("SYNC_REFRESH_MAX_PERSONS", "10")
    monkeypatch.setenv("REFRESH_SEGMENT_SIZE", "100")
    settings.cache_clear()
    return aws


class Queues:
    """Drives the template's queues like their event source mappings, with optional duplicate
    delivery (every batch handed over twice, and every message sent again for later)."""

    def __init__(self, aws: dict[str, Any], duplicate: bool = False) -> None:
        self.aws, self.duplicate = aws, duplicate
        self.sqs = boto3.client("sqs", region_name="us-east-1")
        self.seen: set[str] = set()

    def url(self, queue: str) -> str:
        return self.aws["queues"][queue]["url"]

    def step(self, queue: str) -> int:
        """One receive + invoke; returns the messages received."""
        got = self.sqs.receive_message(
            QueueUrl=self.url(queue),
            MaxNumberOfMessages=10,
            VisibilityTimeout=0,
            MessageSystemAttributeNames=["All"],
        )
        messages = got.get("Messages", [])
        if not messages:
            return 0
        function = CONSUMERS[queue]
        event = lambdas.sqs_event(messages, self.aws["queues"][queue]["arn"])
        failed = self.invoke(function, event)
        if self.duplicate:
            self.invoke(function, event)  # the same delivery again, at once
            for m in messages:  # ... and once more later, after other work
                if m["Body"] not in self.seen:
                    self.seen.add(m["Body"])
                    self.sqs.send_message(QueueUrl=self.url(queue), MessageBody=m["Body"])
        for m in messages:
            if m["MessageId"] not in failed:
                self.sqs.delete_message(QueueUrl=self.url(queue), ReceiptHandle=m["ReceiptHandle"])
        return len(messages)

    @staticmethod
    def invoke(function: str, event: dict[str, Any]) -> set[str]:
        """The ids the function failed; like Lambda, an exception fails the whole batch."""
        try:
            result = lambdas.invoke(function, event)
        except Exception:
            return {r["messageId"] for r in event["Records"]}
        return {f["itemIdentifier"] for f in (result or {}).get("batchItemFailures", [])}

    def drain(self, queue: str, limit: int = 200) -> int:
        total = 0
        for _ in range(limit):
            got = self.step(queue)
            if not got:
                break
            total += got
        return total

    def run(self, rounds: int = 100) -> None:
        """Until every queue is empty."""
        for _ in range(rounds):
            if not sum(self.drain(q) for q in QUEUE_ORDER):
                return
        raise AssertionError("queues never emptied")

    def dead_letters(self, queue: str) -> list[dict[str, Any]]:
        got = self.sqs.receive_message(QueueUrl=self.url(queue), MaxNumberOfMessages=10)
        return [json.loads(m["Body"]) for m in got.get("Messages", [])]


def save(api, name: str = "Fan-out", flt: dict | None = None, **extra: Any) -> dict[str, Any]:
    body = {"organizationId": ORG_A, "listName": name, "contacts_found": 0, "filter": flt or US}
    status, saved, _ = api.post("/lists/save", {**body, **extra})
    assert status == 200, saved
    return saved


def expected(catalog: dict, predicate: Callable[[dict], bool]) -> list[str]:
    return sorted(p["id"] for p in catalog["persons"] if predicate(p))


def in_us(p: dict) -> bool:
    return p["country"] == "United States"


def in_germany(p: dict) -> bool:
    return p["country"] == "Germany"


def contacts(api, list_id: str) -> list[dict[str, Any]]:
    out, token = [], None
    while True:
        query = "limit=100" + (f"&nextToken={token}" if token else "")
        status, page, _ = api.get(f"/lists/{list_id}/contacts", query=query)
        assert status == 200
        out += page["contacts"]
        token = page["nextToken"]
        if not token:
            return out


def run_items(list_id: str) -> list[dict[str, Any]]:
    """Every item of every run of the list (run partitions start with the list's key)."""
    prefix = keys.refresh_run(ORG_A, list_id, "")[keys.PK]
    table = settings().tenant_table
    found, request = [], {"TableName": table}
    while True:
        page = dynamo.client().scan(**request)
        found += [i for i in page["Items"] if i["pk"]["S"].startswith(prefix)]
        if "LastEvaluatedKey" not in page:
            return found
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def assert_exact(api, list_id: str, want: list[str], matched: int | None = None) -> dict:
    status, body, _ = api.get(f"/lists/{list_id}")
    assert status == 200
    assert body["refreshStatus"] == "idle", body
    assert body["refreshProgress"] is None and body["refreshError"] is None
    assert body["lastSyncedTime"]
    assert body["contactsNum"] == len(want)
    assert body["matchedContactsNum"] == (len(want) if matched is None else matched)
    assert sorted(repo.member_ids(ORG_A, list_id)) == want
    people = contacts(api, list_id)
    assert sorted(p["id"] for p in people) == want  # every member has its tenant copy
    assert run_items(list_id) == []  # the run cleaned up after itself
    return body


# ------------------------------------------------------------------------------------ behaviour


def test_large_refresh_fans_out_and_completes_exactly(api, catalog, fanout):
    saved = save(api)
    queues = Queues(fanout)
    assert queues.drain("RefreshQueue") == 1
    sqs = queues.sqs
    attrs = sqs.get_queue_attributes(
        QueueUrl=queues.url("RefreshSegmentQueue"), AttributeNames=["ApproximateNumberOfMessages"]
    )
    assert int(attrs["Attributes"]["ApproximateNumberOfMessages"]) == SEGMENTS
    queues.run()
    body = assert_exact(api, saved["id"], expected(catalog, in_us))
    assert body["contactsNum"] > 100  # more than one segment's and one copy chunk's worth


def test_running_refresh_reports_progress(api, catalog, fanout):
    saved = save(api)
    queues = Queues(fanout)
    queues.drain("RefreshQueue")
    _, body, _ = api.get(f"/lists/{saved['id']}")
    assert body["refreshStatus"] == "running"
    progress = body["refreshProgress"]
    assert (progress["phase"], progress["matching"]) == ("matching", {"done": 0, "total": SEGMENTS})
    assert (progress["segmentsDone"], progress["segmentsTotal"]) == (0, SEGMENTS)
    assert progress["copying"]["total"] is None  # unknown until every segment is matched
    got = queues.sqs.receive_message(
        QueueUrl=queues.url("RefreshSegmentQueue"), MaxNumberOfMessages=1, VisibilityTimeout=0
    )["Messages"]
    arn = fanout["queues"]["RefreshSegmentQueue"]["arn"]
    lambdas.invoke("RefreshSegmentFunction", lambdas.sqs_event(got, arn))
    queues.sqs.delete_message(
        QueueUrl=queues.url("RefreshSegmentQueue"), ReceiptHandle=got[0]["ReceiptHandle"]
    )
    _, body, _ = api.get(f"/lists/{saved['id']}")
    progress = body["refreshProgress"]
    assert progress["matching"] == {"done": 1, "total": SEGMENTS}
    assert progress["segmentsDone"] == 1 and progress["phase"] == "matching"
    queues.run()
    assert_exact(api, saved["id"], expected(catalog, in_us))


def test_every_message_delivered_twice_counts_once(api, catalog, fanout):
    saved = save(api)
    queues = Queues(fanout, duplicate=True)
    queues.run()
    body = assert_exact(api, saved["id"], expected(catalog, in_us))
    # And a refresh requested later starts from clean state, with the same counts.
    status, again, _ = api.post(f"/lists/refresh/{saved['id']}")
    assert status == 202 and again["refreshStatus"] == "queued"
    Queues(fanout, duplicate=True).run()
    again_done = assert_exact(api, saved["id"], expected(catalog, in_us))
    assert again_done["contactsNum"] == body["contactsNum"]


def _fail_once(monkeypatch: pytest.MonkeyPatch, owner: Any, name: str, after: int = 0) -> list:
    """Make owner.name raise once, on its (after+1)-th call; the rest go through."""
    real = getattr(owner, name)
    calls: list[int] = []

    def flaky(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == after + 1:
            raise RuntimeError(f"injected failure in {name}")
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, flaky)
    return calls


@pytest.mark.parametrize(
    "where",
    [
        "scan",  # before anything is written
        "copies",  # run members written, copies not yet written, segment not counted
        "after_count",  # segment counted, then the worker dies before reporting it
        "copy_consumer",  # a tenant-copy chunk fails once
        "finalize",  # the finalizer dies mid-merge (some members already written)
        "coordinator",  # the coordinator dies after recording the run, before sending
    ],
)
def test_worker_failing_midway_is_retried_and_counts_stay_exact(
    api, catalog, fanout, monkeypatch, where
):
    from leadlists import refresh_queues as queue_module
    from leadlists.repositories import catalog_scans, tenant_records
    from leadlists.services import merge, run_progress

    saved = save(api)
    target = {
        "scan": (catalog_scans, "matching_persons", 2),
        "copies": (tenant_records, "put_copies", 1),
        "after_count": (run_progress, "after_count", 1),
        "copy_consumer": (tenant_records, "put_copies", 4),
        "finalize": (repo, "write_members_owned", 1),  # the second of several flushes
        "coordinator": (queue_module, "send_segments", 0),
    }[where]
    monkeypatch.setattr(merge, "MERGE_FLUSH", 50)
    calls = _fail_once(monkeypatch, *target)
    Queues(fanout).run()
    assert len(calls) > target[2]  # the failure did happen
    assert_exact(api, saved["id"], expected(catalog, in_us))


def test_run_whose_messages_exhaust_retries_ends_failed_in_the_dlq(
    api, catalog, fanout, monkeypatch
):
    from leadlists.repositories import catalog_scans

    saved = save(api)
    real = catalog_scans.matching_persons

    def broken_segment(flt, segment=0, total=1):
        if segment == 3:
            raise RuntimeError("segment 3 keeps failing")
        return real(flt, segment, total)

    monkeypatch.setattr(catalog_scans, "matching_persons", broken_segment)
    queues = Queues(fanout)
    queues.run()
    _, body, _ = api.get(f"/lists/{saved['id']}")
    assert body["refreshStatus"] == "failed"
    assert body["refreshError"] == (
        "The refresh could not be completed: it failed on each of its attempts."
        " Refresh the list to try again."
    )  # no exception name, no internals: the log keeps those
    assert body["refreshProgress"] is None
    dead = queues.dead_letters("RefreshSegmentDeadLetterQueue")
    assert [(m["type"], m["segment"], m["listId"]) for m in dead] == [("segment", 3, saved["id"])]
    # Nothing else is left waiting, and a later refresh (fixed) completes exactly.
    assert queues.dead_letters("RefreshDeadLetterQueue") == []
    monkeypatch.setattr(catalog_scans, "matching_persons", real)
    status, again, _ = api.post(f"/lists/refresh/{saved['id']}")
    assert status == 202 and again["refreshStatus"] == "queued"
    queues.run()
    assert_exact(api, saved["id"], expected(catalog, in_us))


def test_finalize_exhausting_retries_ends_failed(api, catalog, fanout, monkeypatch):
    from leadlists.services import merge

    saved = save(api)

    def broken(*args: Any, **kwargs: Any) -> int:
        raise RuntimeError("merge keeps failing")

    monkeypatch.setattr(merge, "merge_members", broken)
    queues = Queues(fanout)
    queues.run()
    _, body, _ = api.get(f"/lists/{saved['id']}")
    assert body["refreshStatus"] == "failed" and body["refreshError"]
    dead = queues.dead_letters("RefreshSegmentDeadLetterQueue")
    assert dead and {m["type"] for m in dead} == {"finalize"}


def test_refresh_requested_while_one_runs_does_not_start_a_second(api, catalog, fanout):
    saved = save(api)
    queues = Queues(fanout)
    queues.drain("RefreshQueue")
    run_id = repo.get(ORG_A, saved["id"])["refreshRunId"]
    status, body, _ = api.post(f"/lists/refresh/{saved['id']}")
    assert status == 202 and body["refreshStatus"] == "running"
    assert repo.get(ORG_A, saved["id"])["refreshRunId"] == run_id
    assert queues.drain("RefreshQueue") == 0  # nothing new was queued
    queues.run()
    assert_exact(api, saved["id"], expected(catalog, in_us))


def test_max_contacts_keeps_the_first_by_id(api, catalog, fanout):
    saved = save(api, maxContacts=25)
    Queues(fanout).run()
    want = expected(catalog, in_us)
    assert_exact(api, saved["id"], want[:25], matched=len(want))


def test_changed_filter_adds_and_removes_members_by_merge(api, catalog, fanout):
    saved = save(api)
    queues = Queues(fanout)
    queues.run()
    assert_exact(api, saved["id"], expected(catalog, in_us))
    current = repo.get(ORG_A, saved["id"])
    save(api, name="Fan-out", flt=GERMANY, id=saved["id"], version=current["version"])
    queues.run()
    assert_exact(api, saved["id"], expected(catalog, in_germany))


def test_run_superseded_midway_leaves_the_list_to_the_newer_run(api, catalog, fanout):
    saved = save(api)
    queues = Queues(fanout)
    queues.drain("RefreshQueue")
    old_run = repo.get(ORG_A, saved["id"])["refreshRunId"]
    for _ in range(3):  # some segments of the old run
        queues.step("RefreshSegmentQueue")
    current = repo.get(ORG_A, saved["id"])
    save(api, name="Fan-out", flt=GERMANY, id=saved["id"], version=current["version"])
    queues.run()
    assert_exact(api, saved["id"], expected(catalog, in_germany))
    assert repo.get(ORG_A, saved["id"])["refreshRunId"] != old_run


def test_other_organizations_lists_are_untouched(api, catalog, fanout):
    theirs = api.as_(org=ORG_B).post(
        "/lists/save",
        {"organizationId": ORG_B, "listName": "Theirs", "contacts_found": 0, "filter": GERMANY},
    )[1]
    Queues(fanout).run()
    mine = save(api)
    Queues(fanout).run()
    assert_exact(api, mine["id"], expected(catalog, in_us))
    assert sorted(repo.member_ids(ORG_B, theirs["id"])) == expected(catalog, in_germany)


RUN_IDS = {"organizationId": ORG_A, "listId": "l", "runId": "r"}


@pytest.mark.parametrize(
    "body",
    [
        json.dumps({"type": "mystery"}),  # unknown type
        "{not json",
        json.dumps({"type": "segment", "organizationId": ORG_A, "segment": 0}),  # no ids
        json.dumps({"type": "copy", **RUN_IDS, "segment": 0, "chunk": 0, "persons": []}),
    ],
    ids=["unknown-type", "bad-json", "missing-ids", "other-queues-type"],
)
def test_unknown_messages_are_failed_not_swallowed(fanout, body):
    sqs = boto3.client("sqs", region_name="us-east-1")
    url = fanout["queues"]["RefreshSegmentQueue"]["url"]
    sqs.send_message(QueueUrl=url, MessageBody=body)
    got = sqs.receive_message(QueueUrl=url, VisibilityTimeout=0)["Messages"]
    arn = fanout["queues"]["RefreshSegmentQueue"]["arn"]
    event = lambdas.sqs_event(got, arn)
    assert Queues.invoke("RefreshSegmentFunction", event) == {got[0]["MessageId"]}


# ------------------------------------------------------------------------------------- pieces


SAMPLE_SEGMENT = Path(__file__).resolve().parents[2] / "events" / "refresh_segment.json"


@pytest.mark.parametrize(
    ("body", "receive_count", "blamed"),
    [
        (None, "last", [("org_demo", "it failed on each of its attempts")]),
        (None, "1", []),  # SQS retries it: the run goes on
        ("{not json", "last", []),  # names no run: straight to the DLQ after its retries
        (json.dumps({"type": "segment", "segment": 0}), "last", []),
        # Another queue's message: not a type this consumer takes, failed unparsed.
        (json.dumps({"type": "export", "organizationId": "o", "exportId": "e"}), "last", []),
    ],
    ids=["valid-last-attempt", "valid-first-attempt", "bad-json", "missing-ids", "other-queue"],
)
def test_consumer_gives_up_the_run_only_on_a_valid_messages_last_attempt(
    monkeypatch, caplog, body, receive_count, blamed
):
    from leadlists import consumer
    from leadlists.models.messages import Delivery, SegmentMessage

    given_up: list[tuple[str, str]] = []
    steps: list[Delivery] = []

    def give_up(msg: SegmentMessage, reason: str) -> None:
        given_up.append((msg.organizationId, reason))

    def broken(_: SegmentMessage, delivery: Delivery) -> None:
        steps.append(delivery)
        raise RuntimeError("always")

    record = json.loads(SAMPLE_SEGMENT.read_text())["Records"][0]
    if body is not None:
        record["body"] = body
    last = str(settings().max_receive_count)
    record["attributes"]["ApproximateReceiveCount"] = last if receive_count == "last" else "1"
    handler = consumer.handler({SegmentMessage: consumer.Step(broken, give_up)})
    # Its only record failed: Powertools fails the whole batch, which SQS retries.
    with pytest.raises(BatchProcessingError):
        handler({"Records": [record]}, lambdas.context_for("RefreshSegmentFunction"))
    assert given_up == blamed
    assert len(steps) == (1 if body is None else 0)  # a malformed message reaches no step
    # ...and is logged with its id and why, on every attempt (no step will say it).
    malformed = [r for r in caplog.records if r.getMessage() == "Malformed message"]
    expected = [] if body is None else [record["messageId"]]
    assert [getattr(r, "messageId", None) for r in malformed] == expected
    assert all(getattr(r, "errors", None) for r in malformed)
    if steps:
        count = int(record["attributes"]["ApproximateReceiveCount"])
        assert steps[0].token == f"{record['messageId']}#{count}"
        assert steps[0].last_attempt == (receive_count == "last")


@pytest.mark.parametrize(
    ("broken", "dlq"),
    [
        ("send_segments", "RefreshDeadLetterQueue"),  # the coordinator never gets its run out
        ("put_copies", "RefreshSegmentDeadLetterQueue"),  # segments cannot write tenant copies
    ],
)
def test_request_and_copy_messages_exhausting_retries_end_failed(
    api, catalog, fanout, monkeypatch, broken, dlq
):
    from leadlists import refresh_queues as queue_module
    from leadlists.repositories import tenant_records

    saved = save(api)

    def fails(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("always")

    owner = queue_module if broken == "send_segments" else tenant_records
    monkeypatch.setattr(owner, broken, fails)
    queues = Queues(fanout)
    queues.run()
    _, body, _ = api.get(f"/lists/{saved['id']}")
    assert body["refreshStatus"] == "failed" and body["refreshError"]
    dead = queues.dead_letters(dlq)
    assert dead and {m["listId"] for m in dead} == {saved["id"]}
    assert run_items(saved["id"]) == []
