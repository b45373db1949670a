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


class ExportStatus(StrEnum):
    """A background export's `status` (the contract's values)."""

    RUNNING = "running"
    COMPLETE = "complete"
    FAILED = "failed"
