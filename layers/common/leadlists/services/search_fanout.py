"""Searches beyond the synchronous budget, completed by the refresh segment queue's workers.

    POST search --start--> running head + one message per scan segment
    segment message --step--> one match item per matched id, then the segment counted once
    the worker that finds every segment counted marks the search complete, with its total

A worker writes its matches as it scans (a few hundred ids at a time), so its memory stays flat
however large the catalog. Counting is exactly-once and sharded (`repositories.counters`, as
refresh runs count): a segment's done marker is created in the same transaction as a counter
shard's increments, so a redelivered segment adds nothing to `total`, and no item is hot.
A segment that fails its last attempt marks the search failed.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice

from aws_lambda_powertools import Logger

from leadlists import clock, refresh_queues
from leadlists.errors import Invalid
from leadlists.filters.model import Filter
from leadlists.models.message_base import Delivery
from leadlists.models.run_messages import SearchSegmentMessage
from leadlists.models.stored import SearchHead
from leadlists.repositories import catalog_scans, keys, searches
from leadlists.services.segments import segment_count
from leadlists.status import SearchStatus

logger = Logger()

# Matched ids written per batch: bounds a worker's memory, whatever the segment holds.
WRITE_BATCH = 500


def start(org_id: str, record: SearchHead, records_in_catalog: int) -> SearchHead:
    """Record a running search and queue its segments; a failed send marks it failed."""
    segments = segment_count(records_in_catalog)
    head = searches.create_running(org_id, record, segments)
    try:
        refresh_queues.send_search_segments(org_id, record["id"], segments)
    except Exception:
        searches.mark_failed(org_id, record["id"], "Could not queue the search")
        raise
    logger.info("Search fanned out", extra={"searchId": record["id"], "n": segments})
    return head


def step(message: SearchSegmentMessage, _: Delivery) -> None:
    process(message)


def process(message: SearchSegmentMessage) -> int:
    """Evaluate one scan segment and count it once. Returns the matches it wrote."""
    org, search_id = message.organizationId, message.searchId
    head = searches.get(org, search_id, int(clock.now().timestamp()))
    if head is None or head.get("status") != SearchStatus.RUNNING:
        return 0  # expired, failed or already complete
    total = int(head["segmentsTotal"])
    if message.segment >= total:
        raise Invalid(f"Segment {message.segment} outside 0..{total - 1}")
    written = 0
    if not searches.segment_counted(org, search_id, message.segment):
        flt = Filter.model_validate(head["filter"])
        expires = int(head["expiresAt"])
        for batch in _batches(_matching_ids(head["kind"], flt, message.segment, total)):
            searches.put_matches(org, search_id, batch, expires)
            written += len(batch)
        # A redelivery racing this one rewrites the same items and is not counted again.
        searches.count_segment(org, search_id, message.segment, written, expires)
    # Also after a duplicate: the attempt that counted may have died before completing.
    if searches.mark_complete(org, search_id, total):
        logger.info("Search complete", extra={"searchId": search_id})
    return written


def _matching_ids(kind: str, flt: Filter, segment: int, total: int) -> Iterator[str]:
    scans = catalog_scans
    find = scans.matching_persons if kind == keys.PERSON else scans.matching_companies
    return (record["id"] for record in find(flt, segment, total))


def _batches(ids: Iterator[str]) -> Iterator[list[str]]:
    while batch := list(islice(ids, WRITE_BATCH)):
        yield batch


def give_up(message: SearchSegmentMessage, cause: str) -> None:
    """A segment failed its last attempt (or reached the dead-letter queue): the search can never
    be complete, so it is failed."""
    reason = f"The search could not be completed: {cause}. Run it again."
    searches.mark_failed(message.organizationId, message.searchId, reason)
