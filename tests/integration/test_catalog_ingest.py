"""Catalog ingestion in AWS, on moto: a file put under incoming/ reaches CatalogIngestQueue (the
bucket's notification), is checked and cut into chunks, written stage by stage by
CatalogChunkFunction, counted once however often a chunk is delivered, and reported beside it."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

from conftest import drain_queue
from leadlists.config import settings
from leadlists.repositories import catalog, dynamo, ingest_jobs, keys
from leadlists_local import lambdas, resources

CO = "11111111-1111-4111-8111-111111111111"
OLD = "99999999-9999-4999-8999-999999999999"
PERSONS = [f"00000000-0000-4000-8000-{n:012d}" for n in range(4)]
# The company comes last: persons of earlier chunks still find its facets (companies go first).
CSV_FILE = "kind,id,firstName,companyId,name,domain,industry,deleted\n" + "".join(
    [
        f"person,{PERSONS[0]},Ann,{CO},,,,\n",
        f"person,{PERSONS[1]},Bob,{CO},,,Retail,\n",
        "person,not-a-uuid,Cy,,,,,\n",
        f"person,{PERSONS[2]},Dee,,,,,\n",
        f"person,{OLD},,,,,,true\n",
        f"person,{PERSONS[3]},Eve,{CO},,,,\n",
        f"company,{CO},,,Acme,acme.test,Software,\n",
    ]
)


@pytest.fixture
def bucket(aws: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> str:
    resources.notify_queues(boto3.client("s3"), aws["buckets"], aws["queues"])
    monkeypatch.setenv("CATALOG_CHUNK_ROWS", "2")
    settings.cache_clear()
    catalog.put_records(keys.PERSON, [{"id": OLD, "firstName": "Old"}])
    catalog.set_stats(persons=1, companies=0)
    return str(aws["buckets"]["CatalogBucket"])


def put(bucket: str, key: str, body: str, **extra: Any) -> None:
    boto3.client("s3").put_object(Bucket=bucket, Key=key, Body=body.encode(), **extra)


def report(bucket: str, name: str) -> dict[str, Any]:
    body = boto3.client("s3").get_object(Bucket=bucket, Key=f"reports/{name}.json")["Body"]
    return json.loads(body.read())  # type: ignore[no-any-return]


def ingest_items() -> list[str]:
    scan = dynamo.client().scan(TableName=settings().global_table)
    return [i["pk"]["S"] for i in scan["Items"] if i["pk"]["S"].startswith("INGEST#")]


def deliver_twice(aws: dict[str, Any], queue: str, function: str) -> None:
    """Like an event source mapping whose every batch arrives twice: each message is handled
    twice, and deleted only when the second handling did not report it failed."""
    sqs = boto3.client("sqs")
    url, arn = aws["queues"][queue]["url"], aws["queues"][queue]["arn"]
    for _ in range(12):
        messages = sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0, AttributeNames=["All"]
        ).get("Messages", [])
        if not messages:
            return
        for _attempt in (1, 2):
            try:
                result = lambdas.invoke(function, lambdas.sqs_event(messages, arn))
                failed = {f["itemIdentifier"] for f in result["batchItemFailures"]}
            except BatchProcessingError:  # every record failed: Lambda retries the batch
                failed = {m["MessageId"] for m in messages}
        for m in messages:
            if m["MessageId"] not in failed:
                sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    raise AssertionError(f"{queue} never drained")


def test_a_file_put_under_incoming_is_imported_in_chunks_once(
    aws: dict, bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    put(bucket, "incoming/acme.skip-invalid.csv", CSV_FILE)
    drain_queue(aws, "CatalogIngestQueue", "CatalogIngestFunction")
    assert report(bucket, "acme.skip-invalid.csv")["status"] == "running"
    real_finish, calls = ingest_jobs.finish_chunk, []

    def crash_once(*args: Any) -> bool:
        calls.append(args)
        if len(calls) == 1:  # the first chunk's records are written, its counting is not
            raise RuntimeError("crash")
        return real_finish(*args)

    monkeypatch.setattr(ingest_jobs, "finish_chunk", crash_once)
    deliver_twice(aws, "CatalogChunkQueue", "CatalogChunkFunction")

    done = report(bucket, "acme.skip-invalid.csv")
    assert done["status"] == "complete" and done["imported"] and done["rows"] == 7
    assert done["upserted"] == {"companies": 1, "persons": 4}
    assert done["deleted"] == {"companies": 0, "persons": 1}
    assert done["rejected"] == [{"line": 4, "reason": "id: Invalid UUID"}]
    persons = catalog.get_records(keys.PERSON, [*PERSONS, OLD])
    assert set(persons) == set(PERSONS)
    domains = [persons[p].get("companyDomain") for p in PERSONS]
    assert domains == ["acme.test", "acme.test", None, "acme.test"]
    assert persons[PERSONS[1]]["industry"] == "Retail"  # stated, not inherited
    assert catalog.stats() == {"persons": 4, "companies": 1}  # each chunk counted once
    # 1 chunk holds companies, 3 hold persons; only the crashed one was counted a second time.
    assert len(calls) == 5
    assert len(ingest_items()) == 1  # the chunk items went with the job's completion


def test_a_file_with_an_invalid_record_is_refused_whole(aws: dict, bucket: str) -> None:
    put(bucket, "incoming/acme.csv", CSV_FILE)
    put(bucket, "incoming/notes.txt", "not a catalog file")  # no notification: not .csv/.jsonl
    drain_queue(aws, "CatalogIngestQueue", "CatalogIngestFunction")
    refused = report(bucket, "acme.csv")
    assert refused["status"] == "rejected" and not refused["imported"]
    assert refused["rejected"] == [{"line": 4, "reason": "id: Invalid UUID"}]
    assert drain_queue(aws, "CatalogChunkQueue", "CatalogChunkFunction") == 0
    assert catalog.get_records(keys.PERSON, PERSONS) == {}
    assert catalog.stats() == {"persons": 1, "companies": 0}
    # The object's metadata can ask for the valid records instead.
    put(bucket, "incoming/acme2.csv", CSV_FILE, Metadata={"skip-invalid": "true"})
    drain_queue(aws, "CatalogIngestQueue", "CatalogIngestFunction")
    drain_queue(aws, "CatalogChunkQueue", "CatalogChunkFunction")
    assert report(bucket, "acme2.csv")["status"] == "complete"
