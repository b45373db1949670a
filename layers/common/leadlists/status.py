"""The states a saved list's refresh and a fan-out run move through, named once."""

from __future__ import annotations

from enum import StrEnum


class RefreshStatus(StrEnum):
    """A saved list's `refreshStatus` (the contract's values)."""

    IDLE = "idle"
    QUEUED = "queued"
    RUNNING = "running"
    FAILED = "failed"


class RunState(StrEnum):
    """A fan-out run item's `state`."""

    COLLECTING = "collecting"
    FINALIZING = "finalizing"
    DONE = "done"
    FAILED = "failed"


class JobStatus(StrEnum):
    """The status a client polls of background work: a search beyond the budget (running until
    its last scan segment is counted) or an export (running until its file is written)."""

    RUNNING = "running"
    COMPLETE = "complete"
    FAILED = "failed"


SearchStatus = JobStatus
ExportStatus = JobStatus
