"""The refresh and segment queues' messages (and the tenant-copy queue's): runs of saved lists,
shared passes, and the segments of a search beyond the synchronous budget."""

from typing import Any, Literal

from pydantic import BaseModel, Field, NonNegativeInt, PositiveInt

from leadlists.models.message_base import Id, QueueMessage


class RunRef(BaseModel):
    """One refresh run of one list (a shared pass names several)."""

    organizationId: Id
    listId: Id
    runId: Id

    @property
    def run(self) -> tuple[str, str, str]:
        """(organization id, list id, run id)."""
        return self.organizationId, self.listId, self.runId


class RunMessage(RunRef, QueueMessage):
    """A message of one refresh run of one list."""


class RefreshMessage(RunMessage):
    """Compute a list (refresh queue)."""

    type: Literal["refresh"] = "refresh"


class SegmentMessage(RunMessage):
    """Evaluate one scan segment of a fan-out run (segment queue)."""

    type: Literal["segment"] = "segment"
    segment: NonNegativeInt
    segments: PositiveInt = Field(description="How many segments the run's scan has")


class FinalizeMessage(RunMessage):
    """Complete a fan-out run whose segments and copies are all counted (segment queue)."""

    type: Literal["finalize"] = "finalize"


class CopyMessage(RunMessage):
    """One chunk of a segment's matched persons to copy into the tenant's records (copy queue)."""

    type: Literal["copy"] = "copy"
    segment: NonNegativeInt
    chunk: NonNegativeInt
    persons: list[dict[str, Any]]


class SharedPassMessage(QueueMessage):
    """Refresh many queued lists with one read of the catalog (refresh queue; the scheduler's)."""

    type: Literal["shared_pass"] = "shared_pass"
    runs: list[RunRef] = Field(min_length=1)


class PassSegmentMessage(QueueMessage):
    """Evaluate one scan segment for every run of a shared pass (segment queue)."""

    type: Literal["pass_segment"] = "pass_segment"
    segment: NonNegativeInt
    segments: PositiveInt
    runs: list[RunRef] = Field(min_length=1)


class SearchSegmentMessage(QueueMessage):
    """Evaluate one scan segment of a search over the synchronous budget (segment queue)."""

    type: Literal["search_segment"] = "search_segment"
    organizationId: Id
    searchId: Id
    segment: NonNegativeInt
    segments: PositiveInt
