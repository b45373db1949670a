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


class StreamPoller(threading.Thread):
    """One DynamoDB stream event source mapping, as Lambda runs it: reads each shard in order
    from its starting position, invokes the function with batches of records, and on a failure
    retries from the first failed record (a partial batch response names it by sequence number;
    an invocation error fails the batch, halved when the mapping bisects). After
    `max_retries` retries the batch goes to the on-failure destination (a description of it, not
    the records, as AWS sends) and the shard moves on."""

    def __init__(
        self,
        function: str,
        stream_arn: str,
        source: dict[str, Any],
        invoke: Invoke,
        clients: tuple[Any, Any],
        stop: threading.Event,
        on_failure_url: str | None = None,
        poll_seconds: float = 0.25,
    ) -> None:
        super().__init__(name=f"stream-{function}", daemon=True)
        self.function, self.arn, self.source = function, stream_arn, source
        self.invoke, self.stop_event = invoke, stop
        self.streams, self.sqs = clients
        self.on_failure_url, self.poll_seconds = on_failure_url, poll_seconds
        self.delivered = 0  # batches handed to the function, for tests and logs
        self.dead_lettered = 0
        # Iterators taken now, as a mapping created now: LATEST skips what came before.
        self.iterators = {
            shard["ShardId"]: self.streams.get_shard_iterator(
                StreamArn=self.arn,
                ShardId=shard["ShardId"],
                ShardIteratorType=source["starting_position"],
            )["ShardIterator"]
            for shard in self.streams.describe_stream(StreamArn=self.arn)["StreamDescription"][
                "Shards"
            ]
        }
        self.pending: dict[str, list[dict[str, Any]]] = {shard: [] for shard in self.iterators}

    def run(self) -> None:
        while not self.stop_event.wait(self.poll_seconds):
            for shard in list(self.iterators):
                try:
                    self.poll(shard)
                except Exception as exc:
                    if self.stop_event.is_set():
                        return
                    logger.warning("%s: stream read failed (%s)", label(self.function), exc)

    def poll(self, shard: str) -> None:
        """Read what the shard has and deliver it, batch after batch, in order."""
        answer = self.streams.get_records(ShardIterator=self.iterators[shard], Limit=1000)
        self.iterators[shard] = answer.get("NextShardIterator") or self.iterators[shard]
        self.pending[shard].extend(answer.get("Records", []))
        self.drain(shard)

    def drain(self, shard: str) -> None:
        pending = self.pending[shard]
        size, attempts = self.source["batch_size"], 0
        while pending and not self.stop_event.is_set():
            batch = pending[:size]
            failed_at, error = self._deliver(batch)
            if failed_at is None:
                del pending[: len(batch)]
                size, attempts = self.source["batch_size"], 0
                continue
            del pending[:failed_at]  # what came before the first failure is done
            attempts += 1
            if error and self.source["bisect"] and size > 1:
                size = max(1, (len(batch) - failed_at) // 2)
            retries = self.source["max_retries"]
            if 0 <= retries < attempts:
                self._give_up(shard, pending[:size])
                del pending[:size]
                size, attempts = self.source["batch_size"], 0
            else:
                self.stop_event.wait(min(0.1 * attempts, 1.0))

    def _deliver(self, batch: list[dict[str, Any]]) -> tuple[int | None, bool]:
        """Invoke with a batch: (index of the first failed record or None, invocation error)."""
        sequence = [r["dynamodb"]["SequenceNumber"] for r in batch]
        try:
            result = self.invoke(self.function, stream_event(batch, self.arn))
        except Exception:
            logger.exception("%s: invocation failed", label(self.function))
            return 0, True
        self.delivered += 1
        failures = result.get("batchItemFailures") if isinstance(result, dict) else None
        if not failures:
            logger.info("%s: %d records ok", label(self.function), len(batch))
            return None, False
        named = {f.get("itemIdentifier") for f in failures if isinstance(f, dict)}
        first = min((sequence.index(s) for s in named if s in sequence), default=0)
        logger.info("%s: %d records ok, retrying from the next", label(self.function), first)
        return first, False

    def _give_up(self, shard: str, batch: list[dict[str, Any]]) -> None:
        self.dead_lettered += len(batch)
        logger.warning("%s: %d records failed for good", label(self.function), len(batch))
        if not self.on_failure_url or not batch:
            return
        info = {
            "shardId": shard,
            "startSequenceNumber": batch[0]["dynamodb"]["SequenceNumber"],
            "endSequenceNumber": batch[-1]["dynamodb"]["SequenceNumber"],
            "batchSize": len(batch),
            "streamArn": self.arn,
        }
        body = {
            "requestContext": {"condition": "RetryAttemptsExhausted"},
            "DDBStreamBatchInfo": info,
        }
        self.sqs.send_message(QueueUrl=self.on_failure_url, MessageBody=json.dumps(body))


def stream_event(records: list[dict[str, Any]], stream_arn: str) -> dict[str, Any]:
    """The event Lambda sends a function for DynamoDB stream records (GetRecords' answer, with
    the source ARN and the creation time in epoch seconds)."""
    out = []
    for record in records:
        stream = dict(record["dynamodb"])
        created = stream.get("ApproximateCreationDateTime")
        if hasattr(created, "timestamp"):
            stream["ApproximateCreationDateTime"] = int(created.timestamp())
        out.append({**record, "dynamodb": stream, "eventSourceARN": stream_arn})
    return {"Records": out}


def streams_client(session: Any) -> Any:
    """A DynamoDB Streams client on the regional endpoint: botocore's default account-based
    endpoint (`<account>.streams-ddb...`) is one the emulator does not answer."""
    from botocore.config import Config

    return session.client("dynamodbstreams", config=Config(account_id_endpoint_mode="disabled"))


def stream_pollers(
    created: dict[str, Any], invoke: Invoke, stop: threading.Event, session: Any
) -> list[StreamPoller]:
    """A poller per stream event source mapping of the template, on the created tables."""
    from leadlists_local import template

    sources = template.stream_sources()
    if not sources:
        return []
    dynamodb, streams = session.client("dynamodb"), streams_client(session)
    sqs = session.client("sqs")
    out = []
    for source in sources:
        table = created["tables"][source["table"]]
        arn = dynamodb.describe_table(TableName=table)["Table"]["LatestStreamArn"]
        dlq = created["queues"][source["on_failure"]]["url"] if source["on_failure"] else None
        out.append(StreamPoller(source["function"], arn, source, invoke, (streams, sqs), stop, dlq))
    return out
