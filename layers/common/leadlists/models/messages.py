"""The background queues' messages: one tagged union, built by `leadlists.queues` (and
`refresh_queues`). Each queue's messages are defined in their own module (a function that sends
one kind imports only that, a consumer those its steps take: `consumer.record_model`); this one
gathers them, for the dead-letter consumer, which parses any of them."""

from typing import Annotated

from pydantic import Field

from leadlists.models.catalog_messages import CatalogChunkMessage, CatalogFile
from leadlists.models.cleanup_message import DeleteListMessage
from leadlists.models.export_message import ExportMessage
from leadlists.models.message_base import CatalogStage, Delivery, Id, ListKind, QueueMessage
from leadlists.models.run_messages import (
    CopyMessage,
    FinalizeMessage,
    PassSegmentMessage,
    RefreshMessage,
    RunMessage,
    RunRef,
    SearchSegmentMessage,
    SegmentMessage,
    SharedPassMessage,
)
from leadlists.models.webhook_message import WebhookMessage

__all__ = [
    "CatalogChunkMessage",
    "CatalogFile",
    "CatalogStage",
    "CopyMessage",
    "DeleteListMessage",
    "Delivery",
    "ExportMessage",
    "FinalizeMessage",
    "Id",
    "ListKind",
    "Message",
    "PassSegmentMessage",
    "QueueMessage",
    "RefreshMessage",
    "RunMessage",
    "RunRef",
    "SearchSegmentMessage",
    "SegmentMessage",
    "SharedPassMessage",
    "WebhookMessage",
]

Message = Annotated[
    RefreshMessage
    | SegmentMessage
    | FinalizeMessage
    | CopyMessage
    | DeleteListMessage
    | SearchSegmentMessage
    | ExportMessage
    | CatalogChunkMessage
    | WebhookMessage
    | SharedPassMessage
    | PassSegmentMessage,
    Field(discriminator="type"),
]
