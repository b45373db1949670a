"""The tenant-copy consumer: writes one chunk of a run's matched persons, counts it once."""

from __future__ import annotations

from leadlists.models.message_base import Delivery
from leadlists.models.run_messages import CopyMessage
from leadlists.repositories import keys, tenant_records
from leadlists.repositories import refresh_runs as runs
from leadlists.services import run_progress
from leadlists.status import RunState


def step(message: CopyMessage, _: Delivery) -> None:
    """Write one chunk of tenant copies, then count the chunk once."""
    org, list_id, run_id = message.run
    run = runs.get(org, list_id, run_id)
    if run is None or run["state"] != RunState.COLLECTING:
        return
    tenant_records.put_copies(org, keys.PERSON, message.persons)
    runs.complete_copy_chunk(org, list_id, run_id, message.segment, message.chunk)
    run_progress.after_count(org, list_id, run_id, progress=False)
