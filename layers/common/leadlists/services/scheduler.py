"""Scheduled refresh: queue every auto-updated list that is due (EventBridge, every 15 minutes)."""

from __future__ import annotations

from datetime import datetime

from aws_lambda_powertools import Logger

from leadlists import refresh_queues
from leadlists.clock import iso, now
from leadlists.repositories import saved_lists as repo
from leadlists.services import refresh_leases

logger = Logger()


def queue_due(moment: datetime | None = None) -> dict[str, int]:
    """Read due lists from the sparse DueForRefresh index (never a table scan), mark each queued
    unless a run is queued or running, and send them as shared passes (`shared_pass`: one read
    of the catalog serves up to PASS_MAX_RUNS lists)."""
    when = iso(moment or now())
    pending: list[tuple[str, str, str]] = []
    queued = skipped = 0
    for org, list_id in repo.due_lists(when):
        # The index is eventually consistent: the base item decides (still enabled, still due).
        record = refresh_leases.mark_queued(
            org,
            list_id,
            extra_condition="autoUpdateStatus = :enabled AND nextRefreshAt <= :now",
            extra_values={":enabled": "enabled", ":now": when},
        )
        if record is None:
            skipped += 1
            continue
        pending.append((org, list_id, record["refreshRunId"]))
        if len(pending) == refresh_queues.PASS_MAX_RUNS:
            refresh_queues.send_shared_pass(pending)  # one catalog read for all of them
            queued, pending = queued + len(pending), []
    if pending:
        refresh_queues.send_shared_pass(pending)
        queued += len(pending)
    logger.info("Scheduled refresh", extra={"queued": queued, "skipped": skipped})
    return {"queued": queued, "skipped": skipped}
