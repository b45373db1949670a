"""The sweep of stuck refresh runs (EventBridge, every 15 minutes).

A run whose worker is killed without raising (an inline refresh past the API's time, a
timeout, lack of memory) or whose messages were lost gives up nowhere: nothing would end it
but a new refresh taking its lease over. The sweep finds every queued or running list whose run
showed no life for STUCK_AFTER (its lease: claim, progress reports and redeliveries renew it)
from the sparse ActiveRuns index, never a scan, and fails it with a reason a user can read.
"""

from __future__ import annotations

from datetime import datetime

from aws_lambda_powertools import Logger

from leadlists.clock import iso, now
from leadlists.repositories import refresh_runs as runs
from leadlists.repositories import saved_lists as repo
from leadlists.services import refresh, refresh_leases

logger = Logger()

# The run's lease: longer than any refresh message's redelivery delay (the queues' 90-minute
# visibility timeout), so a run a redelivery would still resume is never swept.
STUCK_AFTER = refresh_leases.RUN_LEASE
STUCK = "it stopped making progress (its work was interrupted, or its request was lost)"


def sweep(moment: datetime | None = None) -> dict[str, int]:
    """Fail every run idle since before `moment - STUCK_AFTER`. The write is conditional on the
    run still owning the list, still queued or running and still idle: a run that completed,
    was superseded or renewed its lease meanwhile is left alone."""
    idle_since = iso((moment or now()) - STUCK_AFTER)
    failed = skipped = 0
    for org, list_id in repo.active_since_before(idle_since):
        record = repo.get(org, list_id)  # the index is eventually consistent: the item decides
        run_id = record.get("refreshRunId") if record else None
        done = run_id and refresh.fail(org, list_id, run_id, STUCK, idle_since=idle_since)
        if not run_id or not done:
            skipped += 1
            continue
        # A fan-out run's later messages find no run and do nothing.
        runs.mark_failed(org, list_id, run_id, refresh.failure_text(STUCK))
        runs.delete(org, list_id, run_id)
        failed += 1
        logger.warning("Stuck refresh failed", extra={"listId": list_id, "runId": run_id})
    logger.info("Swept stuck refreshes", extra={"failed": failed, "skipped": skipped})
    return {"failed": failed, "skipped": skipped}
