"""Saved lists, their unique names and their member items in the tenant table."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, cast

from leadlists.config import settings
from leadlists.errors import Conflict, FieldError, Invalid, NotFound
from leadlists.models.common import parse_uuid
from leadlists.models.stored import SavedListRecord
from leadlists.repositories import dynamo, keys
from leadlists.status import RefreshStatus

LIST_FIELDS = (
    "id", "name", "organizationId", "usedFilter", "contactsNum", "matchedContactsNum",
    "autoUpdateStatus", "lastSyncedTime", "connectedIntegration", "refreshStatus",
    "refreshError", "refreshProgress", "maxContacts", "createdAt", "updatedAt", "version",
    "refreshRunId", "refreshStartedAt", "nextRefreshAt", "refreshFailures", "createdBy",
    "lastChangeAppliedAt",
)  # fmt: skip


def _table() -> str:
    return settings().tenant_table


def _record(item: Mapping[str, Any]) -> SavedListRecord:
    # A list item: what `create` and `replace` stored, with the table's keys left out.
    return cast(SavedListRecord, {k: item[k] for k in LIST_FIELDS if k in item})


def _due_attributes(record: Mapping[str, Any]) -> dict[str, Any]:
    """Only auto-updated lists enter the sparse DueForRefresh index."""
    if record.get("autoUpdateStatus") == "enabled" and record.get("nextRefreshAt"):
        return {keys.DUE_PK: keys.DUE_PARTITION, keys.DUE_SK: record["nextRefreshAt"]}
    return {}


ACTIVE_STATES = (RefreshStatus.QUEUED, RefreshStatus.RUNNING)


def _active_attributes(since: str) -> dict[str, Any]:
    return {keys.ACTIVE_PK: keys.ACTIVE_PARTITION, keys.ACTIVE_SK: since}


def _list_item(record: Mapping[str, Any]) -> dict[str, Any]:
    org, list_id = record["organizationId"], record["id"]
    return {
        **record,
        **keys.saved_list(org, list_id),
        keys.BY_ORG_PK: keys.saved_lists_index(org),
        keys.BY_ORG_SK: f"{record['createdAt']}#{list_id}",
        **_due_attributes(record),
        # A save that queues a run (no lease of its own yet) counts as its sign of life.
        **(
            _active_attributes(max(record.get("refreshStartedAt") or "", record["updatedAt"]))
            if record.get("refreshStatus") in ACTIVE_STATES
            else {}
        ),
    }


def _name_item(org_id: str, name: str, list_id: str) -> dict[str, Any]:
    return {**keys.list_name(org_id, name), "listId": list_id}


def get(org_id: str, list_id: str) -> SavedListRecord | None:
    item = dynamo.get(_table(), keys.saved_list(org_id, list_id))
    return None if item is None else _record(item)


def create(record: SavedListRecord) -> None:
    """Insert a list and claim its name in one transaction (409 when the name is taken)."""
    org = record["organizationId"]
    try:
        dynamo.transact(
            [
                {
                    "Put": {
                        "TableName": _table(),
                        "Item": dynamo.to_item(_list_item(record)),
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
                {
                    "Put": {
                        "TableName": _table(),
                        "Item": dynamo.to_item(_name_item(org, record["name"], record["id"])),
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
            ]
        )
    except dynamo.TransactionCancelled as exc:
        if "ConditionalCheckFailed" in exc.reasons:
            raise Conflict("A list with this name already exists") from None
        raise


def replace(record: SavedListRecord, expected_version: int, old_name: str) -> None:
    """Overwrite a list if it still has `expected_version`, moving its name claim if renamed."""
    org = record["organizationId"]
    items: list[dict[str, Any]] = [
        {
            "Put": {
                "TableName": _table(),
                "Item": dynamo.to_item(_list_item(record)),
                "ConditionExpression": "attribute_exists(pk) AND version = :v",
                "ExpressionAttributeValues": dynamo.values({":v": expected_version}),
            }
        }
    ]
    renamed = keys.list_name(org, old_name) != keys.list_name(org, record["name"])
    if renamed:
        items.append(
            {
                "Delete": {
                    "TableName": _table(),
                    "Key": dynamo.to_item(keys.list_name(org, old_name)),
                }
            }
        )
    # Re-put the name claim even when unchanged: it keeps the original spelling's owner current.
    items.append(
        {
            "Put": {
                "TableName": _table(),
                "Item": dynamo.to_item(_name_item(org, record["name"], record["id"])),
                "ConditionExpression": "attribute_not_exists(pk) OR listId = :id",
                "ExpressionAttributeValues": dynamo.values({":id": record["id"]}),
            }
        }
    )
    try:
        dynamo.transact(items)
    except dynamo.TransactionCancelled as exc:
        if exc.reasons[-1:] == ["ConditionalCheckFailed"]:
            raise Conflict("A list with this name already exists") from None
        if exc.reasons[:1] == ["ConditionalCheckFailed"]:
            raise Conflict("The list was changed by another request; reload it and retry") from None
        raise


def update_fields(
    org_id: str,
    list_id: str,
    fields: Mapping[str, Any],
    condition: str | None = None,
    condition_values: Mapping[str, Any] | None = None,
    remove: Iterable[str] = (),
) -> SavedListRecord | None:
    """SET fields and bump `version` atomically; None when the condition does not hold. The
    sparse ActiveRuns index follows: a new lease (`refreshStartedAt`) moves the list's entry, a
    run's end (`refreshStatus` idle or failed) removes it."""
    status = fields.get("refreshStatus")
    if status is not None and status not in ACTIVE_STATES:
        remove = (*remove, keys.ACTIVE_PK, keys.ACTIVE_SK)
    elif "refreshStartedAt" in fields:
        fields = {**fields, **_active_attributes(fields["refreshStartedAt"])}
    names = {f"#f{i}": name for i, name in enumerate(fields)}
    vals = {f":f{i}": value for i, value in enumerate(fields.values())}
    sets = [f"#f{i} = :f{i}" for i in range(len(fields))]
    sets.append("#version = #version + :one")
    names["#version"] = "version"
    vals[":one"] = 1
    expression = "SET " + ", ".join(sets)
    removed = list(remove)
    if removed:
        for i, name in enumerate(removed):
            names[f"#r{i}"] = name
        expression += " REMOVE " + ", ".join(f"#r{i}" for i in range(len(removed)))
    full_condition = "attribute_exists(pk)" + (f" AND ({condition})" if condition else "")
    item = dynamo.update_if(
        {
            "TableName": _table(),
            "Key": dynamo.to_item(keys.saved_list(org_id, list_id)),
            "UpdateExpression": expression,
            "ConditionExpression": full_condition,
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": dynamo.values({**vals, **(condition_values or {})}),
        }
    )
    return None if item is None else _record(item)


def schedule_fields(record: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """SET / REMOVE arguments for `update_fields` keeping the sparse index in step with the list."""
    due = _due_attributes(record)
    return due, [] if due else [keys.DUE_PK, keys.DUE_SK]


def due_lists(now: str) -> Iterator[tuple[str, str]]:
    """(organization id, list id) of every auto-updated list due at `now`, from the sparse
    DueForRefresh index (KEYS_ONLY: the table keys name the list), page by page."""
    return _sparse_lists("DueForRefresh", keys.DUE_PK, keys.DUE_PARTITION, keys.DUE_SK, "<=", now)


def active_since_before(moment: str) -> Iterator[tuple[str, str]]:
    """(organization id, list id) of every list whose queued or running refresh last showed
    life before `moment`, from the sparse ActiveRuns index (eventually consistent: the caller
    decides on the base item), page by page."""
    return _sparse_lists(
        "ActiveRuns", keys.ACTIVE_PK, keys.ACTIVE_PARTITION, keys.ACTIVE_SK, "<", moment
    )


def _sparse_lists(
    index: str, pk: str, partition: str, sk: str, compare: str, bound: str
) -> Iterator[tuple[str, str]]:
    request: dict[str, Any] = {
        "TableName": _table(),
        "IndexName": index,
        "KeyConditionExpression": f"#p = :p AND #s {compare} :b",
        "ExpressionAttributeNames": {"#p": pk, "#s": sk},
        "ExpressionAttributeValues": dynamo.values({":p": partition, ":b": bound}),
    }
    for item in dynamo.items("query", request):
        yield keys.parse_saved_list(item[keys.PK])


def page(org_id: str, limit: int, token: str | None) -> tuple[list[SavedListRecord], str | None]:
    index_pk = keys.saved_lists_index(org_id)
    request = dynamo.partition_query(_table(), keys.BY_ORG_PK, index_pk, "ByOrg", limit)
    found, next_token = dynamo.page(request, token, keys.BY_ORG_KEY, {keys.BY_ORG_PK: index_pk})
    return [_record(i) for i in found], next_token


def delete(org_id: str, list_id: str, name: str) -> bool:
    """Remove the list and its name claim at once; False when it was already gone."""
    try:
        dynamo.transact(
            [
                {
                    "Delete": {
                        "TableName": _table(),
                        "Key": dynamo.to_item(keys.saved_list(org_id, list_id)),
                        "ConditionExpression": "attribute_exists(pk)",
                    }
                },
                {
                    "Delete": {
                        "TableName": _table(),
                        "Key": dynamo.to_item(keys.list_name(org_id, name)),
                        "ConditionExpression": "attribute_not_exists(pk) OR listId = :id",
                        "ExpressionAttributeValues": dynamo.values({":id": list_id}),
                    }
                },
            ]
        )
    except dynamo.TransactionCancelled as exc:
        if "ConditionalCheckFailed" in exc.reasons:
            return False
        raise
    return True


# Members ----------------------------------------------------------------------------------------


def member_ids(org_id: str, list_id: str) -> set[str]:
    """Every member id of a list (keys only)."""
    out: set[str] = set()
    for item in _member_items(org_id, list_id, projection=True):
        out.add(keys.member_id(item[keys.SK]))
    return out


def sorted_member_ids(org_id: str, list_id: str) -> Iterator[str]:
    """Member ids in id order, streamed page by page (keys only): memory stays one page."""
    for item in _member_items(org_id, list_id, projection=True):
        yield keys.member_id(item[keys.SK])


def _member_items(org_id: str, list_id: str, projection: bool) -> Iterable[dict[str, Any]]:
    request: dict[str, Any] = {
        "TableName": _table(),
        "KeyConditionExpression": "#p = :p AND begins_with(#s, :m)",
        "ExpressionAttributeNames": {"#p": keys.PK, "#s": keys.SK},
        "ExpressionAttributeValues": dynamo.values(
            {":p": keys.saved_list(org_id, list_id)[keys.PK], ":m": keys.MEMBER_PREFIX}
        ),
    }
    if projection:
        request["ProjectionExpression"] = "#s"
    return dynamo.items("query", request)


def write_members(org_id: str, list_id: str, add: Iterable[str], remove: Iterable[str]) -> int:
    """Add and remove member items, 25 a call. Returns the DynamoDB calls made."""
    puts = _member_items_for(org_id, list_id, add)
    deletes = [keys.list_member(org_id, list_id, p) for p in remove]
    return dynamo.batch_write(_table(), puts, deletes)


# A ConditionCheck on the list item and 99 member writes: TransactWriteItems' 100 actions.
OWNED_WRITES = dynamo.TRANSACT_MAX - 1


def write_members_owned(
    org_id: str, list_id: str, run_id: str, add: Iterable[str], remove: Iterable[str]
) -> bool:
    """Add and remove member items only while run `run_id` still owns the list (running, its run
    id on the list item): each transaction checks it, so no write lands after a save with a new
    filter or a delete. False, having stopped, when the run lost the list."""
    writes: list[dict[str, Any]] = [
        {"Put": {"TableName": _table(), "Item": dynamo.to_item(item)}}
        for item in _member_items_for(org_id, list_id, add)
    ]
    writes += [
        {"Delete": {"TableName": _table(), "Key": dynamo.to_item(key)}}
        for key in (keys.list_member(org_id, list_id, p) for p in remove)
    ]
    check = {
        "ConditionCheck": {
            "TableName": _table(),
            "Key": dynamo.to_item(keys.saved_list(org_id, list_id)),
            "ConditionExpression": "refreshRunId = :run AND refreshStatus = :running",
            "ExpressionAttributeValues": dynamo.values({":run": run_id, ":running": "running"}),
        }
    }
    for chunk in dynamo.chunks(writes, OWNED_WRITES):
        try:
            dynamo.transact([check, *chunk])
        except dynamo.TransactionCancelled as exc:
            if exc.reasons[:1] == ["ConditionalCheckFailed"]:
                return False
            raise
    return True


def _member_items_for(org_id: str, list_id: str, person_ids: Iterable[str]) -> list[dict[str, Any]]:
    return [
        {
            **keys.list_member(org_id, list_id, p),
            "personId": p,
            keys.MEMBER_OF: keys.member_of(org_id, keys.PERSON, p),
        }
        for p in person_ids
    ]


def member_page(
    org_id: str, list_id: str, limit: int, token: str | None
) -> tuple[list[str], str | None]:
    partition = keys.saved_list(org_id, list_id)[keys.PK]
    request: dict[str, Any] = {
        "TableName": _table(),
        "KeyConditionExpression": "#p = :p AND begins_with(#s, :m)",
        "ExpressionAttributeNames": {"#p": keys.PK, "#s": keys.SK},
        "ExpressionAttributeValues": dynamo.values({":p": partition, ":m": keys.MEMBER_PREFIX}),
        "Limit": limit,
    }
    found, next_token = dynamo.page(request, token, keys.TABLE_KEY, {keys.PK: partition})
    return [keys.member_id(i[keys.SK]) for i in found], next_token


def require(org_id: str, list_id: str) -> SavedListRecord:
    """The list a client names: 400 when the id is malformed, 404 when there is no such list.
    Ids are minted UUIDs in their canonical (lowercase) form: anything else is malformed and
    never reaches a key (a `#` in it could otherwise address another item of the partition)."""
    if parse_uuid(list_id) != list_id:
        raise Invalid("Invalid list id", [FieldError("id", "Not a list id (a lowercase UUID)")])
    record = get(org_id, list_id)
    if record is None:
        raise NotFound("List not found")
    return record
