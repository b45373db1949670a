"""The SQS record Lambda hands a queue consumer, validated as Powertools' `SqsRecordModel`
validates it (the same fields required, of the same types), without its parser package: that
imports pydantic's network types and the parser's machinery at every consumer's start, for one
base class. The subclasses (`consumer`, `notifications`) say what the body holds."""

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class ReceiveAttributes(BaseModel):
    """The one SQS attribute the consumers read. Lambda always sends it; a hand-built event
    (or a ReceiveMessage without AttributeNames) lacks it, and counts as a first try."""

    model_config = ConfigDict(extra="allow")

    ApproximateReceiveCount: str = ""


class MessageAttribute(BaseModel):
    """A user-defined message attribute (none is read; checked as Powertools checks it)."""

    stringValue: str | None = None
    binaryValue: str | None = None
    stringListValues: list[str] = []
    binaryListValues: list[str] = []
    dataType: str


class SqsRecord(BaseModel):
    """One record of an SQS event; `body` is narrowed by each subclass."""

    messageId: str
    receiptHandle: str
    body: Any
    attributes: ReceiveAttributes = Field(default_factory=ReceiveAttributes)
    messageAttributes: dict[str, MessageAttribute]
    md5OfBody: str
    md5OfMessageAttributes: str | None = None
    eventSource: Literal["aws:sqs"]
    eventSourceARN: str
    awsRegion: str
