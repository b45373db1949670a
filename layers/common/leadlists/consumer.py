"""The SQS adapter every queue consumer shares: message parsing, attempts, partial failures.

Consumers stay a few lines: `lambda_handler = handler({MessageModel: step, ...})`, where a step
takes the parsed message and its `Delivery`. Each record is validated before any step runs, its
body against the message types the consumer's steps take (`record_model`: it imports no other
queue's messages): a malformed message (bad JSON, a type this consumer does not take, missing
ids) is reported failed and, naming no run to blame, reaches the dead-letter queue after its
retries. A valid message whose step fails its last allowed attempt first lets the step give up (a
refresh run's step marks its run and list failed), so a list never stays `running`.

The partial batch response is built as Powertools' `BatchProcessor` builds it for SQS (`batches`:
the failed records' ids; every record failed: `BatchProcessingError`, and Lambda retries the
batch): that processor's module imports asyncio and every event source's models at a consumer's
start.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar, Union

from aws_lambda_powertools import Logger
from pydantic import Field, Json, ValidationError, create_model

from leadlists import batches, coldstart
from leadlists.batches import PartialItemFailureResponse
from leadlists.models.message_base import Delivery, QueueMessage
from leadlists.models.sqs_record import SqsRecord

logger = Logger()


class QueueRecord(SqsRecord):
    """An SQS record whose body is a queue's message: `record_model` says which ones."""

    body: Json[QueueMessage]


def record_model(types: Collection[type[QueueMessage]]) -> type[QueueRecord]:
    """`QueueRecord` whose body is one of `types`, told apart by their `type` tag (required,
    as in the union of every queue's messages, even when there is one type). Made once, when a
    consumer's handler is."""
    body: Any = Annotated[Union[tuple(types)], Field(discriminator="type")]  # noqa: UP007 - a tuple
    # A type made at runtime, which mypy cannot check as an annotation.
    return create_model("QueueRecord", __base__=QueueRecord, body=(Json[body], ...))  # type: ignore[misc]


@dataclass(frozen=True)
class Step:
    """What a consumer does with one message type: `run` it, and when its last allowed attempt
    fails, `give_up` (mark what it belonged to failed) before the message goes to the DLQ.
    Typed loosely because a mapping cannot tie each message type to its step's argument."""

    run: Callable[[Any, Delivery], None]
    give_up: GiveUp | None = None


Handler = Callable[[dict[str, Any], Any], PartialItemFailureResponse]
Record = TypeVar("Record", bound=SqsRecord)
GiveUp = Callable[[Any, str], None]


def _delivery(record: QueueRecord) -> Delivery:
    count = record.attributes.ApproximateReceiveCount
    return Delivery(record.messageId, int(count) if count.isdigit() else 1)


def handler(steps: Mapping[type[QueueMessage], Step]) -> Handler:
    """A consumer's `lambda_handler`: each record's message goes to the step for its type."""

    model = record_model(steps.keys())

    def record_handler(record: dict[str, Any]) -> None:
        consume(parse(model, record), steps)

    return partial_batch_handler(record_handler)


def parse(model: type[Record], record: dict[str, Any]) -> Record:
    """`record` validated as `model`. One that fails is logged (its id and pydantic's errors,
    not its input) on every attempt, since no step sees it, and fails as usual: after its
    retries it is a dead letter."""
    try:
        return model.model_validate(record)
    except ValidationError as error:
        logger.warning(
            "Malformed message",
            extra={
                "messageId": record.get("messageId") if isinstance(record, dict) else None,
                "errors": error.errors(include_url=False, include_input=False),
            },
        )
        raise


def partial_batch_handler(record_handler: Callable[[dict[str, Any]], None]) -> Handler:
    """An SQS `lambda_handler` running `record_handler` on each raw record; the records it
    raised on are reported failed (all of them: the batch fails)."""

    @logger.inject_lambda_context
    def lambda_handler(event: dict[str, Any], context: Any) -> PartialItemFailureResponse:
        return batches.partial_response(event, record_handler, batches.message_id)

    coldstart.end_init()  # the factory is the last thing a consumer module runs

    return lambda_handler


def consume(record: QueueRecord, steps: Mapping[type[QueueMessage], Step]) -> None:
    """Run one message; when its last allowed attempt fails, let its step give up, then re-raise
    so the message is reported failed and the redrive policy moves it to the dead-letter queue."""
    message: QueueMessage = record.body
    delivery = _delivery(record)
    step = steps[type(message)]  # the record's model admits only the steps' message types
    try:
        step.run(message, delivery)
    except Exception:
        if delivery.last_attempt:
            logger.exception(
                "Message failed its last attempt", extra={"messageId": delivery.message_id}
            )
            if step.give_up is not None:
                step.give_up(message, FAILED_EVERY_ATTEMPT)
        raise


# Why a step gave up, in words a user reads in `refreshError` (the log keeps the exception).
FAILED_EVERY_ATTEMPT = "it failed on each of its attempts"
