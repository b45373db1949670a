"""Who holds a saved list's refresh: queue a run, claim it, renew its lease. A run that stops
renewing is presumed dead after RUN_LEASE: another may take it over, and the sweep fails it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from leadlists.clock import iso, new_id, now, now_iso
from leadlists.models.stored import SavedListRecord
from leadlists.repositories import saved_lists as repo
from leadlists.status import RefreshStatus

# A run that has not finished within this long is presumed dead and may be taken over. Longer
# than the refresh queue's visibility timeout (90 min), so a message's redelivery is never later
# than its lease; a fan-out run renews it at every counted segment (run_progress.report).
RUN_LEASE = timedelta(minutes=100)


def _not_running() -> tuple[str, dict[str, Any]]:
    condition = "refreshStatus <> :running OR refreshStartedAt < :stale"
    return condition, {":running": RefreshStatus.RUNNING, ":stale": iso(now() - RUN_LEASE)}


def _idle_or_stale() -> tuple[str, dict[str, Any]]:
    """Neither queued nor running, unless that state's lease lapsed: a request whose message
    was lost (or a list queued without a lease, by save) never blocks refreshes for good."""
    condition = (
        "(refreshStatus <> :running AND refreshStatus <> :queued) OR refreshStartedAt < :stale"
        " OR (refreshStatus = :queued AND attribute_not_exists(refreshStartedAt))"
    )
    values = {
        ":running": RefreshStatus.RUNNING,
        ":queued": RefreshStatus.QUEUED,
        ":stale": iso(now() - RUN_LEASE),
    }
    return condition, values


def mark_queued(
    org_id: str, list_id: str, extra_condition: str = "", extra_values: dict[str, Any] | None = None
) -> SavedListRecord | None:
    """Queue a new run unless one is queued or running; None when skipped."""
    condition, values = _idle_or_stale()
    if extra_condition:
        condition = f"({condition}) AND ({extra_condition})"
    return repo.update_fields(
        org_id,
        list_id,
        {
            "refreshStatus": RefreshStatus.QUEUED,
            "refreshRunId": new_id(),
            "refreshStartedAt": now_iso(),  # the queued state's lease
            "updatedAt": now_iso(),
        },
        condition=condition,
        condition_values={**values, **(extra_values or {})},
    )


def claim(org_id: str, list_id: str, run_id: str, from_queue: bool) -> SavedListRecord | None:
    """Take the list's refresh for `run_id`; None when another run holds it (or supersedes it)."""
    if from_queue:
        # A message runs only the run it was queued for. A redelivery of it may take over its own
        # run (SQS redelivers only after the earlier attempt timed out) but never a finished one.
        condition = "refreshRunId = :run AND refreshStatus IN (:queued, :running)"
        values: dict[str, Any] = {
            ":run": run_id,
            ":queued": RefreshStatus.QUEUED,
            ":running": RefreshStatus.RUNNING,
        }
    else:
        condition, values = _not_running()
    return repo.update_fields(
        org_id,
        list_id,
        {
            "refreshStatus": RefreshStatus.RUNNING,
            "refreshRunId": run_id,
            "refreshStartedAt": now_iso(),
            "updatedAt": now_iso(),
        },
        condition=condition,
        condition_values=values,
        remove=("refreshError",),
    )


def renew(org_id: str, list_id: str, run_id: str) -> None:
    """Renew a running run's lease: the sweep leaves it alone for another RUN_LEASE."""
    repo.update_fields(
        org_id,
        list_id,
        {"refreshStartedAt": now_iso()},
        condition="refreshRunId = :run AND refreshStatus = :running",
        condition_values={":run": run_id, ":running": RefreshStatus.RUNNING},
    )
