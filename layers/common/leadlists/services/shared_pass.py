"""One catalog read for every due list: the scheduler's shared pass.

    scheduler --SharedPassMessage(runs)--> step: claim each run; within the synchronous budget,
        read the catalog once and compute every list from it; beyond it, record each run
        (coordinator.open_run) and send one PassSegmentMessage per scan segment
    PassSegmentMessage --segment_step--> read the segment once, evaluate every run's filter on
        each person, then record each run's matches and count its segment (as a run's own
        segment message would: copies, finalize and merge are the fan-out's, per list)

Each list keeps its own run: its status, progress, counts and `lastSyncedTime` are exactly a
single refresh's. Catalog items read per cycle: one catalog, however many lists are due.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger

from leadlists import refresh_queues
from leadlists.filters.evaluate import matches
from leadlists.filters.model import Filter
from leadlists.models.message_base import Delivery
from leadlists.models.run_messages import (
    PassSegmentMessage,
    RefreshMessage,
    RunRef,
    SharedPassMessage,
)
from leadlists.models.stored import SavedListRecord
from leadlists.repositories import catalog, keys
from leadlists.repositories import refresh_runs as runs
from leadlists.services import coordinator, refresh, refresh_leases, segment_worker
from leadlists.status import RunState

logger = Logger()

# Parallel scan segments of an inline pass (one catalog read, in parts).
INLINE_SEGMENTS = 4


def step(message: SharedPassMessage, delivery: Delivery) -> None:
    claimed: list[tuple[RunRef, SavedListRecord]] = []
    for ref in message.runs:
        record = refresh_leases.claim(*ref.run, from_queue=True)
        if record is not None:
            claimed.append((ref, record))
    if not claimed:
        return
    persons = catalog.stats()["persons"]
    if persons <= refresh.sync_budget():
        everyone = [
            p
            for segment in range(INLINE_SEGMENTS)
            for p in catalog.scan_segment(keys.PERSON, segment, INLINE_SEGMENTS)
        ]
        everyone.sort(key=lambda p: p["id"])
        for ref, record in claimed:
            flt = Filter.model_validate(record["usedFilter"])
            found = [p for p in everyone if matches(flt, p)]
            refresh.compute(record, ref.runId, fail_on_error=False, matched=found)
        return
    opened = [(ref, coordinator.open_run(record, ref.runId, persons)) for ref, record in claimed]
    counts = {total for _, total in opened if total is not None}
    refs = [ref for ref, total in opened if total is not None]
    if refs:
        refresh_queues.send_pass_segments(refs, max(counts))
    logger.info(
        "Shared pass fanned out", extra={"lists": len(refs), "segments": max(counts, default=0)}
    )


def segment_step(message: PassSegmentMessage, _: Delivery) -> None:
    process_segment(message)


def process_segment(message: PassSegmentMessage) -> dict[str, int]:
    """Read one segment for every run still collecting; returns what it did (benchmarks)."""
    pending: list[tuple[RunRef, Filter]] = []
    for ref in message.runs:
        run = runs.get(*ref.run)
        if run is None or run["state"] != RunState.COLLECTING:
            continue  # finished, failed or superseded
        if runs.segment_done(*ref.run, message.segment):
            segment_worker.record_matches(ref.run, message.segment, None)
        else:
            pending.append((ref, Filter.model_validate(run["usedFilter"])))
    if not pending:
        return {"read": 0, "runs": 0}
    found: dict[str, list[dict[str, Any]]] = {ref.runId: [] for ref, _ in pending}
    read = 0
    for person in catalog.scan_segment(keys.PERSON, message.segment, message.segments):
        read += 1
        for ref, flt in pending:
            if matches(flt, person):
                found[ref.runId].append(person)
    for ref, _ in pending:
        segment_worker.record_matches(ref.run, message.segment, found[ref.runId])
    return {"read": read, "runs": len(pending)}


def give_up(message: SharedPassMessage | PassSegmentMessage, reason: str) -> None:
    """A pass's message failed its last attempt: every run it served fails, as its own would."""
    for ref in message.runs:
        coordinator.give_up(RefreshMessage(**ref.model_dump()), reason)
