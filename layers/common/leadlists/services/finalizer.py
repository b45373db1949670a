"""The finalizer: one claimant completes a fan-out run (merge, counts, schedule, clean-up)."""

from __future__ import annotations

from aws_lambda_powertools import Logger

from leadlists import clock
from leadlists.models.message_base import Delivery
from leadlists.models.run_messages import FinalizeMessage
from leadlists.repositories import refresh_runs as runs
from leadlists.repositories import saved_lists as repo
from leadlists.services import merge, refresh, refresh_leases
from leadlists.status import RunState

logger = Logger()

# A finalizer that dies without releasing its claim blocks others this long: at least the
# segment function's timeout, and below its queue's visibility timeout, so a redelivery of
# its message (which comes only after the visibility timeout) can always take over.
FINALIZE_LEASE_SECONDS = 960


def step(message: FinalizeMessage, delivery: Delivery) -> None:
    org, list_id, run_id = message.run
    run = runs.get(org, list_id, run_id)
    if run is None:
        return  # already completed and cleaned up
    if run["state"] == RunState.DONE:
        runs.delete(org, list_id, run_id)  # an earlier finalizer died while cleaning up
        return
    counted = runs.totals(org, list_id, run_id)
    if not runs.is_complete(run, counted):
        logger.info("Finalize of an incomplete run", extra={"listId": list_id, "runId": run_id})
        return  # a finalize request is sent only once all is counted; nothing to do
    token = delivery.token
    now_epoch = int(clock.now().timestamp())
    claimed = runs.claim_finalization(
        org, list_id, run_id, token, now_epoch, FINALIZE_LEASE_SECONDS
    )
    if claimed is None:
        logger.info("Finalize skipped", extra={"listId": list_id, "runId": run_id})
        return  # failed, or another finalizer holds it
    # A redelivered finalize (90 min after the first) gets a whole lease for its merge.
    refresh_leases.renew(org, list_id, run_id)
    try:
        _complete(org, list_id, run_id, counted, token)
    except Exception:
        # Hand the run back so this message's retry can claim it at once.
        runs.release_finalization(org, list_id, run_id, token)
        raise


def _complete(org: str, list_id: str, run_id: str, counted: dict[str, int], token: str) -> None:
    record = repo.get(org, list_id)
    run = runs.get(org, list_id, run_id)
    try:
        if run is None or record is None or not merge.owns(record, run_id):
            raise merge.Superseded(list_id)
        merged = merge.merge_members(org, list_id, run_id, run.get("maxContacts"))
        if refresh.complete(record, run_id, merged.members, counted["matched"], *merged[1:]):
            logger.info("Refresh completed", extra={"listId": list_id, "runId": run_id})
    except merge.Superseded:
        # A newer run (or a deletion) owns the list: this run's results no longer apply.
        logger.info("Run superseded", extra={"listId": list_id, "runId": run_id})
    if runs.mark_done(org, list_id, run_id, token):
        runs.delete(org, list_id, run_id)
