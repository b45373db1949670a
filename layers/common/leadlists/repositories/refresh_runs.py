"""Fan-out refresh runs in the tenant table: the run item, its sharded counters, per-segment and
per-copy-chunk done markers, and the matched person ids (sorted chunks of them per segment).

Counting is exactly-once and sharded (`counters`): a segment (or copy chunk) is counted in the
same transaction that creates its done marker, on one of COUNTER_SHARDS shard items, never on
the run item: a thousand segments and their copy chunks spread their increments, and the run
item is only read by the workers.
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, cast

from botocore.exceptions import ClientError

from leadlists.config import settings
from leadlists.models.stored import RefreshRunRecord
from leadlists.repositories import counters, dynamo, keys
from leadlists.status import RunState

# Run states: collecting (segments and copies arriving) -> finalizing (one finalizer holds it)
# -> done; or failed. A finalizer that gives up returns the run to collecting.
# Run items outlive any run (TTL), so markers orphaned by a late duplicate message vanish.
RUN_TTL_SECONDS = 7 * 24 * 3600
_DELETE_PAGE = 500
# Matched ids per run-member item: ~37 bytes an id, so ~74 KB an item (DynamoDB allows 400 KB).
MEMBER_CHUNK = 2000

Outcome = counters.Outcome
# Segment n counts on shard n % COUNTER_SHARDS; a copy chunk on (segment + chunk + 1) % ...
COUNTER_SHARDS = counters.SHARDS
COUNTERS = ("segmentsDone", "matched", "copiesTotal", "copiesDone")


def _table() -> str:
    return settings().tenant_table


def expires_at() -> int:
    return int(time.time()) + RUN_TTL_SECONDS


def create(org_id: str, list_id: str, run_id: str, fields: Mapping[str, Any]) -> RefreshRunRecord:
    """Record a run once; a redelivered coordinator message gets the existing run back."""
    item = {
        **fields,
        **keys.refresh_run(org_id, list_id, run_id),
        "state": RunState.COLLECTING,
        "expiresAt": expires_at(),
    }
    try:
        dynamo.client().put_item(
            TableName=_table(),
            Item=dynamo.to_item(item),
            ConditionExpression="attribute_not_exists(pk)",
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
            raise
        existing = get(org_id, list_id, run_id)
        if existing is not None:
            return existing
        raise
    return _run(_public(item))


def get(org_id: str, list_id: str, run_id: str) -> RefreshRunRecord | None:
    found = _get(keys.refresh_run(org_id, list_id, run_id))
    return None if found is None else _run(found)


def segment_done(org_id: str, list_id: str, run_id: str, segment: int) -> bool:
    return _get(keys.run_segment_done(org_id, list_id, run_id, segment)) is not None


def _get(key: Mapping[str, str]) -> dict[str, Any] | None:
    answer = dynamo.client().get_item(
        TableName=_table(), Key=dynamo.to_item(key), ConsistentRead=True
    )
    return _public(dynamo.from_item(answer["Item"])) if "Item" in answer else None


def _public(item: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k not in (keys.PK, keys.SK)}


def _run(item: dict[str, Any]) -> RefreshRunRecord:
    # A run item: what `create` stored (the coordinator's fields and the counters), then updated.
    return cast(RefreshRunRecord, item)


def put_members(
    org_id: str, list_id: str, run_id: str, person_ids: Iterable[str], segment: int = 0
) -> int:
    """Record a segment's matched persons: sorted, MEMBER_CHUNK ids to an item (idempotent puts;
    a segment's matches are one BatchWriteItem, not one per 25 ids). Returns the calls made."""
    ttl = expires_at()
    items = [
        {
            **keys.run_members_chunk(org_id, list_id, run_id, segment, n),
            "ids": "\n".join(chunk),
            "expiresAt": ttl,
        }
        for n, chunk in enumerate(dynamo.chunks(sorted(person_ids), MEMBER_CHUNK))
    ]
    return dynamo.batch_write(_table(), items)


def complete_segment(org_id: str, list_id: str, run_id: str, segment: int, matched: int) -> Outcome:
    """Count a segment exactly once: its done marker and a counter shard in one transaction."""
    marker = keys.run_segment_done(org_id, list_id, run_id, segment)
    add = {"segmentsDone": 1, "matched": matched}
    return _count_once(org_id, list_id, run_id, marker, segment, add)


def complete_copy_chunk(
    org_id: str, list_id: str, run_id: str, segment: int, chunk: int
) -> Outcome:
    """Count a tenant-copy chunk exactly once."""
    marker = keys.run_copy_done(org_id, list_id, run_id, segment, chunk)
    shard = segment + chunk + 1
    return _count_once(org_id, list_id, run_id, marker, shard, {"copiesDone": 1})


def _count_once(
    org_id: str,
    list_id: str,
    run_id: str,
    marker: Mapping[str, str],
    shard: int,
    increments: Mapping[str, int],
) -> Outcome:
    counter = keys.run_counter(org_id, list_id, run_id, shard % COUNTER_SHARDS)
    return counters.count_once(marker, counter, increments, expires_at())


def totals(org_id: str, list_id: str, run_id: str) -> dict[str, int]:
    """The run's counters: the sum of its shards (one strongly consistent Query)."""
    partition = keys.refresh_run(org_id, list_id, run_id)[keys.PK]
    return counters.totals(partition, keys.RUN_COUNTER_PREFIX, COUNTERS)


def is_complete(run: Mapping[str, Any], counted: Mapping[str, int]) -> bool:
    """Every segment counted and every tenant copy written (copy chunks are counted only for
    runs whose segments sent them, before segments wrote the copies themselves; 0 of 0 now)."""
    segments_in = counted["segmentsDone"] == int(run["segmentsTotal"])
    return segments_in and counted["copiesDone"] == counted["copiesTotal"]


def claim_finalization(
    org_id: str, list_id: str, run_id: str, token: str, now_epoch: int, lease_seconds: int
) -> RefreshRunRecord | None:
    """Become the run's only finalizer; None when another one holds it (or it failed). The
    caller checks the run is complete first (`is_complete`): a complete run stays complete.

    A finalizer that dies without releasing holds the claim until its lease lapses."""
    return _update(
        org_id,
        list_id,
        run_id,
        "SET #state = :finalizing, finalizer = :token, leaseUntil = :until",
        "#state = :collecting OR (#state = :finalizing AND leaseUntil < :now)",
        {
            ":finalizing": RunState.FINALIZING,
            ":collecting": RunState.COLLECTING,
            ":token": token,
            ":until": now_epoch + lease_seconds,
            ":now": now_epoch,
        },
    )


def release_finalization(org_id: str, list_id: str, run_id: str, token: str) -> None:
    """A failing finalizer hands the run back so its retry can claim it at once."""
    _update(
        org_id,
        list_id,
        run_id,
        "SET #state = :collecting REMOVE finalizer, leaseUntil",
        "#state = :finalizing AND finalizer = :token",
        {":collecting": RunState.COLLECTING, ":finalizing": RunState.FINALIZING, ":token": token},
    )


def mark_done(org_id: str, list_id: str, run_id: str, token: str) -> bool:
    """Close the run; only the claim holder may (its items are deleted afterwards)."""
    return (
        _update(
            org_id,
            list_id,
            run_id,
            "SET #state = :done",
            "#state = :finalizing AND finalizer = :token",
            {":done": RunState.DONE, ":finalizing": RunState.FINALIZING, ":token": token},
        )
        is not None
    )


def mark_failed(org_id: str, list_id: str, run_id: str, reason: str) -> None:
    """Stop a run: later segment, copy and finalize messages of it do nothing."""
    _update(
        org_id,
        list_id,
        run_id,
        "SET #state = :failed, refreshError = :reason",
        "#state <> :done",
        {":failed": RunState.FAILED, ":done": RunState.DONE, ":reason": reason},
    )


def _update(
    org_id: str,
    list_id: str,
    run_id: str,
    expression: str,
    condition: str,
    vals: Mapping[str, Any],
) -> RefreshRunRecord | None:
    item = dynamo.update_if(
        {
            "TableName": _table(),
            "Key": dynamo.to_item(keys.refresh_run(org_id, list_id, run_id)),
            "UpdateExpression": expression,
            "ConditionExpression": f"attribute_exists(pk) AND ({condition})",
            "ExpressionAttributeNames": {"#state": "state"},
            "ExpressionAttributeValues": dynamo.values(vals),
        }
    )
    return None if item is None else _run(_public(item))


def member_ids(org_id: str, list_id: str, run_id: str) -> Iterator[str]:
    """The run's matched person ids in id order: each segment's sorted chunks, read one item at
    a time and merged (memory holds a chunk per segment)."""
    by_segment: dict[int, list[str]] = {}
    for sort_key in _sort_keys(org_id, list_id, run_id, keys.RUN_MEMBERS_PREFIX):
        by_segment.setdefault(keys.run_members_segment(sort_key), []).append(sort_key)
    partition = keys.refresh_run(org_id, list_id, run_id)[keys.PK]
    yield from heapq.merge(*(_chunk_ids(partition, chunks) for chunks in by_segment.values()))


def _chunk_ids(partition: str, sort_keys: list[str]) -> Iterator[str]:
    for sort_key in sort_keys:
        item = _get({keys.PK: partition, keys.SK: sort_key})
        if item and item.get("ids"):
            yield from str(item["ids"]).split("\n")


def _partition_request(
    org_id: str, list_id: str, run_id: str, prefix: str | None, projection: str | None
) -> dict[str, Any]:
    """A strongly consistent Query of the run's partition, its sort keys starting `prefix`."""
    partition = keys.refresh_run(org_id, list_id, run_id)[keys.PK]
    request = dynamo.partition_query(_table(), keys.PK, partition)
    request["ConsistentRead"] = True
    if projection or prefix:
        request["ExpressionAttributeNames"]["#s"] = keys.SK
    if projection:
        request["ProjectionExpression"] = projection
    if prefix:
        request["KeyConditionExpression"] += " AND begins_with(#s, :m)"
        request["ExpressionAttributeValues"] = dynamo.values({":p": partition, ":m": prefix})
    return request


def _sort_keys(org_id: str, list_id: str, run_id: str, prefix: str | None) -> Iterator[str]:
    request = _partition_request(org_id, list_id, run_id, prefix, "#s")
    for item in dynamo.items("query", request):
        yield item[keys.SK]


def delete(org_id: str, list_id: str, run_id: str) -> int:
    """Delete every item of the run, the run item last (so a retry still finds it).

    Returns the DynamoDB write calls made."""
    partition = keys.refresh_run(org_id, list_id, run_id)[keys.PK]
    calls = 0
    page: list[dict[str, str]] = []
    for sort_key in _sort_keys(org_id, list_id, run_id, None):
        if sort_key == keys.META:
            continue
        page.append({keys.PK: partition, keys.SK: sort_key})
        if len(page) >= _DELETE_PAGE:
            calls += dynamo.batch_write(_table(), deletes=page)
            page = []
    if page:
        calls += dynamo.batch_write(_table(), deletes=page)
    calls += dynamo.batch_write(_table(), deletes=[keys.refresh_run(org_id, list_id, run_id)])
    return calls
