"""SQS consumer of refresh requests: computes a list inline within the synchronous budget, or
coordinates its fan-out over scan segments beyond it. Reports failures per record."""

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from leadlists.services import fanout, refresh

logger = Logger()
processor = BatchProcessor(event_type=EventType.SQS)


def _run(message: dict[str, Any], _: Any) -> None:
    refresh.run_queued(message["organizationId"], message["listId"], message["runId"])


def record_handler(record: SQSRecord) -> None:
    fanout.consume(record, _run)


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
