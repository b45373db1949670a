"""Messages to the background queues (SQS)."""

from __future__ import annotations

import time
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

import boto3
from aws_lambda_powertools import Logger

from leadlists.config import settings
from leadlists.models.messages import (
    CatalogChunkMessage,
    DeleteListMessage,
    ExportMessage,
    FinalizeMessage,
    PassSegmentMessage,
    QueueMessage,
    RefreshMessage,
    RunRef,
    SearchSegmentMessage,
    SegmentMessage,
    SharedPassMessage,
    WebhookMessage,
)

logger = Logger()


@lru_cache(maxsize=1)
def _client() -> Any:
    return boto3.client("sqs")


def send_refresh_request(org_id: str, list_id: str, run_id: str) -> bool:
    """Queue a list's computation. False (and a warning) when no queue is configured."""
    url = settings().refresh_queue_url
    if not url:
        logger.warning(
            "REFRESH_QUEUE_URL is not set; refresh not queued", extra={"listId": list_id}
        )
        return False
    body = RefreshMessage(organizationId=org_id, listId=list_id, runId=run_id)
    _client().send_message(QueueUrl=url, MessageBody=body.model_dump_json())
    return True


# SendMessageBatch: at most 10 entries and 256 KiB of bodies a call.
BATCH_ENTRIES = 10
BATCH_BYTES = 256 * 1024
_RETRY_DELAYS = (0.05, 0.2, 0.8)


def _required(url: str, name: str) -> str:
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


def send_refresh_requests(requests: Iterable[tuple[str, str, str]]) -> int:
    """Queue many lists' computations at once: (organization id, list id, run id) each."""
    url = _required(settings().refresh_queue_url, "REFRESH_QUEUE_URL")
    messages = (
        RefreshMessage(organizationId=org, listId=list_id, runId=run_id)
        for org, list_id, run_id in requests
    )
    return send_batch(url, messages)


def send_segments(org_id: str, list_id: str, run_id: str, segments: int) -> int:
    """One message per scan segment of a fan-out run."""
    url = _required(settings().refresh_segment_queue_url, "REFRESH_SEGMENT_QUEUE_URL")
    run: dict[str, Any] = {"organizationId": org_id, "listId": list_id, "runId": run_id}
    messages = (SegmentMessage(**run, segment=n, segments=segments) for n in range(segments))
    return send_batch(url, messages)


def send_finalize(org_id: str, list_id: str, run_id: str) -> None:
    """Ask for a fan-out run's completion (on the segment queue, so it gets its own retries)."""
    url = _required(settings().refresh_segment_queue_url, "REFRESH_SEGMENT_QUEUE_URL")
    send_batch(url, [FinalizeMessage(organizationId=org_id, listId=list_id, runId=run_id)])


def send_cleanup(message: DeleteListMessage, delay_seconds: int = 0) -> None:
    """Queue (or continue) the background cleanup of a deleted list; SQS delays it at most 900 s."""
    url = _required(settings().cleanup_queue_url, "CLEANUP_QUEUE_URL")
    _client().send_message(
        QueueUrl=url,
        MessageBody=message.model_dump_json(),
        DelaySeconds=max(0, min(delay_seconds, 900)),
    )


# Search fan-out ---------------------------------------------------------------------------------


def send_search_segments(org_id: str, search_id: str, segments: int) -> int:
    """One message per scan segment of a search over the synchronous budget."""
    url = _required(settings().refresh_segment_queue_url, "REFRESH_SEGMENT_QUEUE_URL")
    messages = (
        SearchSegmentMessage(
            organizationId=org_id, searchId=search_id, segment=n, segments=segments
        )
        for n in range(segments)
    )
    return send_batch(url, messages)


# Exports ----------------------------------------------------------------------------------------


def send_export(org_id: str, export_id: str) -> None:
    """Queue a background export's writing."""
    url = _required(settings().export_queue_url, "EXPORT_QUEUE_URL")
    body = ExportMessage(organizationId=org_id, exportId=export_id)
    _client().send_message(QueueUrl=url, MessageBody=body.model_dump_json())


# Catalog ingestion ------------------------------------------------------------------------------


def send_catalog_chunks(messages: Iterable[CatalogChunkMessage]) -> int:
    """The chunks of one stage of a catalog file's import."""
    url = _required(settings().catalog_chunk_queue_url, "CATALOG_CHUNK_QUEUE_URL")
    return send_batch(url, messages)


# Webhooks ---------------------------------------------------------------------------------------

# SQS delays a message at most this long: longer waits are made of several hops.
MAX_DELAY_SECONDS = 900


def send_webhook(message: WebhookMessage, delay_seconds: int = 0) -> None:
    """Queue an event (or one endpoint's next attempt, up to 900 s later)."""
    url = _required(settings().webhook_queue_url, "WEBHOOK_QUEUE_URL")
    _client().send_message(
        QueueUrl=url,
        MessageBody=message.model_dump_json(),
        DelaySeconds=max(0, min(delay_seconds, MAX_DELAY_SECONDS)),
    )


def send_webhooks(messages: Iterable[WebhookMessage]) -> int:
    """One message per endpoint of an event, in batches."""
    return send_batch(_required(settings().webhook_queue_url, "WEBHOOK_QUEUE_URL"), messages)


def send_webhook_dead_letter(message: WebhookMessage) -> None:
    """An event whose last attempt failed: kept in the dead-letter queue (and its alarm)."""
    url = _required(settings().webhook_dead_letter_queue_url, "WEBHOOK_DEAD_LETTER_QUEUE_URL")
    _client().send_message(QueueUrl=url, MessageBody=message.model_dump_json())


# Shared refresh passes --------------------------------------------------------------------------

# Runs a shared pass carries in each message (a few hundred bytes each: well within 256 KiB).
PASS_MAX_RUNS = 500


def send_shared_pass(requests: Iterable[tuple[str, str, str]]) -> int:
    """Queue one shared pass over (organization id, list id, run id) runs. Returns calls made."""
    url = _required(settings().refresh_queue_url, "REFRESH_QUEUE_URL")
    runs = [RunRef(organizationId=o, listId=li, runId=r) for o, li, r in requests]
    return send_batch(url, [SharedPassMessage(runs=runs)]) if runs else 0


def send_pass_segments(runs: list[RunRef], segments: int) -> int:
    """One message per scan segment of a shared pass, each naming every run it serves."""
    url = _required(settings().refresh_segment_queue_url, "REFRESH_SEGMENT_QUEUE_URL")
    messages = (
        PassSegmentMessage(segment=n, segments=segments, runs=runs) for n in range(segments)
    )
    return send_batch(url, messages)
