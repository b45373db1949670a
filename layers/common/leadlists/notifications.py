"""The SQS adapter for S3 event notifications (the catalog bucket's `incoming/` files): each
record's body is an S3 notification naming objects; S3's test event names none. A record whose
handling fails is reported failed and, after its retries, reaches the dead-letter queue."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import unquote_plus

from pydantic import BaseModel, Field, Json

from leadlists.consumer import Handler, parse, partial_batch_handler
from leadlists.models.catalog_messages import CatalogFile
from leadlists.models.sqs_record import SqsRecord


class S3Object(BaseModel):
    key: str = Field(min_length=1)
    eTag: str = ""
    versionId: str | None = None
    sequencer: str = ""


class S3Bucket(BaseModel):
    name: str = Field(min_length=1)


class S3Entity(BaseModel):
    bucket: S3Bucket
    object: S3Object


class S3EventRecord(BaseModel):
    eventName: str = ""
    s3: S3Entity

    def file(self) -> CatalogFile:
        obj = self.s3.object
        return CatalogFile(
            bucket=self.s3.bucket.name,
            key=unquote_plus(obj.key),  # S3 URL-encodes keys in notifications
            etag=obj.eTag or obj.sequencer or "unversioned",
            version=obj.versionId or None,
        )


class S3Notification(BaseModel):
    Records: list[S3EventRecord] = Field(default_factory=list)
    Event: str | None = None  # "s3:TestEvent" when S3 checks the destination


class NotificationRecord(SqsRecord):
    body: Json[S3Notification]


def handler(on_file: Callable[[CatalogFile], None]) -> Handler:
    """A consumer's `lambda_handler`: `on_file` for every object each notification names."""

    def record_handler(record: dict[str, Any]) -> None:
        for event in parse(NotificationRecord, record).body.Records:
            if event.eventName.startswith("ObjectCreated:"):
                on_file(event.file())

    return partial_batch_handler(record_handler)
