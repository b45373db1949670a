"""A client's refresh of a saved list (POST /lists/refresh/{id}): computed within the request
when the catalog fits the synchronous budget and the request's deadline, else queued. The
computation itself (`refresh`) is shared with the queue consumers, which never answer a list."""

from __future__ import annotations

from dataclasses import dataclass

from aws_lambda_powertools import Logger

from leadlists import refresh_queues
from leadlists.auth import Caller
from leadlists.clock import new_id, now_iso
from leadlists.deadline import Deadline, OutOfTime
from leadlists.models.saved_lists import SavedList
from leadlists.models.stored import SavedListRecord
from leadlists.repositories import catalog
from leadlists.repositories import saved_lists as repo
from leadlists.services import refresh, refresh_leases
from leadlists.services.saved_lists import to_model
from leadlists.status import RefreshStatus

logger = Logger()


@dataclass(frozen=True)
class Outcome:
    """A refresh request's answer: the list, and whether it was recomputed within the request
    (`done`) or goes on in the background."""

    list: SavedList
    done: bool


def request(
    caller: Caller, list_id: str, organization_id: str | None, deadline: Deadline | None = None
) -> Outcome:
    """Recompute the list here within the synchronous budget and the request's `deadline`;
    otherwise queue it (or find it already queued or running)."""
    caller.require_own_org(organization_id)
    record = repo.require(caller.org_id, list_id)
    if catalog.stats()["persons"] > refresh.sync_budget():
        queued = refresh_leases.mark_queued(record["organizationId"], record["id"])
        if queued is None:
            return Outcome(to_model(repo.require(caller.org_id, list_id)), done=False)
        refresh_queues.send_refresh_request(caller.org_id, list_id, queued["refreshRunId"])
        return Outcome(to_model(queued), done=False)
    run_id = new_id()
    claimed = refresh_leases.claim(caller.org_id, list_id, run_id, from_queue=False)
    if claimed is None:
        return Outcome(to_model(repo.require(caller.org_id, list_id)), done=False)
    try:
        return Outcome(to_model(refresh.compute(claimed, run_id, deadline=deadline)), done=True)
    except OutOfTime:
        return Outcome(to_model(_hand_over(claimed, run_id)), done=False)


def _hand_over(record: SavedListRecord, run_id: str) -> SavedListRecord:
    """An inline run short of time becomes a queued one, under the same run id (the consumer's
    claim accepts it); its writes so far are idempotent puts the consumer repeats."""
    org, list_id = record["organizationId"], record["id"]
    queued = repo.update_fields(
        org,
        list_id,
        {"refreshStatus": RefreshStatus.QUEUED, "updatedAt": now_iso()},
        condition="refreshRunId = :run AND refreshStatus = :running",
        condition_values={":run": run_id, ":running": RefreshStatus.RUNNING},
    )
    if queued is not None:
        refresh_queues.send_refresh_request(org, list_id, run_id)
        logger.info("Inline refresh handed over to the queue", extra={"listId": list_id})
    return queued or repo.require(org, list_id)
