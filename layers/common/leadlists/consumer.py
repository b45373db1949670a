"""The SQS adapter every queue consumer shares: message parsing, attempts, partial failures.

Consumers stay a few lines: `lambda_handler = handler({MessageModel: step, ...})`, where a step
takes the parsed message and its `Delivery`. Each record is validated against `QueueRecord`
before any step runs: a malformed message (bad JSON, unknown type, missing
ids) is reported failed and, naming no run to blame, reaches the dead-letter queue after its
retries. A valid message whose step fails its last allowed attempt first lets the step give up (a
refresh run's step marks its run and list failed), so a list never stays `running`.

The partial batch response is built as Powertools' `BatchProcessor` builds it for SQS (`batches`:
the failed records' ids; every record failed: `BatchProcessingError`, and Lambda retries the
batch): that processor's module imports asyncio and every event source's models at a consumer's
start.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools import Logger
from pydantic import Json, ValidationError

from leadlists import batches, coldstart, metrics
from leadlists.batches import PartialItemFailureResponse
from leadlists.errors import Invalid
from leadlists.models.messages import Delivery, Message, QueueMessage
from leadlists.models.sqs_record import SqsRecord

logger = Logger()


class QueueRecord(SqsRecord):
    """An SQS record whose body is one of the queues' messages."""

    body: Json[Message]


@dataclass(frozen=True)
class Step:
    """What a consumer does with one message type: `run` it, and when its last allowed attempt
    fails, `give_up` (mark what it belonged to failed) before the message goes to the DLQ.
    Typed loosely because a mapping cannot tie each message type to its step's argument."""

    run: Callable[[Any, Delivery], None]
    give_up: GiveUp | None = None


Handler = Callable[[dict[str, Any], Any], PartialItemFailureResponse]
GiveUp = Callable[[Any, str], None]


def _delivery(record: QueueRecord) -> Delivery:
    count = record.attributes.ApproximateReceiveCount
    return Delivery(record.messageId, int(count) if count.isdigit() else 1)


def handler(steps: Mapping[type[QueueMessage], Step]) -> Handler:
    """A consumer's `lambda_handler`: each record's message goes to the step for its type."""

    def record_handler(record: dict[str, Any]) -> None:
        consume(QueueRecord.model_validate(record), steps)

    return partial_batch_handler(record_handler)


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
    step = steps.get(type(message))
    try:
        if step is None:
            raise Invalid(f"No consumer for {message.type!r} messages on this queue")
        step.run(message, delivery)
    except Exception:
        if delivery.last_attempt:
            logger.exception(
                "Message failed its last attempt", extra={"messageId": delivery.message_id}
            )
            if step is not None and step.give_up is not None:
                step.give_up(message, FAILED_EVERY_ATTEMPT)
        raise


# Why a step gave up, in words a user reads in `refreshError` (the log keeps the exception).
FAILED_EVERY_ATTEMPT = "it failed on each of its attempts"
INTERRUPTED = "its work was interrupted on its last attempt (a timeout or lack of memory)"


def dead_letter_handler(give_ups: Mapping[type[QueueMessage], GiveUp]) -> Handler:
    """The `lambda_handler` of a consumer of dead-letter queues: a message that got there without
    its step giving up (its last attempt was killed: timeout, out of memory) gives up now, so what
    it belonged to ends failed, never `running`. Giving up twice changes nothing: a step that did
    give up already finds its run failed. Each message is logged whole and counted (DeadLetters);
    a malformed one too, and then dropped: it names nothing to fail, and would come back forever."""

    def record_handler(record: dict[str, Any]) -> None:
        message_id = record.get("messageId")
        try:
            message: QueueMessage = QueueRecord.model_validate(record).body
        except ValidationError:
            logger.error("Malformed dead letter", extra={"messageId": message_id,
                                                         "body": record.get("body")})  # fmt: skip
            metrics.dead_letter("malformed")
            return
        logger.error("Dead letter", extra={"messageId": message_id,
                                           "body": message.model_dump(mode="json")})  # fmt: skip
        give_up = give_ups.get(type(message))
        if give_up is not None:
            give_up(message, INTERRUPTED)
        metrics.dead_letter(message.type)

    return partial_batch_handler(record_handler)
