"""Saved lists: create, update, read, page, delete, and page members."""

from __future__ import annotations

from typing import Any, cast

from leadlists import queues
from leadlists.auth import Caller
from leadlists.clock import new_id, now_iso
from leadlists.errors import Conflict, NotFound
from leadlists.models.common import DEFAULT_PAGE
from leadlists.models.saved_lists import Contact, ContactPage, SavedList, SaveListRequest
from leadlists.models.stored import SavedListRecord
from leadlists.repositories import filter_index, keys, tenant_records
from leadlists.repositories import saved_lists as repo
from leadlists.services import cleanup
from leadlists.status import RefreshStatus


def to_model(record: SavedListRecord) -> SavedList:
    return SavedList.model_validate(record)


def save(caller: Caller, request: SaveListRequest) -> SavedList:
    """Create a list, or update the one named by `id`; queue its computation on a new filter."""
    caller.require_own_org(request.organizationId)
    used_filter = request.filter.used()
    timestamp = now_iso()
    if request.id is None:
        record = _new_record(caller, request, used_filter, timestamp)
        repo.create(record)
        filter_index.sync(None, record)
        queues.send_refresh_request(caller.org_id, record["id"], record["refreshRunId"])
        return to_model(record)

    current = repo.get(caller.org_id, request.id)
    if current is None:
        raise NotFound("List not found")
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
        queues.send_refresh_request(caller.org_id, record["id"], record["refreshRunId"])
    return to_model(record)


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


def get(caller: Caller, list_id: str) -> SavedList:
    return to_model(repo.require(caller.org_id, list_id))


def page(
    caller: Caller, limit: int | None, token: str | None
) -> tuple[list[SavedList], str | None]:
    records, next_token = repo.page(caller.org_id, limit or DEFAULT_PAGE, token)
    return [to_model(r) for r in records], next_token


def delete(caller: Caller, list_id: str) -> None:
    """Remove the list and its name claim (gone for every reader at once); its members, unused
    copies, runs and exports go in the background. A constant number of calls at any size."""
    record = repo.require(caller.org_id, list_id)
    if not repo.delete(caller.org_id, list_id, record["name"]):
        raise NotFound("List not found")
    filter_index.sync(record, None)
    cleanup.schedule(caller.org_id, list_id, keys.SAVED, [record.get("refreshRunId")])


def contacts(caller: Caller, list_id: str, limit: int | None, token: str | None) -> ContactPage:
    repo.require(caller.org_id, list_id)
    ids, next_token = repo.member_page(caller.org_id, list_id, limit or DEFAULT_PAGE, token)
    copies = tenant_records.get_copies(caller.org_id, keys.PERSON, ids)
    people = [Contact.model_validate(copies[i]) for i in ids if i in copies]
    return ContactPage(contacts=people, nextToken=next_token)
