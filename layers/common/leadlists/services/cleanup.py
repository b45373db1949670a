"""Background cleanup of deleted lists (cleanup queue).

A DELETE removes only the list item (and a saved list's name claim), so the request costs the same
whatever the list's size; it then queues one `DeleteListMessage`. The consumer removes, page by
page: the member items (first checking, per member, whether its tenant copy is still used), a
saved list's refresh-run partitions, and its export files.

A tenant copy is deleted only when no *live* list holds it: ByMember lists the member items that
name the copy, and a holder counts only if its list item still exists (so two lists deleted
together do not keep each other's copies). Since the index is eventually consistent and an add
writes the copy before its member item, the delete is also conditional on the copy not having been
(re)written during the last GRACE_SECONDS; the message is delayed by as much, so the deleted list's
own recent copies are past their grace when it runs.

Every step is idempotent: a redelivered message finds fewer items and changes nothing more. When
the work budget runs short, the same message is sent again as a continuation and this one ends.
"""

from __future__ import annotations

import time

from aws_lambda_powertools import Logger

from leadlists import queues
from leadlists.deadline import Deadline, OutOfTime
from leadlists.models.cleanup_message import DeleteListMessage
from leadlists.models.message_base import Delivery, ListKind
from leadlists.repositories import cleanup as repo
from leadlists.repositories import keys, tenant_records

logger = Logger()

GRACE_SECONDS = 300
# Work per message: well inside CleanupFunction's 300 s Timeout, leaving the deadline's reserve.
BUDGET_SECONDS = 240
# A member page costs at most ~3 calls per member (holders, list check, copy delete) + 20 writes.
_PAGE_MS = 30_000


def schedule(org_id: str, list_id: str, list_kind: ListKind, run_ids: list[str | None]) -> None:
    """Queue the cleanup of a list whose item this request just deleted (one SQS call)."""
    message = DeleteListMessage(
        organizationId=org_id,
        listId=list_id,
        listKind=list_kind,
        runIds=[r for r in run_ids if r],
    )
    queues.send_cleanup(message, delay_seconds=GRACE_SECONDS)


def _budget() -> Deadline:
    ends = time.monotonic() + BUDGET_SECONDS
    return Deadline(lambda: int((ends - time.monotonic()) * 1000))


def run(message: DeleteListMessage, delivery: Delivery) -> None:
    """One pass of the cleanup; a continuation is queued when the budget runs out first."""
    org, list_id, kind = message.organizationId, message.listId, message.listKind
    partition = keys.list_partition(kind, org, list_id)
    if repo.item_exists({keys.PK: partition, keys.SK: keys.META}):
        # Never clean a live list (the message must come from its deletion).
        logger.warning("Cleanup of a list that exists; ignored", extra={"listId": list_id})
        return
    deadline = _budget()
    try:
        _members(org, kind, partition, deadline)
        for run_id in message.runIds:
            _partition(keys.refresh_run(org, list_id, run_id)[keys.PK], deadline)
        if kind == keys.SAVED:
            while repo.delete_export_page(org, list_id):
                deadline.check()
    except OutOfTime:
        logger.info("Cleanup continues in a new message", extra={"listId": list_id})
        queues.send_cleanup(message)
        return
    logger.info("List cleaned up", extra={"listId": list_id, "messageId": delivery.message_id})


def give_up(message: DeleteListMessage, reason: str) -> None:
    """Nothing a client sees is left to mark (the list is gone); the DLQ keeps the message and
    its alarm fires, and a redrive of it resumes the cleanup where it stopped."""
    logger.error(
        "Cleanup of a deleted list gave up",
        extra={"organizationId": message.organizationId, "listId": message.listId,
               "listKind": message.listKind, "reason": reason},
    )  # fmt: skip


def _members(org: str, kind: str, partition: str, deadline: Deadline) -> None:
    """Each page: release the copies no other live list holds, then delete the member items
    (in that order, so a retry after a crash still sees the members whose copies it checks)."""
    alive: dict[str, bool] = {}
    written_before = tenant_records.now_ms() - GRACE_SECONDS * 1000
    while page := [i for i in repo.partition_page(partition) if i[keys.SK] != keys.META]:
        by_kind: dict[str, list[str]] = {}
        for item in page:
            record_kind, record_id = keys.member_record(kind, item[keys.SK])
            by_kind.setdefault(record_kind, []).append(record_id)
        for record_kind, ids in by_kind.items():
            # Only copies that exist and are past their grace are worth the holder check.
            stamps = tenant_records.copy_stamps(org, record_kind, ids)
            for record_id, stamp in stamps.items():
                if stamp is None or stamp >= written_before:
                    continue
                if not _held(org, record_kind, record_id, partition, alive):
                    tenant_records.delete_if_stale(org, record_kind, record_id, written_before)
        repo.delete_items(page)
        deadline.check(_PAGE_MS)  # after a page: every message makes progress


def _held(org: str, kind: str, record_id: str, deleted: str, alive: dict[str, bool]) -> bool:
    """Whether a live list other than the deleted one still holds the record (`alive` caches
    which list partitions still have their list item)."""
    for holder in repo.holder_partitions(org, kind, record_id):
        if holder == deleted:
            continue
        if holder not in alive:
            alive[holder] = repo.item_exists({keys.PK: holder, keys.SK: keys.META})
        if alive[holder]:
            return True
    return False


def _partition(partition: str, deadline: Deadline) -> None:
    """Delete every item of a partition (a refresh run's), a page at a time."""
    while page := repo.partition_page(partition):
        repo.delete_items(page)
        deadline.check(_PAGE_MS)
