"""Refresh at scale: a refresh beyond the synchronous budget fans out over scan segments.

    refresh request --coordinator--> run item + one message per segment
    segment message --segment_worker--> run-member items + tenant copies + segment counted
    copy chunk      --copy_consumer--> tenant copies + chunk counted once (only the chunks
                                       queued before segments wrote their copies themselves)
    whoever sees every segment and chunk counted (run_progress) --> "finalize" message
    finalize        --finalizer (one, by claim)--> streaming merge (merge) into the list's
                                                   members, counts, schedule, run items deleted

Every message may arrive twice or fail midway: work is idempotent (puts of the same items) and
counting is exactly-once (a done marker created in the same transaction as the increment). A
message that fails its last allowed attempt marks the run and the list failed before it goes
to the dead-letter queue (`leadlists.consumer`), so a list never stays `running`.
"""

from __future__ import annotations

from aws_lambda_powertools import Logger

from leadlists import refresh_queues
from leadlists.clock import now_iso
from leadlists.models.run_messages import RunMessage
from leadlists.models.stored import SavedListRecord
from leadlists.repositories import refresh_runs as runs
from leadlists.services import refresh, run_progress
from leadlists.services.segments import segment_count
from leadlists.status import RunState

logger = Logger()


def start(record: SavedListRecord, run_id: str, persons: int) -> None:
    """Split a claimed run into segments (safe to repeat: the run item is created once)."""
    total = open_run(record, run_id, persons)
    if total is not None:
        org, list_id = record["organizationId"], record["id"]
        refresh_queues.send_segments(org, list_id, run_id, total)
        logger.info("Refresh fanned out", extra={"listId": list_id, "runId": run_id, "n": total})


def open_run(record: SavedListRecord, run_id: str, persons: int) -> int | None:
    """Record a claimed run and its first progress; its segment count, or None when the run is
    already past collecting (a repeated start)."""
    org, list_id = record["organizationId"], record["id"]
    run = runs.create(
        org,
        list_id,
        run_id,
        {
            "segmentsTotal": segment_count(persons),
            "usedFilter": record["usedFilter"],
            "maxContacts": record.get("maxContacts"),
            "createdAt": now_iso(),
        },
    )
    if run["state"] != RunState.COLLECTING:
        logger.info("Run already past collecting", extra={"listId": list_id, "runId": run_id})
        return None
    total = int(run["segmentsTotal"])
    counted = runs.totals(org, list_id, run_id)
    run_progress.report(org, list_id, run_id, run_progress.progress_of(run, counted), first=True)
    return total


def give_up(message: RunMessage, cause: str) -> None:
    """A run's message failed its last attempt (or reached the dead-letter queue): mark the run
    and its list failed, unless the run completed or lost the list meanwhile."""
    org, list_id, run_id = message.run
    runs.mark_failed(org, list_id, run_id, cause)
    refresh.fail(org, list_id, run_id, cause)
    # Its results are useless now; later messages of the run find no run and do nothing (items
    # a worker already past that check writes afterwards expire by TTL).
    runs.delete(org, list_id, run_id)
