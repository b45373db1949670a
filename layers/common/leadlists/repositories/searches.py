"""Searches in the tenant table: a head item plus the matched ids, snapshotted in chunk items.

Every item carries the TTL attribute `expiresAt` (epoch seconds). DynamoDB deletes expired items
only eventually, so readers also treat a head past its `expiresAt` as gone.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator
from typing import cast

from leadlists.config import settings
from leadlists.models.stored import SearchHead
from leadlists.repositories import dynamo, keys

# 1,000 ids of 36 characters make a ~38 KB item: far below the 400 KB limit, and a page of
# results (at most 100) reads at most two of them.
CHUNK_IDS = 1000
SEARCH_FIELDS = (
    "id", "kind", "filter", "total", "chunkStarts", "createdAt", "createdBy", "expiresAt",
)  # fmt: skip


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
    head: SearchHead = {**record, "chunkStarts": [part[0] for part in parts]}
    dynamo.client().put_item(
        TableName=_table(), Item=dynamo.to_item({**head, **keys.search(org_id, search_id)})
    )
    return head


def get(org_id: str, search_id: str, now_epoch: int) -> SearchHead | None:
    """The search head, or None when unknown or expired (even if not yet deleted by TTL)."""
    answer = dynamo.client().get_item(
        TableName=_table(),
        Key=dynamo.to_item(keys.search(org_id, search_id)),
        ConsistentRead=True,
    )
    if "Item" not in answer:
        return None
    item = dynamo.from_item(answer["Item"])
    if int(item.get("expiresAt", 0)) <= now_epoch:
        return None
    return cast(SearchHead, {k: item[k] for k in SEARCH_FIELDS if k in item})  # as `save` wrote it


def _chunks(org_id: str, head: SearchHead, indexes: Iterable[int]) -> dict[int, list[str]]:
    by_key = {keys.search_chunk(org_id, head["id"], i)[keys.SK]: i for i in sorted(set(indexes))}
    wanted = [keys.search_chunk(org_id, head["id"], i) for i in by_key.values()]
    found = dynamo.batch_get(_table(), wanted, consistent=True)
    return {by_key[item[keys.SK]]: list(item.get("ids", [])) for item in found}


def id_slice(org_id: str, head: SearchHead, offset: int, count: int) -> list[str]:
    """The matched ids at positions offset .. offset+count-1."""
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
    (ids are stored sorted), so only those chunks are read."""
    starts = list(head.get("chunkStarts", []))
    wanted: dict[int, set[str]] = {}
    for i in ids:
        n = bisect.bisect_right(starts, i) - 1
        if n >= 0:
            wanted.setdefault(n, set()).add(i)
    chunks = _chunks(org_id, head, wanted)
    return {i for n, group in wanted.items() for i in group & set(chunks.get(n, []))}


def all_ids(org_id: str, head: SearchHead, chunks_per_read: int = 5) -> Iterator[str]:
    """Every matched id in order, read lazily a few chunks at a time."""
    total_chunks = len(head.get("chunkStarts", []))
    for first in range(0, total_chunks, chunks_per_read):
        indexes = range(first, min(first + chunks_per_read, total_chunks))
        chunks = _chunks(org_id, head, indexes)
        for n in indexes:
            yield from chunks.get(n, [])
