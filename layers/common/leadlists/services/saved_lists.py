"""Saved lists: create, update, read, page, delete, and page members."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast
from urllib.parse import unquote

from aws_lambda_powertools import Logger
from botocore.exceptions import BotoCoreError, ClientError

from leadlists import queues
from leadlists.auth import Caller
from leadlists.clock import new_id, now_iso
from leadlists.errors import Conflict, Forbidden, NotFound, Unavailable
from leadlists.models.common import DEFAULT_PAGE, parse_uuid
from leadlists.models.saved_lists import Contact, ContactPage, SavedList, SaveListRequest
from leadlists.models.stored import SavedListRecord
from leadlists.repositories import filter_index, keys, tenant_records
from leadlists.repositories import saved_lists as repo
from leadlists.services import cleanup, webhook_events
from leadlists.status import RefreshStatus

logger = Logger()


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


def save(caller: Caller, request: SaveListRequest) -> SavedList:
    """Create a list, or update the one named by `id`; queue its computation on a new filter."""
    caller.require_own_org(request.organizationId)
    used_filter = request.filter.used()
    timestamp = now_iso()
    if request.id is None:
        record = _new_record(caller, request, used_filter, timestamp)
        repo.create(record)

        def undo() -> None:
            repo.delete(caller.org_id, record["id"], record["name"])
            filter_index.sync(record, None)

        filter_index.sync(None, record)
        _queue_refresh(record, undo)
        return to_model(record)

    current = repo.get(caller.org_id, request.id)
    if current is None:
        raise NotFound("List not found")
    _require_change_right(caller, current)
    if request.version is not None and request.version != current["version"]:
        raise Conflict(f"Stale version {request.version}; the list is at {current['version']}")
    record = _updated_record(current, request, used_filter, timestamp)
    filter_changed = used_filter != current["usedFilter"] or (
        request.maxContacts != current.get("maxContacts")
    )
    if filter_changed:
        # A new run id supersedes any run in flight: its results no longer apply.
        record["refreshStatus"] = RefreshStatus.QUEUED
        record["refreshRunId"] = new_id()
    repo.replace(record, expected_version=current["version"], old_name=current["name"])
    filter_index.sync(current, record)
    if filter_changed:

        def undo() -> None:
            repo.replace(current, record["version"], old_name=record["name"])
            filter_index.sync(record, current)

        _queue_refresh(record, undo)
    return to_model(record)


def _queue_refresh(record: SavedListRecord, undo: Callable[[], object]) -> None:
    """Queue the list's computation. When the queue cannot take it, the write is undone (else
    the list would wait `queued` for a run nobody starts) and the client gets a 503: the same
    request again, Idempotency-Key included, works."""
    try:
        queues.send_refresh_request(record["organizationId"], record["id"], record["refreshRunId"])
    except (BotoCoreError, ClientError):
        logger.exception("Refresh not queued; undoing the save", extra={"listId": record["id"]})
        undo()
        raise Unavailable("The list's computation could not be queued; nothing was saved") from None


def _require_change_right(caller: Caller, record: SavedListRecord) -> None:
    """Only the list's creator and admins update or delete it (a lead list's rule); any member
    reads, pages, refreshes and exports it. A list saved before creators were recorded is the
    admins' alone."""
    if not caller.is_admin and record.get("createdBy") != caller.user_id:
        raise Forbidden("Only the list's creator or an admin may change or delete it")


def _new_record(
    caller: Caller, request: SaveListRequest, used_filter: dict[str, Any], timestamp: str
) -> SavedListRecord:
    return {
        "id": new_id(),
        "name": request.listName,
        "organizationId": caller.org_id,
        "usedFilter": used_filter,
        "contactsNum": request.contacts_found,
        "matchedContactsNum": None,
        "autoUpdateStatus": "enabled" if request.autoUpdate else "disabled",
        "lastSyncedTime": None,
        "connectedIntegration": _integration(request),
        "maxContacts": request.maxContacts,
        "nextRefreshAt": timestamp if request.autoUpdate else None,
        "createdAt": timestamp,
        "updatedAt": timestamp,
        "version": 1,
        "createdBy": caller.user_id,
        "refreshStatus": RefreshStatus.QUEUED,
        "refreshRunId": new_id(),
    }


def _updated_record(
    current: SavedListRecord, request: SaveListRequest, used_filter: dict[str, Any], timestamp: str
) -> SavedListRecord:
    record = current.copy()
    auto = current["autoUpdateStatus"] == "enabled"
    if request.autoUpdate is not None:
        auto = request.autoUpdate
    record.update(
        {
            "name": request.listName,
            "usedFilter": used_filter,
            "autoUpdateStatus": "enabled" if auto else "disabled",
            "maxContacts": request.maxContacts,
            "connectedIntegration": _integration(request) or current.get("connectedIntegration"),
            "nextRefreshAt": (current.get("nextRefreshAt") or timestamp) if auto else None,
            "updatedAt": timestamp,
            "version": current["version"] + 1,
        }
    )
    if current.get("lastSyncedTime") is None:
        record["contactsNum"] = request.contacts_found
    # Only optional fields can be None, so dropping them keeps a SavedListRecord.
    return cast(SavedListRecord, {k: v for k, v in record.items() if v is not None})


def _integration(request: SaveListRequest) -> dict[str, str] | None:
    integration = request.connectedIntegration
    return integration.model_dump() if integration else None


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


def delete(caller: Caller, list_id: str) -> None:
    """Remove the list and its name claim (gone for every reader at once); its members, unused
    copies, runs and exports go in the background. A constant number of calls at any size."""
    record = repo.require(caller.org_id, list_id)
    _require_change_right(caller, record)
    if not repo.delete(caller.org_id, list_id, record["name"]):
        raise NotFound("List not found")
    filter_index.sync(record, None)
    cleanup.schedule(caller.org_id, list_id, keys.SAVED, [record.get("refreshRunId")])
    webhook_events.publish(
        caller.org_id, "list.deleted", {"listId": list_id, "name": record["name"]}
    )


def contacts(caller: Caller, list_id: str, limit: int | None, token: str | None) -> ContactPage:
    repo.require(caller.org_id, list_id)
    ids, next_token = repo.member_page(caller.org_id, list_id, limit or DEFAULT_PAGE, token)
    copies = tenant_records.get_copies(caller.org_id, keys.PERSON, ids)
    people = [Contact.model_validate(copies[i]) for i in ids if i in copies]
    return ContactPage(contacts=people, nextToken=next_token)
