"""The SQS adapter every queue consumer shares: message parsing, attempts, partial failures.

Consumers stay a few lines: `lambda_handler = handler({MessageModel: step, ...})`, where a step
takes the parsed message and its `Delivery`. Powertools' `BatchProcessor` validates each record
against `QueueRecord` before any step runs: a malformed message (bad JSON, unknown type, missing
ids) is reported failed and, naming no run to blame, reaches the dead-letter queue after its
retries. A valid message whose step fails its last allowed attempt first marks its run and list
failed, so a list never stays `running`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.parser.models import SqsRecordModel
from pydantic import BaseModel, ConfigDict, Field, Json

from leadlists.config import settings
from leadlists.errors import Invalid
from leadlists.models.messages import Message, RunMessage
from leadlists.repositories import refresh_runs as runs
from leadlists.services import refresh

logger = Logger()


class ReceiveAttributes(BaseModel):
    """The one SQS attribute the consumers read. Lambda always sends it; a hand-built event
    (or a ReceiveMessage without AttributeNames) lacks it, and counts as a first try."""

    model_config = ConfigDict(extra="allow")

    ApproximateReceiveCount: str = ""


class QueueRecord(SqsRecordModel):
    """An SQS record whose body is one of the queues' messages."""

    body: Json[Message]  # type: ignore[assignment]
    attributes: ReceiveAttributes = Field(default_factory=ReceiveAttributes)  # type: ignore[assignment]


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

    @classmethod
    def of(cls, record: QueueRecord) -> Delivery:
        count = record.attributes.ApproximateReceiveCount
        return cls(record.messageId, int(count) if count.isdigit() else 1)


# A step of one message type; typed loosely because a mapping cannot tie each key to its value.
Step = Callable[[Any, Delivery], None]
Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


def handler(steps: Mapping[type[RunMessage], Step]) -> Handler:
    """A consumer's `lambda_handler`: each record's message goes to the step for its type."""
    processor = BatchProcessor(event_type=EventType.SQS, model=QueueRecord)

    def record_handler(record: QueueRecord) -> None:
        consume(record, steps)

    @logger.inject_lambda_context
    def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return process_partial_response(
            event=event, record_handler=record_handler, processor=processor, context=context
        )

    return lambda_handler


def consume(record: QueueRecord, steps: Mapping[type[RunMessage], Step]) -> None:
    """Run one message; when its last allowed attempt fails, fail its run, then re-raise so the
    message is reported failed and the redrive policy moves it to the dead-letter queue."""
    message: RunMessage = record.body
    delivery = Delivery.of(record)
    try:
        step = steps.get(type(message))
        if step is None:
            raise Invalid(f"No consumer for {message.type!r} messages on this queue")
        step(message, delivery)
    except Exception as exc:
        if delivery.last_attempt:
            logger.exception(
                "Message failed its last attempt", extra={"messageId": delivery.message_id}
            )
            give_up(message, f"{message.type} step failed: {type(exc).__name__}")
        raise


def give_up(message: RunMessage, reason: str) -> None:
    org, list_id, run_id = message.run
    runs.mark_failed(org, list_id, run_id, reason)
    refresh.fail(org, list_id, run_id, reason)
    # Its results are useless now; later messages of the run find no run and do nothing (items
    # a worker already past that check writes afterwards expire by TTL).
    runs.delete(org, list_id, run_id)
