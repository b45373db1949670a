"""Locally every function runs in one process: each log line still names the function that wrote
it (its name, ARN and request id), even when another invocation left its own in Powertools'
process-wide keys."""

from __future__ import annotations

import io
import json
import logging
import threading
from typing import Any

import pytest
from aws_lambda_powertools import Logger

from leadlists_local import lambdas


def test_each_invocation_logs_its_own_function_name(monkeypatch: pytest.MonkeyPatch) -> None:
    stream = io.StringIO()
    log = Logger(
        service="log-keys-test", level="INFO", logger_handler=logging.StreamHandler(stream)
    )
    # as a concurrent invocation leaves them
    log.append_keys(
        function_name="SomeOtherFunction",
        function_arn="arn:aws:lambda:us-east-1:000000000000:function:SomeOtherFunction",
        function_request_id="someone-elses-request",
    )
    barrier = threading.Barrier(2)

    def handler(event: dict[str, Any], context: Any) -> None:
        barrier.wait(5)  # both invocations are in flight at once
        log.info("working", extra={"me": event["me"]})

    monkeypatch.setattr(lambdas, "load_handler", lambda logical_id, copy=0: handler)
    threads = [
        threading.Thread(target=lambdas.invoke, args=(name, {"me": name}))
        for name in ("SaveListFunction", "RefreshWorkerFunction")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert len(lines) == 2
    assert all(line["function_name"] == line["me"] for line in lines), lines
    assert all(line["function_arn"].endswith(f":function:{line['me']}") for line in lines), lines
    request_ids = {line["function_request_id"] for line in lines}
    assert len(request_ids) == 2 and "someone-elses-request" not in request_ids, lines
    log.info("after")  # outside an invocation the process-wide key is back
    assert json.loads(stream.getvalue().splitlines()[-1])["function_name"] == "SomeOtherFunction"
