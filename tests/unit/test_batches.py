"""Lambda's partial batch response, as Powertools' BatchProcessor answers it."""

from __future__ import annotations

from typing import Any

import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

from leadlists import batches


def stream_record(sequence: str, fail: bool = False) -> dict[str, Any]:
    return {"eventName": "MODIFY", "dynamodb": {"SequenceNumber": sequence}, "fail": fail}


def handle(record: dict[str, Any]) -> None:
    if record["fail"]:
        raise RuntimeError("boom")


def test_a_stream_batch_reports_its_failed_records_by_sequence_number():
    event = {"Records": [stream_record("100"), stream_record("200", True), stream_record("300")]}
    answer = batches.partial_response(event, handle, batches.sequence_number)
    assert answer == {"batchItemFailures": [{"itemIdentifier": "200"}]}
    ok = batches.partial_response(
        {"Records": [stream_record("1")]}, handle, batches.sequence_number
    )
    assert ok == {"batchItemFailures": []}


def test_a_batch_whose_every_record_failed_fails_whole_and_a_non_batch_is_refused():
    sqs = [{"messageId": "m1", "fail": True}, {"messageId": "m2", "fail": True}]
    with pytest.raises(BatchProcessingError):
        batches.partial_response({"Records": sqs}, handle, batches.message_id)
    with pytest.raises(ValueError):
        batches.partial_response({"Records": None}, handle, batches.message_id)
