"""The segment worker: evaluates one scan segment of a fan-out run and counts it once."""

from __future__ import annotations

from typing import Any

from leadlists.errors import Invalid
from leadlists.filters.model import Filter
from leadlists.models.message_base import Delivery
from leadlists.models.run_messages import SegmentMessage
from leadlists.repositories import catalog_scans, keys, tenant_records
from leadlists.repositories import refresh_runs as runs
from leadlists.services import run_progress
from leadlists.status import RunState


def step(message: SegmentMessage, _: Delivery) -> None:
    process(message)


def process(message: SegmentMessage) -> dict[str, int]:
    """Evaluate one scan segment and count it once. Returns what it did (for benchmarks)."""
    org, list_id, run_id = message.run
    segment = message.segment
    run = runs.get(org, list_id, run_id)
    if run is None or run["state"] != RunState.COLLECTING:
        return {"matched": 0, "skipped": 1}  # finished, failed or superseded
    total = int(run["segmentsTotal"])
    if segment >= total:
        raise Invalid(f"Segment {segment} outside 0..{total - 1}")
    matched: list[dict[str, Any]] | None = None
    if not runs.segment_done(org, list_id, run_id, segment):
        flt = Filter.model_validate(run["usedFilter"])
        matched = list(catalog_scans.matching_persons(flt, segment, total))
    return record_matches(message.run, segment, matched)


def record_matches(
    run: tuple[str, str, str], segment: int, matched: list[dict[str, Any]] | None
) -> dict[str, int]:
    """Record a segment's matches of one run and count the segment once (`matched` None: the
    segment was already counted, only the progress is looked at again)."""
    org, list_id, run_id = run
    ordered = sorted(matched or [], key=lambda p: p["id"])
    if matched is not None:
        runs.put_members(org, list_id, run_id, (p["id"] for p in ordered), segment)
        # The tenant copies too, 25 a call, right here: no copy messages to send, receive and
        # count once each (a retried segment overwrites the same copies).
        tenant_records.put_copies(org, keys.PERSON, ordered)
        runs.complete_segment(org, list_id, run_id, segment, len(ordered))
    run_progress.after_count(org, list_id, run_id)
    return {"matched": len(ordered), "skipped": 0}
