"""The background queues' messages: one tagged union, built by `leadlists.queues` and parsed by
`leadlists.consumer` before any step runs, so no step checks a dict by hand."""

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, NonNegativeInt, PositiveInt

from leadlists.config import settings

Id = Annotated[str, Field(min_length=1)]
ListKind = Literal["saved", "lead"]
CatalogStage = Literal["company", "person"]  # the record kind a stage of an import writes


@dataclass(frozen=True)
class Delivery:
    """One SQS delivery of a message, as the steps need to see it: which attempt this is."""

    message_id: str
    receive_count: int

    @property
    def last_attempt(self) -> bool:
        """After this receive the queue's redrive policy moves the message to its DLQ."""
        return self.receive_count >= settings().max_receive_count

    @property
    def token(self) -> str:
        """Unique per attempt: tells a retry of a message from the attempt before it."""
        return f"{self.message_id}#{self.receive_count}"


class QueueMessage(BaseModel):
    """Every message of every queue: `type` is the tag of the union."""

    type: str  # each kind narrows it to its tag


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


class DeleteListMessage(QueueMessage):
    """Remove what a deleted saved or lead list leaves behind (cleanup queue): its member items,
    the tenant copies no list uses any more, a saved list's refresh runs and exports. A
    continuation of an unfinished cleanup is the same message again."""

    type: Literal["delete_list"] = "delete_list"
    organizationId: Id
    listId: Id
    listKind: ListKind
    runIds: list[Id] = Field(default_factory=list)


# Search fan-out ---------------------------------------------------------------------------------


class SearchSegmentMessage(QueueMessage):
    """Evaluate one scan segment of a search over the synchronous budget (segment queue)."""

    type: Literal["search_segment"] = "search_segment"
    organizationId: Id
    searchId: Id
    segment: NonNegativeInt
    segments: PositiveInt


# Exports ----------------------------------------------------------------------------------------


class ExportMessage(QueueMessage):
    """Write one background export's CSV (export queue); the export record says of which list."""

    type: Literal["export"] = "export"
    organizationId: Id
    exportId: Id


# Catalog ingestion ------------------------------------------------------------------------------


class CatalogFile(BaseModel):
    """One version of a catalog file in the catalog bucket."""

    bucket: Id
    key: Id
    etag: Id
    version: str | None = Field(default=None, description="Its version id (versioned bucket)")

    @property
    def file_id(self) -> str:
        return f"{self.bucket}/{self.key}#{self.version or self.etag}"


class CatalogChunkMessage(QueueMessage):
    """Write one byte range of a checked catalog file: its records of one kind (chunk queue)."""

    type: Literal["catalog_chunk"] = "catalog_chunk"
    file: CatalogFile
    stage: CatalogStage
    chunk: NonNegativeInt
    start: NonNegativeInt
    end: NonNegativeInt
    firstLine: PositiveInt


# Webhooks ---------------------------------------------------------------------------------------


class WebhookMessage(QueueMessage):
    """One event for the organization's endpoints (webhook queue). A message naming several
    endpoints is split into one per endpoint; one for a single endpoint is a delivery `attempt`,
    due at `notBefore` (epoch seconds): retries wait longer than SQS's 15-minute delay."""

    type: Literal["webhook"] = "webhook"
    organizationId: Id
    webhookIds: Annotated[list[Id], Field(min_length=1)]
    eventId: Id
    eventType: Id
    timestamp: Id = Field(description="When the event happened (ISO 8601)")
    data: dict[str, Any]
    attempt: PositiveInt = 1
    notBefore: float = 0


# Shared refresh pass ----------------------------------------------------------------------------


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


Message = Annotated[
    RefreshMessage
    | SegmentMessage
    | FinalizeMessage
    | CopyMessage
    | DeleteListMessage
    | SearchSegmentMessage
    | ExportMessage
    | CatalogChunkMessage
    | WebhookMessage
    | SharedPassMessage
    | PassSegmentMessage,
    Field(discriminator="type"),
]
