"""Live lists: a changed catalog person joins or leaves exactly the auto-updated lists whose
answer changed, without a refresh.

    stream record --> is it newer than the person's applied mark? (duplicates, late records: no)
                 --> index buckets of its old and new values --> the lists filed there
                 --> old and new answer of each list's filter --> join / leave where they differ
                 --> tenant copies of the organizations it matches --> applied mark

A list owned by a refresh run (queued or running) is not touched: the change is recorded in the
run, and the run re-checks those persons against the catalog when it ends (`after_run`), so the
list ends as a refresh started after the change would leave it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools import Logger

from leadlists.clock import now_iso
from leadlists.filters.evaluate import matches
from leadlists.filters.model import Filter
from leadlists.filters.requirements import filter_buckets, person_buckets
from leadlists.models.stored import SavedListRecord
from leadlists.repositories import (
    catalog,
    filter_index,
    keys,
    live_filters,
    live_members,
    tenant_records,
)
from leadlists.repositories import saved_lists as repo
from leadlists.repositories.live_filters import Entry
from leadlists.status import RefreshStatus

logger = Logger()

# A list whose state moves under a change this many times in a row fails the record (retried).
ATTEMPTS = 4
OWNED = (RefreshStatus.QUEUED, RefreshStatus.RUNNING)


@dataclass(frozen=True)
class Change:
    """One catalog person's change as the stream carries it (None image: absent before/after)."""

    person_id: str
    sequence: str
    old: Mapping[str, Any] | None
    new: Mapping[str, Any] | None


@dataclass
class Work:
    """What applying one change cost (benchmarks and tests read it)."""

    skipped: bool = False
    queries: int = 0  # index buckets read
    candidates: int = 0  # index entries read
    evaluations: int = 0  # filter evaluations (old and new image)
    changed: int = 0  # lists whose answer changed


Lookup = Callable[[str], Iterable[Entry]]


def apply(change: Change, lookup: Lookup = live_filters.entries) -> Work:
    """Apply one change to every auto-updated list; safe to repeat. `lookup` reads a bucket's
    entries (a batch of records shares one cache of them)."""
    work = Work()
    if not filter_index.is_new(change.person_id, change.sequence):
        work.skipped = True
        return work
    images = (change.old, change.new)
    buckets = person_buckets(images)
    work.queries = len(buckets)
    seen: set[str] = set()
    flips: list[tuple[Entry, bool]] = []
    copy_orgs: set[str] = set()
    for bucket in buckets:
        for entry in lookup(bucket):
            work.candidates += 1
            if entry.list_id in seen:
                continue
            seen.add(entry.list_id)
            was, now = (img is not None and matches(entry.filter, img) for img in images)
            work.evaluations += 2
            if now:
                copy_orgs.add(entry.organization_id)
            if was != now:
                flips.append((entry, now))
    work.changed = len(flips)
    if change.new is not None and (change.new != change.old):
        for org in sorted(copy_orgs):
            tenant_records.put_copies(org, keys.PERSON, [change.new])
    stamp = now_iso()
    for entry, wanted in flips:
        set_membership(entry, change.person_id, wanted, stamp)
    filter_index.mark_applied(change.person_id, change.sequence)
    return work


def set_membership(entry: Entry, person_id: str, wanted: bool, stamp: str) -> str:
    """Make one person a member of one list or not (its answer changed to `wanted`)."""
    org, list_id, cap = entry.organization_id, entry.list_id, entry.max_contacts
    for _ in range(ATTEMPTS):
        if wanted:
            outcome = live_members.add(org, list_id, person_id, cap, stamp)
        else:
            outcome = live_members.remove(org, list_id, person_id, stamp)
        if outcome != "blocked":
            if cap and not wanted:
                _after_capped_removal(org, list_id, outcome, stamp)
            return outcome
        record = repo.get(org, list_id)
        if record is None or record.get("autoUpdateStatus") != "enabled":
            filter_index.drop(list_id, filter_buckets(entry.filter.used()))  # a stale entry
            return "gone"
        if record.get("refreshStatus") in OWNED:
            if live_members.record_change(org, list_id, record["refreshRunId"], person_id):
                return "deferred"
            continue  # the run ended meanwhile: the list takes the change itself now
        if not record.get("lastSyncedTime"):
            return "not computed"
        if wanted and cap and record["contactsNum"] >= cap:
            beyond = _beyond_cap(org, list_id, person_id, cap, stamp)
            if beyond != "blocked":
                return beyond
    raise RuntimeError(f"List {list_id} kept changing under a live change; retrying the record")


def _beyond_cap(org: str, list_id: str, person_id: str, cap: int, stamp: str) -> str:
    """A new match of a full capped list: it takes the last member's place when it sorts before
    it (a list keeps the first `cap` matches by id), else it only counts as matched."""
    last = live_members.last_member(org, list_id)
    if last is not None and person_id < last:
        return live_members.displace(org, list_id, person_id, last, cap, stamp)
    return "applied" if live_members.count_match(org, list_id, 1, stamp) else "blocked"


def _after_capped_removal(org: str, list_id: str, outcome: str, stamp: str) -> None:
    """A capped list losing a match: one beyond the cap only counts; a member leaving opens a
    place that the next match by id fills, which only a full pass knows: due now."""
    if outcome == "unchanged":
        live_members.count_match(org, list_id, -1, stamp)
        return
    record = repo.get(org, list_id)
    if record is not None and (record.get("matchedContactsNum") or 0) > record["contactsNum"]:
        _due_now(record)


def _due_now(record: SavedListRecord) -> None:
    """Let the next scheduled cycle refresh the list."""
    stamp = now_iso()
    due_set, due_remove = repo.schedule_fields({**record, "nextRefreshAt": stamp})
    repo.update_fields(
        record["organizationId"],
        record["id"],
        {"nextRefreshAt": stamp, **due_set},
        remove=due_remove,
    )


def after_run(record: SavedListRecord, run_id: str) -> int:
    """A run that owned the list ended: re-check the persons whose changes it kept against the
    catalog as it is now. Returns how many were re-checked. Never fails the run that ended: if
    the re-check fails, the list is left due for a full refresh instead."""
    try:
        return _recheck(record, run_id)
    except Exception:
        logger.exception("Re-check after the run failed", extra={"listId": record["id"]})
        _due_now(record)
        return 0


def after_failed_run(record: SavedListRecord, run_id: str) -> None:
    """A run that owned the list failed: if changes came meanwhile, the next scheduled cycle
    refreshes the list (its members are the last completed run's, changed since)."""
    org, list_id = record["organizationId"], record["id"]
    if next(live_members.changed_persons(org, list_id, run_id), None) is not None:
        _due_now(record)


def _recheck(record: SavedListRecord, run_id: str) -> int:
    org, list_id = record["organizationId"], record["id"]
    persons = list(live_members.changed_persons(org, list_id, run_id))
    if not persons:
        return 0
    if record.get("maxContacts"):
        _due_now(record)  # who fills a capped list depends on every match: a full pass decides
        return len(persons)
    flt = Filter.model_validate(record["usedFilter"])
    found = catalog.get_records(keys.PERSON, persons)
    matching = {p for p, person in found.items() if matches(flt, person)}
    tenant_records.put_copies(org, keys.PERSON, [found[p] for p in sorted(matching)])
    entry = Entry(org, list_id, flt, None)
    stamp = now_iso()
    for person_id in persons:
        set_membership(entry, person_id, person_id in matching, stamp)
    logger.info("Changes during the run re-checked", extra={"listId": list_id, "n": len(persons)})
    return len(persons)
