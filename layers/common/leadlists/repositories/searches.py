"""Searches in the tenant table: a head item plus the matched ids, snapshotted in chunk items.

Every item carries the TTL attribute `expiresAt` (epoch seconds). DynamoDB deletes expired items
only eventually, so readers also treat a head past its `expiresAt` as gone.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, cast

from leadlists.config import settings
from leadlists.models.stored import SearchHead
from leadlists.repositories import counters, dynamo, keys
from leadlists.status import SearchStatus

# 1,000 ids of 36 characters make a ~38 KB item: far below the 400 KB limit, and a page of
# results (at most 100) reads at most two of them.
CHUNK_IDS = 1000
SEARCH_FIELDS = (
    "id", "kind", "filter", "total", "chunkStarts", "createdAt", "createdBy", "expiresAt",
    "status", "storage", "segmentsTotal", "segmentsDone", "error",
)  # fmt: skip
# Where a search keeps its matched ids: sorted chunks written at once (within the synchronous
# budget), or one item per id written by the fan-out's segment workers.
CHUNKS, MATCH_ITEMS = "chunks", "items"


def _table() -> str:
    return settings().tenant_table


def save(org_id: str, record: SearchHead, ids: list[str]) -> SearchHead:
    """Store the matched ids (sorted) in chunks, then the head that makes them reachable."""
    search_id, expires = record["id"], record["expiresAt"]
    parts = list(dynamo.chunks(ids, CHUNK_IDS))
    chunk_items = [
        {**keys.search_chunk(org_id, search_id, n), "ids": part, "expiresAt": expires}
        for n, part in enumerate(parts)
    ]
    dynamo.batch_write(_table(), chunk_items)
    head: SearchHead = {**record, "storage": CHUNKS, "chunkStarts": [part[0] for part in parts]}
    dynamo.client().put_item(
        TableName=_table(), Item=dynamo.to_item({**head, **keys.search(org_id, search_id)})
    )
    return head


def get(org_id: str, search_id: str, now_epoch: int) -> SearchHead | None:
    """The search head, or None when unknown or expired (even if not yet deleted by TTL)."""
    item = dynamo.get_unexpired(_table(), keys.search(org_id, search_id), now_epoch)
    if item is None:
        return None
    return cast(SearchHead, {k: item[k] for k in SEARCH_FIELDS if k in item})  # as `save` wrote it


def _chunks(org_id: str, head: SearchHead, indexes: Iterable[int]) -> dict[int, list[str]]:
    by_key = {keys.search_chunk(org_id, head["id"], i)[keys.SK]: i for i in sorted(set(indexes))}
    wanted = [keys.search_chunk(org_id, head["id"], i) for i in by_key.values()]
    found = dynamo.batch_get(_table(), wanted, consistent=True)
    return {by_key[item[keys.SK]]: list(item.get("ids", [])) for item in found}


def id_slice(org_id: str, head: SearchHead, offset: int, count: int) -> list[str]:
    """The matched ids at positions offset .. offset+count-1 (chunk storage)."""
    end = min(offset + count, int(head["total"]))
    if offset >= end:
        return []
    first, last = offset // CHUNK_IDS, (end - 1) // CHUNK_IDS
    chunks = _chunks(org_id, head, range(first, last + 1))
    joined = [i for n in range(first, last + 1) for i in chunks.get(n, [])]
    start = offset - first * CHUNK_IDS
    return joined[start : start + (end - offset)]


def contained(org_id: str, head: SearchHead, ids: Iterable[str]) -> set[str]:
    """Which of `ids` are among the search's matches: the chunk starts locate each id's chunk
    (ids are stored sorted), so only those chunks are read; match items are read by key."""
    if head.get("storage") == MATCH_ITEMS:
        match_keys = [keys.search_match(org_id, head["id"], i) for i in dict.fromkeys(ids)]
        found = dynamo.batch_get(_table(), match_keys, consistent=True)
        return {keys.search_match_id(item[keys.SK]) for item in found}
    starts = list(head.get("chunkStarts", []))
    wanted: dict[int, set[str]] = {}
    for i in ids:
        n = bisect.bisect_right(starts, i) - 1
        if n >= 0:
            wanted.setdefault(n, set()).add(i)
    chunks = _chunks(org_id, head, wanted)
    return {i for n, group in wanted.items() for i in group & set(chunks.get(n, []))}


def all_ids(org_id: str, head: SearchHead, chunks_per_read: int = 5) -> Iterator[str]:
    """Every matched id in order, read lazily a few chunks (or a query page) at a time."""
    if head.get("storage") == MATCH_ITEMS:
        yield from match_ids(org_id, head["id"])
        return
    total_chunks = len(head.get("chunkStarts", []))
    for first in range(0, total_chunks, chunks_per_read):
        indexes = range(first, min(first + chunks_per_read, total_chunks))
        chunks = _chunks(org_id, head, indexes)
        for n in indexes:
            yield from chunks.get(n, [])


# Fan-out storage --------------------------------------------------------------------------------

_SK = {"#s": keys.SK}


def create_running(org_id: str, record: SearchHead, segments: int) -> SearchHead:
    """The head of a search the segment workers complete: counters at zero, no ids yet."""
    head: SearchHead = {
        **record,
        "storage": MATCH_ITEMS,
        "status": SearchStatus.RUNNING,
        "segmentsTotal": segments,
        "segmentsDone": 0,
        "total": 0,
    }
    dynamo.client().put_item(
        TableName=_table(), Item=dynamo.to_item({**head, **keys.search(org_id, record["id"])})
    )
    return head


def put_matches(org_id: str, search_id: str, ids: Iterable[str], expires: int) -> int:
    """Record matched ids (idempotent puts, 25 a call). Returns the DynamoDB calls made."""
    items = [{**keys.search_match(org_id, search_id, i), "expiresAt": expires} for i in ids]
    return dynamo.batch_write(_table(), items)


def segment_counted(org_id: str, search_id: str, segment: int) -> bool:
    answer = dynamo.client().get_item(
        TableName=_table(),
        Key=dynamo.to_item(keys.search_segment_done(org_id, search_id, segment)),
        ConsistentRead=True,
    )
    return "Item" in answer


def count_segment(org_id: str, search_id: str, segment: int, matched: int, expires: int) -> bool:
    """Count a segment exactly once, on a counter shard (never the head: a thousand segments
    finishing together do not conflict on one item). False when it was counted before."""
    marker = keys.search_segment_done(org_id, search_id, segment)
    counter = keys.search_counter(org_id, search_id, segment % counters.SHARDS)
    increments = {"segmentsDone": 1, "total": matched}
    return counters.count_once(marker, counter, increments, expires) == "counted"


def counted(org_id: str, search_id: str) -> dict[str, int]:
    """The segments counted and the matches they wrote: the sum of the shards."""
    partition = keys.search(org_id, search_id)[keys.PK]
    return counters.totals(partition, keys.SEARCH_COUNTER_PREFIX, ("segmentsDone", "total"))


def mark_complete(org_id: str, search_id: str, segments_total: int) -> bool:
    """Complete a running search whose segments are all counted, with its total (whoever gets
    here first; the others find it complete)."""
    sums = counted(org_id, search_id)
    if sums["segmentsDone"] < segments_total:
        return False
    return _set_status(org_id, search_id, SearchStatus.COMPLETE, sums)


def mark_failed(org_id: str, search_id: str, reason: str) -> bool:
    return _set_status(org_id, search_id, SearchStatus.FAILED, {"error": reason})


def _set_status(org_id: str, search_id: str, status: str, fields: Mapping[str, Any]) -> bool:
    """Move a running search to `status` with `fields`; False when it is no longer running."""
    return dynamo.set_while(
        _table(), keys.search(org_id, search_id), {"status": status, **fields}, SearchStatus.RUNNING
    )


def _match_query(org_id: str, search_id: str) -> dict[str, Any]:
    partition = keys.search(org_id, search_id)[keys.PK]
    return {
        "TableName": _table(),
        "KeyConditionExpression": "#p = :p AND begins_with(#s, :m)",
        "ExpressionAttributeNames": {"#p": keys.PK, **_SK},
        "ExpressionAttributeValues": dynamo.values(
            {":p": partition, ":m": keys.SEARCH_MATCH_PREFIX}
        ),
        "ProjectionExpression": "#s",
        "ConsistentRead": True,
    }


def match_ids(org_id: str, search_id: str) -> Iterator[str]:
    """Every matched id in id order, streamed page by page (keys only)."""
    for item in dynamo.items("query", _match_query(org_id, search_id)):
        yield keys.search_match_id(item[keys.SK])


def match_page(org_id: str, search_id: str, after: str | None, count: int) -> list[str]:
    """Up to `count` matched ids in id order, after the id `after` (a cursor)."""
    request = {**_match_query(org_id, search_id), "Limit": count}
    if after is not None:
        request["ExclusiveStartKey"] = dynamo.to_item(keys.search_match(org_id, search_id, after))
    answer = dynamo.client().query(**request)
    return [keys.search_match_id(dynamo.from_item(i)[keys.SK]) for i in answer.get("Items", [])]
