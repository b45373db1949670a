"""The background queues' messages: one tagged union, built by `leadlists.queues` and parsed by
`leadlists.consumer` before any step runs, so no step checks a dict by hand."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, NonNegativeInt, PositiveInt

Id = Annotated[str, Field(min_length=1)]


class RunMessage(BaseModel):
    """Every message belongs to one refresh run of one list."""

    type: str  # each kind narrows it to its tag
    organizationId: Id
    listId: Id
    runId: Id

    @property
    def run(self) -> tuple[str, str, str]:
        """(organization id, list id, run id)."""
        return self.organizationId, self.listId, self.runId


class RefreshMessage(RunMessage):
    """Compute a list (refresh queue)."""

    type: Literal["refresh"] = "refresh"


class SegmentMessage(RunMessage):
    """Evaluate one scan segment of a fan-out run (segment queue)."""

    type: Literal["segment"] = "segment"
    segment: NonNegativeInt
    segments: PositiveInt


class FinalizeMessage(RunMessage):
    """Complete a fan-out run whose segments and copies are all counted (segment queue)."""

    type: Literal["finalize"] = "finalize"


class CopyMessage(RunMessage):
    """One chunk of a segment's matched persons to copy into the tenant's records (copy queue)."""

    type: Literal["copy"] = "copy"
    segment: NonNegativeInt
    chunk: NonNegativeInt
    persons: list[dict[str, Any]]


Message = Annotated[
    RefreshMessage | SegmentMessage | FinalizeMessage | CopyMessage, Field(discriminator="type")
]
