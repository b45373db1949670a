"""The consumer of the dead-letter queues (refresh, segment, tenant copy, export): the one
consumer that parses every queue's message (`models.messages`), since a dead letter of any type
is logged whole and counted, whether or not a step gives up for it."""

from collections.abc import Mapping
from typing import Any

from aws_lambda_powertools import Logger
from pydantic import Json, ValidationError

from leadlists import metrics
from leadlists.consumer import GiveUp, Handler, QueueRecord, partial_batch_handler
from leadlists.models.message_base import QueueMessage
from leadlists.models.messages import Message

logger = Logger()

# Why a step gave up, in words a user reads in `refreshError` (as `consumer.FAILED_EVERY_ATTEMPT`).
INTERRUPTED = "its work was interrupted on its last attempt (a timeout or lack of memory)"


class DeadLetterRecord(QueueRecord):
    """An SQS record whose body is one of the queues' messages."""

    body: Json[Message]


def dead_letter_handler(give_ups: Mapping[type[QueueMessage], GiveUp]) -> Handler:
    """The `lambda_handler` of a consumer of dead-letter queues: a message that got there without
    its step giving up (its last attempt was killed: timeout, out of memory) gives up now, so what
    it belonged to ends failed, never `running`. Giving up twice changes nothing: a step that did
    give up already finds its run failed. Each message is logged whole and counted (DeadLetters);
    a malformed one too, and then dropped: it names nothing to fail, and would come back forever."""

    def record_handler(record: dict[str, Any]) -> None:
        message_id = record.get("messageId")
        try:
            message: QueueMessage = DeadLetterRecord.model_validate(record).body
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
