"""Saved lists: reading them (the object every saved-list route answers), and who may change
them. Saving, deleting and paging members live beside it (`saved_list_save`, `saved_list_delete`,
`saved_list_contacts`): each route imports only what it uses."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from leadlists.auth import Caller
from leadlists.errors import Forbidden, NotFound
from leadlists.models.common import DEFAULT_PAGE, parse_uuid
from leadlists.models.saved_lists import SavedList
from leadlists.models.stored import SavedListRecord
from leadlists.repositories import saved_lists as repo
from leadlists.status import RefreshStatus


def to_model(record: SavedListRecord) -> SavedList:
    data: dict[str, Any] = dict(record)
    data["refreshProgress"] = progress_view(record)
    return SavedList.model_validate(data)


def progress_view(record: SavedListRecord) -> dict[str, Any] | None:
    """`refreshProgress` while a refresh is queued or running (a queued one has matched nothing
    yet, its totals unknown); None otherwise."""
    if record.get("refreshStatus") not in (RefreshStatus.QUEUED, RefreshStatus.RUNNING):
        return None
    stored = record.get("refreshProgress") or {}
    done, total = stored.get("segmentsDone", 0), stored.get("segmentsTotal")
    copies_total = stored.get("copiesTotal", 0) if total is not None and done >= total else None
    return {
        "phase": stored.get("phase", "matching"),
        "matching": {"done": done, "total": total},
        "copying": {"done": stored.get("copiesDone", 0), "total": copies_total},
        "finalizing": {"done": 0, "total": 1},
        "segmentsDone": done,
        "segmentsTotal": total,
    }


def require_change_right(caller: Caller, record: SavedListRecord) -> None:
    """Only the list's creator and admins update or delete it (a lead list's rule); any member
    reads, pages, refreshes and exports it. A list saved before creators were recorded is the
    admins' alone."""
    if not caller.is_admin and record.get("createdBy") != caller.user_id:
        raise Forbidden("Only the list's creator or an admin may change or delete it")


def names_own_org(caller: Caller, key: str) -> bool:
    """Whether `GET /lists/{key}` names the caller's organization (a listing, not one list). The
    path segment arrives still percent-encoded: an id with `#`, `/` or non-ASCII characters
    matches only once decoded."""
    return unquote(key) == caller.org_id


def get(caller: Caller, key: str) -> SavedList:
    """GET /lists/{key} when the key is not the caller's organization: a key that is no list id
    names another (or no) organization, which is a 404 like an unknown list, never a 400."""
    if parse_uuid(key) != key:
        raise NotFound("List not found")
    return to_model(repo.require(caller.org_id, key))


def page(
    caller: Caller, limit: int | None, token: str | None
) -> tuple[list[SavedList], str | None]:
    records, next_token = repo.page(caller.org_id, limit or DEFAULT_PAGE, token)
    return [to_model(r) for r in records], next_token
