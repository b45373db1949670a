"""The import of one catalog file version from the bucket: a job item (its chunks, stage and
counts) and, while it runs, one item per chunk and stage that makes the chunk count once."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any

from botocore.exceptions import ClientError

from leadlists.config import settings
from leadlists.models.catalog_messages import CatalogFile
from leadlists.repositories import catalog, dynamo, keys

PENDING, APPLIED = "pending", "applied"
COMPLETE, FAILED = "complete", "failed"
_TRANSACTION_ATTEMPTS = 6


def _table() -> str:
    return settings().global_table


def create(file: CatalogFile, fields: Mapping[str, Any]) -> bool:
    """Record a checked file's job (`stage` is its first stage); False when it exists already."""
    item = {**keys.ingest_job(file.file_id), **fields, "file": file.model_dump()}
    return dynamo.put_if_absent(_table(), item)


def get(file: CatalogFile) -> dict[str, Any] | None:
    return dynamo.get(_table(), keys.ingest_job(file.file_id))


def get_chunk(file: CatalogFile, stage: str, chunk: int) -> dict[str, Any] | None:
    return dynamo.get(_table(), keys.ingest_chunk(file.file_id, stage, chunk))


def start_chunk(
    file: CatalogFile, stage: str, chunk: int, counts: Mapping[str, int]
) -> dict[str, Any]:
    """The chunk's item, created `pending` with `counts` (read before any write) unless an
    earlier attempt created it: then its counts stand, the catalog having changed since."""
    marker = {**keys.ingest_chunk(file.file_id, stage, chunk), **counts, "state": PENDING}
    if dynamo.put_if_absent(_table(), marker):
        return marker
    return dynamo.get(_table(), keys.ingest_chunk(file.file_id, stage, chunk)) or marker


def finish_chunk(file: CatalogFile, stage: str, chunk: int, marker: Mapping[str, Any]) -> bool:
    """In one transaction: the chunk `applied`, its count change added to the catalog's counts,
    its counts to the job's. False when an earlier attempt did it already."""
    delta = int(marker["delta"])
    persons, companies = (delta, 0) if stage == keys.PERSON else (0, delta)
    items = [
        {
            "Update": {
                "TableName": _table(),
                "Key": dynamo.to_item(keys.ingest_chunk(file.file_id, stage, chunk)),
                "UpdateExpression": "SET #s = :applied",
                "ConditionExpression": "#s = :pending",
                "ExpressionAttributeNames": {"#s": "state"},
                "ExpressionAttributeValues": dynamo.values(
                    {":applied": APPLIED, ":pending": PENDING}
                ),
            }
        },
        {"Update": catalog.stats_update(persons, companies)},
        {
            "Update": {
                "TableName": _table(),
                "Key": dynamo.to_item(keys.ingest_job(file.file_id)),
                "UpdateExpression": "ADD #d :one, #u :u, #x :x",
                "ExpressionAttributeNames": {
                    "#d": f"done_{stage}",
                    "#u": f"upserted_{stage}",
                    "#x": f"deleted_{stage}",
                },
                "ExpressionAttributeValues": dynamo.values(
                    {":one": 1, ":u": int(marker["upserted"]), ":x": int(marker["deleted"])}
                ),
            }
        },
    ]
    for attempt in range(_TRANSACTION_ATTEMPTS):
        try:
            dynamo.client().transact_write_items(TransactItems=items)
            return True
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "TransactionCanceledException":
                raise
            reasons = [r.get("Code", "") for r in exc.response.get("CancellationReasons", [])]
            if reasons and reasons[0] == "ConditionalCheckFailed":
                return False
            # Chunks finishing together contend for the job and stats items: try again.
            if "TransactionConflict" not in reasons or attempt == _TRANSACTION_ATTEMPTS - 1:
                raise
            time.sleep(dynamo.backoff(attempt))
    return False  # pragma: no cover - the loop returns or raises


def advance(file: CatalogFile, stage: str, to: str) -> bool:
    """Move the job from `stage` to `to`; False when another worker did (or it failed)."""
    request = {
        "TableName": _table(),
        "Key": dynamo.to_item(keys.ingest_job(file.file_id)),
        "UpdateExpression": "SET #s = :to",
        "ConditionExpression": "#s = :from",
        "ExpressionAttributeNames": {"#s": "stage"},
        "ExpressionAttributeValues": dynamo.values({":to": to, ":from": stage}),
    }
    return dynamo.update_if(request) is not None


def fail(file: CatalogFile, reason: str) -> None:
    dynamo.client().update_item(
        TableName=_table(),
        Key=dynamo.to_item(keys.ingest_job(file.file_id)),
        UpdateExpression="SET #s = :failed, #r = :reason",
        ExpressionAttributeNames={"#s": "stage", "#r": "reason"},
        ExpressionAttributeValues=dynamo.values({":failed": FAILED, ":reason": reason}),
    )


def delete_chunks(file: CatalogFile, stages: Sequence[str], chunks: int) -> None:
    """The chunk items of a finished job (its job item stays: a late redelivery finds it)."""
    doomed = [keys.ingest_chunk(file.file_id, s, n) for s in stages for n in range(chunks)]
    dynamo.batch_write(_table(), deletes=doomed)
