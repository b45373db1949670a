"""Messages to the background queues (SQS): sending in batches, and the cleanup, export, catalog
and webhook queues' messages. The refresh and segment queues' are in `refresh_queues`."""

from __future__ import annotations

import time
from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from leadlists import aws_clients
from leadlists.config import settings
from leadlists.models.export_message import ExportMessage
from leadlists.models.message_base import QueueMessage

if TYPE_CHECKING:  # built by their senders: a function that sends none never imports them
    from leadlists.models.catalog_messages import CatalogChunkMessage
    from leadlists.models.cleanup_message import DeleteListMessage
    from leadlists.models.webhook_message import WebhookMessage


@lru_cache(maxsize=1)
def _client() -> Any:
    return aws_clients.client("sqs")


# SQS delays a message at most this long: longer waits are made of several hops.
MAX_DELAY_SECONDS = 900


def send(url: str, message: QueueMessage, delay_seconds: int | None = None) -> None:
    """One message, now or (`delay_seconds`, at most 900) later; None keeps the queue's delay."""
    delay: dict[str, int] = {}
    if delay_seconds is not None:
        delay["DelaySeconds"] = max(0, min(delay_seconds, MAX_DELAY_SECONDS))
    _client().send_message(QueueUrl=url, MessageBody=message.model_dump_json(), **delay)


# SendMessageBatch: at most 10 entries and 256 KiB of bodies a call.
BATCH_ENTRIES = 10
BATCH_BYTES = 256 * 1024
_RETRY_DELAYS = (0.05, 0.2, 0.8)


def required(url: str, name: str) -> str:
    if not url:
        raise RuntimeError(f"{name} is not configured")
    return url


def send_batch(url: str, messages: Iterable[QueueMessage]) -> int:
    """Send messages in SendMessageBatch calls, retrying entries SQS reports as failed.

    Returns the calls made."""
    calls = 0
    batch: list[str] = []
    size = 0
    for message in messages:
        text = message.model_dump_json()
        if batch and (len(batch) == BATCH_ENTRIES or size + len(text) > BATCH_BYTES):
            calls += _send_entries(url, batch)
            batch, size = [], 0
        batch.append(text)
        size += len(text)
    if batch:
        calls += _send_entries(url, batch)
    return calls


def _send_entries(url: str, texts: list[str]) -> int:
    pending = {str(n): text for n, text in enumerate(texts)}
    for attempt in range(len(_RETRY_DELAYS) + 1):
        entries = [{"Id": n, "MessageBody": text} for n, text in pending.items()]
        answer = _client().send_message_batch(QueueUrl=url, Entries=entries)
        failed = {f["Id"] for f in answer.get("Failed", [])}
        pending = {n: t for n, t in pending.items() if n in failed}
        if not pending:
            return attempt + 1
        if attempt < len(_RETRY_DELAYS):
            time.sleep(_RETRY_DELAYS[attempt])
    raise RuntimeError(f"SendMessageBatch left {len(pending)} messages unsent")


def send_cleanup(message: DeleteListMessage, delay_seconds: int = 0) -> None:
    """Queue (or continue) the background cleanup of a deleted list; SQS delays it at most 900 s."""
    send(required(settings().cleanup_queue_url, "CLEANUP_QUEUE_URL"), message, delay_seconds)


# Exports ----------------------------------------------------------------------------------------


def send_export(org_id: str, export_id: str) -> None:
    """Queue a background export's writing."""
    url = required(settings().export_queue_url, "EXPORT_QUEUE_URL")
    send(url, ExportMessage(organizationId=org_id, exportId=export_id))


# Catalog ingestion ------------------------------------------------------------------------------


def send_catalog_chunks(messages: Iterable[CatalogChunkMessage]) -> int:
    """The chunks of one stage of a catalog file's import."""
    url = required(settings().catalog_chunk_queue_url, "CATALOG_CHUNK_QUEUE_URL")
    return send_batch(url, messages)


# Webhooks ---------------------------------------------------------------------------------------


def send_webhook(message: WebhookMessage, delay_seconds: int = 0) -> None:
    """Queue an event (or one endpoint's next attempt, up to 900 s later)."""
    send(required(settings().webhook_queue_url, "WEBHOOK_QUEUE_URL"), message, delay_seconds)


def send_webhooks(messages: Iterable[WebhookMessage]) -> int:
    """One message per endpoint of an event, in batches."""
    return send_batch(required(settings().webhook_queue_url, "WEBHOOK_QUEUE_URL"), messages)


def send_webhook_dead_letter(message: WebhookMessage) -> None:
    """An event whose last attempt failed: kept in the dead-letter queue (and its alarm)."""
    url = required(settings().webhook_dead_letter_queue_url, "WEBHOOK_DEAD_LETTER_QUEUE_URL")
    send(url, message)
