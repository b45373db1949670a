"""The finalizer's merge: a run's matches become the list's members, streamed in id order."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice
from typing import NamedTuple

from leadlists.models.stored import SavedListRecord
from leadlists.repositories import refresh_runs as runs
from leadlists.repositories import saved_lists as repo
from leadlists.status import RefreshStatus

# Members are added and removed in writes of this many ids (25 per BatchWriteItem call).
MERGE_FLUSH = 500


class Superseded(Exception):
    """The list stopped belonging to the run being finalized."""


def owns(record: SavedListRecord | None, run_id: str) -> bool:
    """Whether the list (if any) is still being refreshed by this run."""
    return (
        record is not None
        and record.get("refreshRunId") == run_id
        and record.get("refreshStatus") == RefreshStatus.RUNNING
    )


class Merged(NamedTuple):
    members: int
    added: int
    removed: int


def merge_members(org: str, list_id: str, run_id: str, cap: int | None) -> Merged:
    """Make the list's members exactly the run's first `cap` matches (by id), streaming both
    sorted id sequences: memory holds a page and a flush, whatever the list's size.

    Safe while paging: every add is below the member query's cursor (it sorts before a member
    already read), and every remove is a member already read. Returns the member count and the
    members added and removed."""
    wanted: Iterator[str] = runs.member_ids(org, list_id, run_id)
    if cap:
        wanted = islice(wanted, cap)
    adds: list[str] = []
    removes: list[str] = []
    members = added = removed = 0
    for person_id, change in diff_sorted(wanted, repo.sorted_member_ids(org, list_id)):
        if change >= 0:
            members += 1
        if change > 0:
            adds.append(person_id)
            added += 1
        elif change < 0:
            removes.append(person_id)
            removed += 1
        if len(adds) + len(removes) >= MERGE_FLUSH:
            _flush(org, list_id, run_id, adds, removes)
            adds, removes = [], []
    if adds or removes:
        _flush(org, list_id, run_id, adds, removes)
    return Merged(members, added, removed)


def _flush(org: str, list_id: str, run_id: str, adds: list[str], removes: list[str]) -> None:
    # A run superseded mid-merge (new filter, deletion) stops touching members at once: every
    # write is conditional on the list still naming this run.
    if not repo.write_members_owned(org, list_id, run_id, add=adds, remove=removes):
        raise Superseded(list_id)


def diff_sorted(wanted: Iterator[str], current: Iterator[str]) -> Iterator[tuple[str, int]]:
    """Merge two ascending id streams: (id, +1) to add, (id, -1) to remove, (id, 0) to keep."""
    want, have = next(wanted, None), next(current, None)
    while want is not None or have is not None:
        if have is None or (want is not None and want < have):
            yield want, 1  # type: ignore[misc]  # not None: have is None only if want is not
            want = next(wanted, None)
        elif want is None or have < want:
            yield have, -1
            have = next(current, None)
        else:
            yield want, 0
            want, have = next(wanted, None), next(current, None)
