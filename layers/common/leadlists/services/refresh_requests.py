"""The refresh-request consumer's step: compute a list inline within the synchronous budget, or
coordinate its fan-out beyond it. Here, not in `refresh`, so that `refresh` (which the
fan-out builds on) never imports the fan-out."""

from __future__ import annotations

from aws_lambda_powertools import Logger

from leadlists.errors import NotFound
from leadlists.models.message_base import Delivery
from leadlists.models.run_messages import RefreshMessage
from leadlists.repositories import catalog
from leadlists.services import coordinator, refresh, refresh_leases

logger = Logger()


def step(message: RefreshMessage, _: Delivery) -> None:
    run_queued(*message.run)


def run_queued(org_id: str, list_id: str, run_id: str) -> None:
    """Run a queued refresh (safe to deliver twice)."""
    claimed = refresh_leases.claim(org_id, list_id, run_id, from_queue=True)
    if claimed is None:
        logger.info("Refresh request skipped", extra={"listId": list_id, "runId": run_id})
        return
    persons = catalog.stats()["persons"]
    if persons > refresh.sync_budget():
        coordinator.start(claimed, run_id, persons)
        return
    try:
        refresh.compute(claimed, run_id, fail_on_error=False)
    except NotFound:
        logger.info("List deleted during its refresh", extra={"listId": list_id, "runId": run_id})
