"""Recomputing a saved list: match the catalog, materialize members and tenant copies, count."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from aws_lambda_powertools import Logger

from leadlists.clock import iso, now, now_iso
from leadlists.config import settings
from leadlists.deadline import Deadline, OutOfTime
from leadlists.filters.model import Filter
from leadlists.models.stored import SavedListRecord
from leadlists.repositories import catalog_scans, dynamo, keys, tenant_records
from leadlists.repositories import saved_lists as repo
from leadlists.services import live_changes, webhook_events
from leadlists.status import RefreshStatus

logger = Logger()

AUTO_REFRESH_EVERY = timedelta(hours=24)
# An auto-updated list whose run failed is tried again after 30 min, then 1 h, 2 h, ... at most
# AUTO_REFRESH_EVERY: a list that keeps failing is not queued again every scheduler cycle.
FAILURE_BACKOFF = timedelta(minutes=30)
# What `refreshError` says of a failure whose cause is ours: never an exception's name.
INTERNAL_FAILURE = "an internal error stopped it"
SCAN_THREADS = 4
# Inline runs check their deadline every this many matches of a scan segment.
DEADLINE_EVERY = 200
# A cautious time for one BatchWriteItem call of 25 items, to judge whether writes still fit.
WRITE_CALL_MS = 40


def sync_budget() -> int:
    """The most catalog persons a refresh computes inline; beyond it, it fans out."""
    return settings().sync_refresh_max_persons


def _matching(flt: Filter, deadline: Deadline | None) -> list[dict[str, Any]]:
    def segment(seg: int) -> list[dict[str, Any]]:
        found = []
        for n, person in enumerate(catalog_scans.matching_persons(flt, seg, SCAN_THREADS)):
            if deadline and n % DEADLINE_EVERY == 0:
                deadline.check()
            found.append(person)
        return found

    if deadline:
        deadline.check()
    with ThreadPoolExecutor(SCAN_THREADS) as pool:
        matched = [p for part in pool.map(segment, range(SCAN_THREADS)) for p in part]
    return sorted(matched, key=lambda p: p["id"])


def _write_ms(writes: int) -> float:
    """A cautious estimate of the time `writes` item writes take in BatchWriteItem calls."""
    return -(-writes // dynamo.BATCH_WRITE_MAX) * WRITE_CALL_MS


def compute(
    record: SavedListRecord,
    run_id: str,
    fail_on_error: bool = True,
    deadline: Deadline | None = None,
    matched: list[dict[str, Any]] | None = None,
) -> SavedListRecord:
    """Run a claimed refresh to completion; on failure the list ends `failed`, never `running`.

    A queue consumer passes `fail_on_error=False` on attempts that SQS will retry: the retry
    takes the run over, and only the last attempt's failure marks the list failed. With a
    `deadline` (an inline run), OutOfTime is raised before the work would outlive it. A shared
    pass hands in its `matched` persons (in id order), read with every other due list's."""
    org, list_id = record["organizationId"], record["id"]
    try:
        if matched is None:
            matched = _matching(Filter.model_validate(record["usedFilter"]), deadline)
        cap = record.get("maxContacts")
        selected = matched[:cap] if cap else matched
        selected_ids = {p["id"] for p in selected}
        existing = repo.member_ids(org, list_id)
        adds, removes = sorted(selected_ids - existing), sorted(existing - selected_ids)
        if deadline:
            deadline.check(_write_ms(len(selected) + len(adds) + len(removes)))
        tenant_records.put_copies(org, keys.PERSON, selected)
        owned = repo.write_members_owned(org, list_id, run_id, add=adds, remove=removes)
        counts = (len(selected), len(matched), len(adds), len(removes))
        done = complete(record, run_id, *counts) if owned else None
    except OutOfTime:
        raise
    except Exception:
        logger.exception("Refresh failed", extra={"listId": list_id, "runId": run_id})
        if fail_on_error:
            fail(org, list_id, run_id, INTERNAL_FAILURE)
        raise
    if done is None:
        # Superseded (filter changed) or deleted meanwhile: the newer run owns the list.
        logger.info("Refresh superseded", extra={"listId": list_id, "runId": run_id})
        return repo.require(org, list_id)  # 404 when it was deleted meanwhile
    return done


def complete(
    record: SavedListRecord,
    run_id: str,
    contacts: int,
    matched: int,
    added: int = 0,
    removed: int = 0,
) -> SavedListRecord | None:
    """Record a finished run's counts (members `added` and `removed` go to webhooks) and move
    the list's next scheduled refresh forward; None when another run superseded this one (or
    the list is gone)."""
    finished = now()
    fields = {
        "contactsNum": contacts,
        "matchedContactsNum": matched,
        "lastSyncedTime": iso(finished),
        "refreshStatus": RefreshStatus.IDLE,
    }
    next_at = iso(finished + AUTO_REFRESH_EVERY)
    completed = _finish(
        record, run_id, fields, lambda _: next_at, ("refreshError", "refreshFailures")
    )
    if completed is not None:  # a superseded run publishes nothing
        from leadlists import metrics

        metrics.refresh_completed(record, contacts, finished)
        live_changes.after_run(completed, run_id)
    webhook_events.refreshed(completed, added, removed)
    return completed


def failure_text(cause: str) -> str:
    """The `refreshError` a user reads: what happened and what to do, no internals."""
    return f"The refresh could not be completed: {cause}. Refresh the list to try again."


def fail(
    org_id: str, list_id: str, run_id: str, cause: str, idle_since: str | None = None
) -> SavedListRecord | None:
    """Mark the run's list failed (never a run that already completed, nor a newer run's list)
    and back its schedule off; None when the run no longer owns the list. With `idle_since`
    (the sweep), only while the run has shown no life since then (its lease not renewed).
    Only the call whose conditional write wins publishes `list.refresh_failed`."""
    current = repo.get(org_id, list_id)
    if current is None:
        return None
    failures = int(current.get("refreshFailures") or 0) + 1

    def next_at(now_record: SavedListRecord) -> str:
        backoff = min(FAILURE_BACKOFF * 2 ** min(failures - 1, 16), AUTO_REFRESH_EVERY)
        later = iso(now() + backoff)
        return max(later, now_record.get("nextRefreshAt") or later)

    fields = {
        "refreshStatus": RefreshStatus.FAILED,
        "refreshError": failure_text(cause),
        "refreshFailures": failures,
    }
    still = ("", {}) if idle_since is None else _idle_since(idle_since)
    failed = _finish(current, run_id, fields, next_at, (), still)
    webhook_events.refresh_failed(failed)
    if failed is not None:
        live_changes.after_failed_run(failed, run_id)
    return failed


def _idle_since(moment: str) -> tuple[str, dict[str, Any]]:
    """The run's lease began before `moment` (a save queues without one: its time stands)."""
    condition = (
        "(refreshStartedAt < :idle OR (attribute_not_exists(refreshStartedAt)"
        " AND updatedAt < :idle))"
    )
    return f" AND {condition}", {":idle": moment}


# A finish retried this many times while saves keep changing the list's auto-update meanwhile.
_FINISH_TRIES = 5


def _finish(
    record: SavedListRecord,
    run_id: str,
    fields: dict[str, Any],
    next_at: Callable[[SavedListRecord], str],
    remove: tuple[str, ...],
    extra: tuple[str, dict[str, Any]] = ("", {}),
) -> SavedListRecord | None:
    """End a queued or running run with `fields` (and `extra`'s condition), scheduling the
    next refresh as the list is now: auto-update turned on or off during the run is honoured
    (the write is conditional on the auto-update it read, and read again when a save changed
    it)."""
    org, list_id = record["organizationId"], record["id"]
    for _ in range(_FINISH_TRIES):
        current = repo.get(org, list_id)
        if current is None or current.get("refreshRunId") != run_id:
            return None
        if current.get("refreshStatus") not in (RefreshStatus.QUEUED, RefreshStatus.RUNNING):
            return None  # already completed or failed: never overwritten
        auto = current["autoUpdateStatus"]
        schedule = {**current, "nextRefreshAt": next_at(current) if auto == "enabled" else None}
        due_set, due_remove = repo.schedule_fields(schedule)
        nexts = {"nextRefreshAt": schedule["nextRefreshAt"]} if schedule["nextRefreshAt"] else {}
        done = repo.update_fields(
            org,
            list_id,
            {**fields, "updatedAt": now_iso(), **nexts, **due_set},
            condition="refreshRunId = :run AND refreshStatus IN (:queued, :running)"
            " AND autoUpdateStatus = :auto" + extra[0],
            condition_values={
                ":run": run_id,
                ":queued": RefreshStatus.QUEUED,
                ":running": RefreshStatus.RUNNING,
                ":auto": auto,
                **extra[1],
            },
            remove=(
                *remove,
                "refreshProgress",
                *due_remove,
                *(() if nexts else ("nextRefreshAt",)),
            ),
        )
        if done is not None:
            return done
    return None
