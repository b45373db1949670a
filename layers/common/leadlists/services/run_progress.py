"""A fan-out run's progress: reported on the list, and the finalize request once all is counted."""

from __future__ import annotations

from leadlists import queues
from leadlists.clock import now_iso
from leadlists.repositories import refresh_runs as runs
from leadlists.repositories import saved_lists as repo
from leadlists.status import RefreshStatus, RunState


def after_count(org: str, list_id: str, run_id: str, progress: bool = True) -> None:
    """After a segment or chunk is counted (or found counted by a redelivery, whose first
    attempt may have died right after counting): report progress; ask for finalization when
    everything is in. Two observers may both ask; the finalize claim lets one act."""
    run = runs.get(org, list_id, run_id)
    if run is None or run["state"] != RunState.COLLECTING:
        return
    counted = runs.totals(org, list_id, run_id)
    if progress:
        report(org, list_id, run_id, counted["segmentsDone"], int(run["segmentsTotal"]))
    if runs.is_complete(run, counted):
        queues.send_finalize(org, list_id, run_id)


def report(org: str, list_id: str, run_id: str, done: int, total: int, first: bool = False) -> None:
    """refreshProgress on the list, never moving backwards; each step renews the run's lease."""
    condition = "refreshRunId = :run AND refreshStatus = :running"
    if not first:
        condition += (
            " AND (attribute_not_exists(refreshProgress) OR refreshProgress.segmentsDone < :done)"
        )
    repo.update_fields(
        org,
        list_id,
        {
            "refreshProgress": {"segmentsDone": done, "segmentsTotal": total},
            "refreshStartedAt": now_iso(),
            "updatedAt": now_iso(),
        },
        condition=condition,
        condition_values={
            ":run": run_id,
            ":running": RefreshStatus.RUNNING,
            **({} if first else {":done": done}),
        },
    )
