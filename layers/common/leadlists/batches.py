"""Lambda's partial batch response, built as Powertools' `BatchProcessor` builds it (whose module
imports asyncio and every event source's models at a function's start): every record is handled;
the failed ones are reported by their identifier (an SQS message id, a DynamoDB stream record's
sequence number, from which Lambda retries a stream); when all failed, `BatchProcessingError`
fails the whole batch."""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from typing import Any, TypedDict

from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError, ExceptionInfo

Record = dict[str, Any]


class PartialItemFailureResponse(TypedDict):
    batchItemFailures: list[dict[str, str]]


def message_id(record: Mapping[str, Any]) -> str:
    """An SQS record's identifier."""
    return str(record.get("messageId", ""))


def sequence_number(record: Mapping[str, Any]) -> str:
    """A DynamoDB stream record's identifier."""
    return str((record.get("dynamodb") or {}).get("SequenceNumber", ""))


def partial_response(
    event: Mapping[str, Any],
    handle: Callable[[Record], None],
    identify: Callable[[Mapping[str, Any]], str],
) -> PartialItemFailureResponse:
    """Run `handle` on each record of the batch; report the records it raised on."""
    records = event.get("Records")
    if not isinstance(records, list):
        raise ValueError("Invalid event format: not a batch of records")
    failed: list[dict[str, str]] = []
    errors: list[ExceptionInfo] = []
    for record in records:
        try:
            handle(record)
        except Exception:
            failed.append({"itemIdentifier": identify(record)})
            errors.append(sys.exc_info())
    if records and len(failed) == len(records):
        raise BatchProcessingError(
            f"All records failed processing. {len(errors)} individual errors logged "
            "separately below.",
            errors,
        )
    return {"batchItemFailures": failed}
