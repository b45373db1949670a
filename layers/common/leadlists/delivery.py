"""One SQS delivery of a message, as the services need to see it: which attempt this is."""

from __future__ import annotations

from dataclasses import dataclass

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from leadlists.config import settings


@dataclass(frozen=True)
class Delivery:
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
    def of(cls, record: SQSRecord) -> Delivery:
        # Lambda always sends the count; a hand-built event without it counts as a first try.
        count = str((record.raw_event.get("attributes") or {}).get("ApproximateReceiveCount", ""))
        return cls(record.message_id, int(count) if count.isdigit() else 1)
