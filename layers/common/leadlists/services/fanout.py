"""Refresh at scale: a refresh beyond the synchronous budget fans out over scan segments.

    refresh request --coordinator--> run item + one message per segment
    segment message --worker--> run-member items + tenant-copy chunks + segment counted once
    copy chunk      --consumer--> tenant copies + chunk counted once
    whoever sees every segment and chunk counted --> "finalize" message
    finalize        --finalizer (one, by claim)--> streaming merge into the list's members,
                                                   counts, schedule, run items deleted

Every message may arrive twice or fail midway: work is idempotent (puts of the same items) and
counting is exactly-once (a done marker created in the same transaction as the increment). A
message that fails its last allowed attempt marks the run and the list failed before it goes
to the dead-letter queue, so a list never stays `running`.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Iterator
from itertools import islice
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from leadlists import queues
from leadlists.clock import now_iso
from leadlists.config import settings
from leadlists.delivery import Delivery
from leadlists.filters import Filter
from leadlists.repositories import catalog, keys, tenant_records
from leadlists.repositories import refresh_runs as runs
from leadlists.repositories import saved_lists as repo
from leadlists.services import refresh
from leadlists.status import RefreshStatus, RunState

logger = Logger()

# A finalizer that dies without releasing its claim blocks others this long: at least the
# segment function's timeout, and below its queue's visibility timeout, so a redelivery of
# its message (which comes only after the visibility timeout) can always take over.
FINALIZE_LEASE_SECONDS = 960
# Tenant-copy messages: at most this many persons and bytes of them (SQS allows 256 KiB).
COPY_CHUNK_PERSONS = 100
COPY_CHUNK_BYTES = 200 * 1024
# Members are added and removed in writes of this many ids (25 per BatchWriteItem call).
MERGE_FLUSH = 500


def segment_count(persons: int) -> int:
    """Segments grow with the catalog (one per `refresh_segment_size` persons), bounded."""
    config = settings()
    wanted = math.ceil(max(persons, 1) / config.refresh_segment_size)
    return max(1, min(wanted, config.refresh_max_segments))


# Delivery --------------------------------------------------------------------------------------


Work = Callable[[dict[str, Any], Delivery], None]


def consume(record: SQSRecord, work: Work) -> None:
    """Run one message; when its last allowed attempt fails, fail its run, then re-raise so the
    message is reported failed and the redrive policy moves it to the dead-letter queue."""
    message = record.json_body
    delivery = Delivery.of(record)
    try:
        work(message, delivery)
    except Exception as exc:
        if delivery.last_attempt:
            logger.exception(
                "Message failed its last attempt", extra={"messageId": delivery.message_id}
            )
            give_up(message, f"{message.get('type', 'refresh')} step failed: {type(exc).__name__}")
        raise


def give_up(message: dict[str, Any], reason: str) -> None:
    ids = _run_ids(message)
    if ids is None:
        return  # not even a run to blame: the DLQ keeps the message for inspection
    org, list_id, run_id = ids
    runs.mark_failed(org, list_id, run_id, reason)
    refresh.fail(org, list_id, run_id, reason)
    # Its results are useless now; later messages of the run find no run and do nothing (items
    # a worker already past that check writes afterwards expire by TTL).
    runs.delete(org, list_id, run_id)


def _run_ids(message: dict[str, Any]) -> tuple[str, str, str] | None:
    try:
        ids = (message["organizationId"], message["listId"], message["runId"])
    except (KeyError, TypeError):
        return None
    return ids if all(isinstance(i, str) and i for i in ids) else None


def handle_segment_queue(message: dict[str, Any], delivery: Delivery) -> None:
    """Segment queue: scan-segment messages and finalize messages."""
    kind = message.get("type")
    if kind == "segment":
        process_segment(message)
    elif kind == "finalize":
        finalize(message, delivery)
    else:
        raise ValueError(f"Unknown segment-queue message type {kind!r}")


def _require_ids(message: dict[str, Any]) -> tuple[str, str, str]:
    ids = _run_ids(message)
    if ids is None:
        raise ValueError("Message lacks organizationId/listId/runId")
    return ids


# Coordinator -----------------------------------------------------------------------------------


def start(record: dict[str, Any], run_id: str, persons: int) -> None:
    """Split a claimed run into segments (safe to repeat: the run item is created once)."""
    org, list_id = record["organizationId"], record["id"]
    run = runs.create(
        org,
        list_id,
        run_id,
        {
            "segmentsTotal": segment_count(persons),
            "usedFilter": record["usedFilter"],
            "maxContacts": record.get("maxContacts"),
            "createdAt": now_iso(),
        },
    )
    if run["state"] != RunState.COLLECTING:
        logger.info("Run already past collecting", extra={"listId": list_id, "runId": run_id})
        return
    total = int(run["segmentsTotal"])
    _report_progress(org, list_id, run_id, int(run["segmentsDone"]), total, first=True)
    queues.send_segments(org, list_id, run_id, total)
    logger.info("Refresh fanned out", extra={"listId": list_id, "runId": run_id, "n": total})


# Segment worker --------------------------------------------------------------------------------


def process_segment(message: dict[str, Any]) -> dict[str, int]:
    """Evaluate one scan segment and count it once. Returns what it did (for benchmarks)."""
    org, list_id, run_id = _require_ids(message)
    segment = int(message["segment"])
    run = runs.get(org, list_id, run_id)
    if run is None or run["state"] != RunState.COLLECTING:
        return {"matched": 0, "skipped": 1}  # finished, failed or superseded
    total = int(run["segmentsTotal"])
    if not 0 <= segment < total:
        raise ValueError(f"Segment {segment} outside 0..{total - 1}")
    matched_count = 0
    if not runs.segment_done(org, list_id, run_id, segment):
        flt = Filter.model_validate(run["usedFilter"])
        matched = sorted(catalog.matching_persons(flt, segment, total), key=lambda p: p["id"])
        matched_count = len(matched)
        runs.put_members(org, list_id, run_id, (p["id"] for p in matched))
        # Sorted, so a retried segment cuts the same chunks and their markers dedupe them.
        chunks = copy_chunks(matched)
        queues.send_copy_chunks(org, list_id, run_id, segment, chunks)
        outcome = runs.complete_segment(org, list_id, run_id, segment, len(matched), len(chunks))
        if outcome == "closed":
            return {"matched": matched_count, "skipped": 1}
    _after_count(org, list_id, run_id)
    return {"matched": matched_count, "skipped": 0}


def copy_chunks(persons: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Persons cut into message-sized chunks (count and bytes bounded)."""
    chunks: list[list[dict[str, Any]]] = []
    current: list[dict[str, Any]] = []
    size = 0
    for person in persons:
        length = len(json.dumps(person, separators=(",", ":")))
        if current and (len(current) == COPY_CHUNK_PERSONS or size + length > COPY_CHUNK_BYTES):
            chunks.append(current)
            current, size = [], 0
        current.append(person)
        size += length
    if current:
        chunks.append(current)
    return chunks


def _after_count(org: str, list_id: str, run_id: str, progress: bool = True) -> None:
    """After a segment or chunk is counted (or found counted by a redelivery, whose first
    attempt may have died right after counting): report progress; ask for finalization when
    everything is in. Two observers may both ask; the finalize claim lets one act."""
    run = runs.get(org, list_id, run_id)
    if run is None or run["state"] != RunState.COLLECTING:
        return
    if progress:
        done, total = int(run["segmentsDone"]), int(run["segmentsTotal"])
        _report_progress(org, list_id, run_id, done, total)
    if runs.is_complete(run):
        queues.send_finalize(org, list_id, run_id)


def _report_progress(
    org: str, list_id: str, run_id: str, done: int, total: int, first: bool = False
) -> None:
    """refreshProgress on the list, never moving backwards; each step renews the run's lease."""
    condition = "refreshRunId = :run AND refreshStatus = :running"
    if not first:
        condition += (
            " AND (attribute_not_exists(refreshProgress) OR refreshProgress.segmentsDone < :done)"
        )
    repo.update_fields(
        org,
        list_id,
        {
            "refreshProgress": {"segmentsDone": done, "segmentsTotal": total},
            "refreshStartedAt": now_iso(),
            "updatedAt": now_iso(),
        },
        condition=condition,
        condition_values={
            ":run": run_id,
            ":running": RefreshStatus.RUNNING,
            **({} if first else {":done": done}),
        },
    )


# Tenant-copy consumer --------------------------------------------------------------------------


def handle_copy(message: dict[str, Any], _: Delivery) -> None:
    """Write one chunk of tenant copies, then count the chunk once."""
    org, list_id, run_id = _require_ids(message)
    segment, chunk = int(message["segment"]), int(message["chunk"])
    persons = message["persons"]
    if not isinstance(persons, list):
        raise ValueError("persons must be a list")
    run = runs.get(org, list_id, run_id)
    if run is None or run["state"] != RunState.COLLECTING:
        return
    tenant_records.put_copies(org, keys.PERSON, persons)
    if runs.complete_copy_chunk(org, list_id, run_id, segment, chunk) != "closed":
        _after_count(org, list_id, run_id, progress=False)


# Finalizer -------------------------------------------------------------------------------------


def finalize(message: dict[str, Any], delivery: Delivery) -> None:
    org, list_id, run_id = _require_ids(message)
    run = runs.get(org, list_id, run_id)
    if run is None:
        return  # already completed and cleaned up
    if run["state"] == RunState.DONE:
        runs.delete(org, list_id, run_id)  # an earlier finalizer died while cleaning up
        return
    token = delivery.token
    claimed = runs.claim_finalization(
        org, list_id, run_id, token, int(time.time()), FINALIZE_LEASE_SECONDS
    )
    if claimed is None:
        logger.info("Finalize skipped", extra={"listId": list_id, "runId": run_id})
        return  # incomplete, failed, or another finalizer holds it
    try:
        _complete(org, list_id, run_id, claimed, token)
    except Exception:
        # Hand the run back so this message's retry can claim it at once.
        runs.release_finalization(org, list_id, run_id, token)
        raise


def _complete(org: str, list_id: str, run_id: str, run: dict[str, Any], token: str) -> None:
    record = repo.get(org, list_id)
    try:
        if record is None or not _owns(record, run_id):
            raise Superseded(list_id)
        contacts = merge_members(org, list_id, run_id, run.get("maxContacts"))
        if refresh.complete(record, run_id, contacts=contacts, matched=int(run["matched"])):
            logger.info("Refresh completed", extra={"listId": list_id, "runId": run_id})
    except Superseded:
        # A newer run (or a deletion) owns the list: this run's results no longer apply.
        logger.info("Run superseded", extra={"listId": list_id, "runId": run_id})
    if runs.mark_done(org, list_id, run_id, token):
        runs.delete(org, list_id, run_id)


def _owns(record: dict[str, Any] | None, run_id: str) -> bool:
    return (
        record is not None
        and record.get("refreshRunId") == run_id
        and record.get("refreshStatus") == RefreshStatus.RUNNING
    )


class Superseded(Exception):
    """The list stopped belonging to the run being finalized."""


def merge_members(org: str, list_id: str, run_id: str, cap: int | None) -> int:
    """Make the list's members exactly the run's first `cap` matches (by id), streaming both
    sorted id sequences: memory holds a page and a flush, whatever the list's size.

    Safe while paging: every add is below the member query's cursor (it sorts before a member
    already read), and every remove is a member already read. Returns the member count."""
    wanted: Iterator[str] = runs.member_ids(org, list_id, run_id)
    if cap:
        wanted = islice(wanted, cap)
    adds: list[str] = []
    removes: list[str] = []
    members = 0
    for person_id, change in diff_sorted(wanted, repo.sorted_member_ids(org, list_id)):
        if change >= 0:
            members += 1
        if change > 0:
            adds.append(person_id)
        elif change < 0:
            removes.append(person_id)
        if len(adds) + len(removes) >= MERGE_FLUSH:
            _flush(org, list_id, run_id, adds, removes)
            adds, removes = [], []
    if adds or removes:
        _flush(org, list_id, run_id, adds, removes)
    return members


def _flush(org: str, list_id: str, run_id: str, adds: list[str], removes: list[str]) -> None:
    # A run superseded mid-merge (new filter, deletion) stops touching members at once.
    if not _owns(repo.get(org, list_id), run_id):
        raise Superseded(list_id)
    repo.write_members(org, list_id, add=adds, remove=removes)


def diff_sorted(wanted: Iterator[str], current: Iterator[str]) -> Iterator[tuple[str, int]]:
    """Merge two ascending id streams: (id, +1) to add, (id, -1) to remove, (id, 0) to keep."""
    want, have = next(wanted, None), next(current, None)
    while want is not None or have is not None:
        if have is None or (want is not None and want < have):
            yield want, 1  # type: ignore[misc]
            want = next(wanted, None)
        elif want is None or have < want:
            yield have, -1
            have = next(current, None)
        else:
            yield want, 0
            want, have = next(wanted, None), next(current, None)
