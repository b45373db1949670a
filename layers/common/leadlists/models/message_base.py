"""What every background queue's message shares: its `type` tag, its ids, and the delivery
(attempt) a step sees it in. The messages of each queue are in their own modules, the union of
all of them in `messages`."""

from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import BaseModel, Field

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
