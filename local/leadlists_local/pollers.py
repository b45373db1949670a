"""Background work: SQS event source mappings as pollers, and EventBridge schedules as timers."""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Callable
from typing import Any

from leadlists_local import lambdas

logger = logging.getLogger("leadlists_local")

Invoke = Callable[[str, dict[str, Any]], Any]


def label(logical_id: str) -> str:
    """RefreshWorkerFunction -> 'refresh worker', for log lines."""
    words = re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z0-9]+", logical_id.removesuffix("Function"))
    return " ".join(w.lower() for w in words) or logical_id


class QueuePoller(threading.Thread):
    """One SQS event source mapping: long-poll, invoke with the batch, delete what succeeded.

    Messages the function reports in batchItemFailures (or the whole batch when it raises) are
    left alone: they reappear after the short receive visibility timeout, and the queue's
    redrive policy moves them to the dead-letter queue after maxReceiveCount receives.
    """

    def __init__(
        self,
        function: str,
        queue_url: str,
        queue_arn: str,
        batch_size: int,
        invoke: Invoke,
        sqs: Any,
        stop: threading.Event,
        visibility_timeout: int = 5,
        wait_seconds: int = 1,
        queue: str = "",
    ) -> None:
        super().__init__(name=f"poller-{function}", daemon=True)
        self.queue = queue or queue_url.rsplit("/", 1)[-1]  # the template's name, for logs
        self.function, self.url, self.arn = function, queue_url, queue_arn
        self.batch_size = max(1, min(batch_size, 10))  # ReceiveMessage returns at most 10
        self.invoke, self.sqs, self.stop_event = invoke, sqs, stop
        self.visibility_timeout, self.wait_seconds = visibility_timeout, wait_seconds
        self.delivered = 0  # batches handed to the function, for tests and logs

    def run(self) -> None:
        while not self.stop_event.is_set():
            try:
                answer = self.sqs.receive_message(
                    QueueUrl=self.url,
                    MaxNumberOfMessages=self.batch_size,
                    WaitTimeSeconds=self.wait_seconds,
                    VisibilityTimeout=self.visibility_timeout,
                    MessageSystemAttributeNames=["All"],
                    MessageAttributeNames=["All"],
                )
            except Exception as exc:
                if self.stop_event.is_set():
                    break
                logger.warning("%s: receive failed (%s); retrying", label(self.function), exc)
                self.stop_event.wait(2)
                continue
            messages = answer.get("Messages", [])
            if messages:
                self.deliver(messages)

    def deliver(self, messages: list[dict[str, Any]]) -> None:
        ids = {m["MessageId"] for m in messages}
        try:
            result = self.invoke(self.function, lambdas.sqs_event(messages, self.arn))
            failed = _failed_ids(result, ids)
            problem = ""
        except Exception as exc:
            logger.exception("%s: invocation failed", label(self.function))
            failed, problem = ids, f" ({type(exc).__name__})"
        self.delivered += 1
        done = [m for m in messages if m["MessageId"] not in failed]
        for start in range(0, len(done), 10):
            entries = [
                {"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]}
                for n, m in enumerate(done[start : start + 10])
            ]
            self.sqs.delete_message_batch(QueueUrl=self.url, Entries=entries)
        noun = "message" if len(done) == 1 else "messages"
        logger.info(
            "%s: %d %s ok / %d failed%s",
            label(self.function),
            len(done),
            noun,
            len(failed),
            problem,
        )


def _failed_ids(result: Any, ids: set[str]) -> set[str]:
    """Partial batch response; like Lambda, a malformed one fails the whole batch."""
    if not isinstance(result, dict) or not result.get("batchItemFailures"):
        return set()
    failed = set()
    for item in result["batchItemFailures"]:
        identifier = item.get("itemIdentifier") if isinstance(item, dict) else None
        if identifier not in ids:
            return set(ids)
        failed.add(identifier)
    return failed


class ScheduleTimer(threading.Thread):
    """An EventBridge schedule: invokes its function every `every` seconds (first run after one
    interval, as a new rule does)."""

    def __init__(
        self,
        function: str,
        rule_name: str,
        every: float,
        invoke: Invoke,
        stop: threading.Event,
        payload: str | None = None,
    ) -> None:
        super().__init__(name=f"schedule-{function}", daemon=True)
        self.function, self.rule_name, self.every = function, rule_name, every
        self.invoke, self.stop_event, self.payload = invoke, stop, payload
        self.fired = 0

    def run(self) -> None:
        while not self.stop_event.wait(self.every):
            self.fire()

    def fire(self) -> None:
        # A rule's constant Input replaces the scheduled event, as in AWS.
        if self.payload:
            event = json.loads(self.payload)
        else:
            event = lambdas.scheduled_event(self.rule_name)
        try:
            self.invoke(self.function, event)
            logger.info("%s: scheduled run ok", label(self.function))
        except Exception:
            logger.exception("%s: scheduled run failed", label(self.function))
        self.fired += 1
