"""Messages to the refresh and segment queues: a list's computation, its fan-out's segments and
finalization, shared passes, and the segments of a search beyond the synchronous budget."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from aws_lambda_powertools import Logger

from leadlists import queues
from leadlists.config import settings
from leadlists.models.run_messages import (
    FinalizeMessage,
    PassSegmentMessage,
    RefreshMessage,
    RunRef,
    SearchSegmentMessage,
    SegmentMessage,
    SharedPassMessage,
)

logger = Logger()


def _segment_queue() -> str:
    """The segment queue's URL: fan-out segments, finalization, search and pass segments."""
    return queues.required(settings().refresh_segment_queue_url, "REFRESH_SEGMENT_QUEUE_URL")


def send_refresh_request(org_id: str, list_id: str, run_id: str) -> bool:
    """Queue a list's computation. False (and a warning) when no queue is configured."""
    url = settings().refresh_queue_url
    if not url:
        logger.warning(
            "REFRESH_QUEUE_URL is not set; refresh not queued", extra={"listId": list_id}
        )
        return False
    queues.send(url, RefreshMessage(organizationId=org_id, listId=list_id, runId=run_id))
    return True


def send_segments(org_id: str, list_id: str, run_id: str, segments: int) -> int:
    """One message per scan segment of a fan-out run."""
    url = _segment_queue()
    run: dict[str, Any] = {"organizationId": org_id, "listId": list_id, "runId": run_id}
    messages = (SegmentMessage(**run, segment=n, segments=segments) for n in range(segments))
    return queues.send_batch(url, messages)


def send_finalize(org_id: str, list_id: str, run_id: str) -> None:
    """Ask for a fan-out run's completion (on the segment queue, so it gets its own retries)."""
    url = _segment_queue()
    queues.send_batch(url, [FinalizeMessage(organizationId=org_id, listId=list_id, runId=run_id)])


# Search fan-out ---------------------------------------------------------------------------------


def send_search_segments(org_id: str, search_id: str, segments: int) -> int:
    """One message per scan segment of a search over the synchronous budget."""
    url = _segment_queue()
    messages = (
        SearchSegmentMessage(
            organizationId=org_id, searchId=search_id, segment=n, segments=segments
        )
        for n in range(segments)
    )
    return queues.send_batch(url, messages)


# Shared refresh passes --------------------------------------------------------------------------

# Runs a shared pass carries in each message (a few hundred bytes each: well within 256 KiB).
PASS_MAX_RUNS = 500


def send_shared_pass(requests: Iterable[tuple[str, str, str]]) -> int:
    """Queue one shared pass over (organization id, list id, run id) runs. Returns calls made."""
    url = queues.required(settings().refresh_queue_url, "REFRESH_QUEUE_URL")
    runs = [RunRef(organizationId=o, listId=li, runId=r) for o, li, r in requests]
    return queues.send_batch(url, [SharedPassMessage(runs=runs)]) if runs else 0


def send_pass_segments(runs: list[RunRef], segments: int) -> int:
    """One message per scan segment of a shared pass, each naming every run it serves."""
    url = _segment_queue()
    messages = (
        PassSegmentMessage(segment=n, segments=segments, runs=runs) for n in range(segments)
    )
    return queues.send_batch(url, messages)
