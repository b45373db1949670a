"""Saving a saved list: create one, or update it (queueing its computation on a new filter)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from aws_lambda_powertools import Logger
from botocore.exceptions import BotoCoreError, ClientError

from leadlists import refresh_queues
from leadlists.auth import Caller
from leadlists.clock import new_id, now_iso
from leadlists.errors import Conflict, NotFound, Unavailable
from leadlists.models.saved_list_requests import SaveListRequest
from leadlists.models.saved_lists import SavedList
from leadlists.models.stored import SavedListRecord
from leadlists.repositories import filter_index
from leadlists.repositories import saved_lists as repo
from leadlists.services.saved_lists import require_change_right, to_model
from leadlists.status import RefreshStatus

logger = Logger()


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
    require_change_right(caller, current)
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
        refresh_queues.send_refresh_request(
            record["organizationId"], record["id"], record["refreshRunId"]
        )
    except (BotoCoreError, ClientError):
        logger.exception("Refresh not queued; undoing the save", extra={"listId": record["id"]})
        undo()
        raise Unavailable("The list's computation could not be queued; nothing was saved") from None


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
