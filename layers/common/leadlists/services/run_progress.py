"""A fan-out run's progress: reported on the list, and the finalize request once all is counted."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from leadlists import refresh_queues
from leadlists.clock import now_iso
from leadlists.models.stored import RefreshProgressRecord
from leadlists.repositories import refresh_runs as runs
from leadlists.repositories import saved_lists as repo
from leadlists.status import RefreshStatus, RunState

# Copy chunks are many (100 persons each): each tenth is reported, so the list item (whose
# version every report bumps) is not rewritten per chunk.
COPY_REPORT_EVERY = 10


def progress_of(
    run: Mapping[str, Any], counted: Mapping[str, int], finalizing: bool = False
) -> RefreshProgressRecord:
    """The run's counters (`counted`: the sum of its shards) and its phase: matching until every
    segment is counted, copying until every chunk is, then finalizing."""
    segments_done, segments_total = counted["segmentsDone"], int(run["segmentsTotal"])
    copies_done, copies_total = counted["copiesDone"], counted["copiesTotal"]
    phase = "matching" if segments_done < segments_total else "copying"
    return {
        "phase": "finalizing" if finalizing else phase,
        "segmentsDone": segments_done,
        "segmentsTotal": segments_total,
        "copiesDone": copies_done,
        "copiesTotal": copies_total,
        "stepsDone": segments_done + copies_done + int(finalizing),
    }


def after_count(org: str, list_id: str, run_id: str, progress: bool = True) -> None:
    """After a segment (`progress`) or a copy chunk is counted (or found counted by a
    redelivery, whose first attempt may have died right after counting): report progress; ask
    for finalization when everything is in. Two observers may both ask; the finalize claim lets
    one act."""
    run = runs.get(org, list_id, run_id)
    if run is None or run["state"] != RunState.COLLECTING:
        return
    counted = runs.totals(org, list_id, run_id)
    complete = runs.is_complete(run, counted)
    if progress or complete or counted["copiesDone"] % COPY_REPORT_EVERY == 0:
        report(org, list_id, run_id, progress_of(run, counted, finalizing=complete))
    if complete:
        refresh_queues.send_finalize(org, list_id, run_id)


def report(
    org: str, list_id: str, run_id: str, progress: RefreshProgressRecord, first: bool = False
) -> None:
    """refreshProgress on the list, never moving backwards; each step renews the run's lease."""
    condition = "refreshRunId = :run AND refreshStatus = :running"
    if not first:
        condition += (
            " AND (attribute_not_exists(refreshProgress.stepsDone)"
            " OR refreshProgress.stepsDone < :done)"
        )
    repo.update_fields(
        org,
        list_id,
        {"refreshProgress": progress, "refreshStartedAt": now_iso(), "updatedAt": now_iso()},
        condition=condition,
        condition_values={
            ":run": run_id,
            ":running": RefreshStatus.RUNNING,
            **({} if first else {":done": progress["stepsDone"]}),
        },
    )
