"""Single-person membership changes of saved lists, exact under concurrency.

Each change is one transaction: the member item's conditional put or delete, and the list's
counters (`ADD`), `lastChangeAppliedAt` and `version`, on condition that no refresh run owns the
list (queued or running: the run decides its members, and the change is recorded for its end).
A repeated change finds the member item already as wanted and changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal

from botocore.exceptions import ClientError

from leadlists.config import settings
from leadlists.repositories import dynamo, keys, refresh_runs
from leadlists.status import RefreshStatus

# applied: done; unchanged: the member item was already as wanted; blocked: the list's condition
# failed (a run owns it, it is gone, disabled, never computed, or at its cap): read it to know.
Outcome = Literal["applied", "unchanged", "blocked"]

# A list takes live changes when auto-updated, computed once, and not owned by a run.
_LIVE = (
    "attribute_exists(pk) AND autoUpdateStatus = :enabled AND attribute_exists(lastSyncedTime)"
    " AND NOT (refreshStatus IN (:queued, :running))"
)
_UNDER_CAP = "contactsNum < :cap"
_AT_CAP = "contactsNum >= :cap"


def _table() -> str:
    return settings().tenant_table


def _list_update(
    org_id: str,
    list_id: str,
    counts: tuple[int, int],
    stamp: str,
    cap: tuple[str, int] | None = None,
) -> dict[str, Any]:
    """The list's side of a change: (contacts, matched) deltas, on condition it takes live
    changes (and, with `cap`, that its members are under or at the cap)."""
    values: dict[str, Any] = {
        ":enabled": "enabled",
        ":queued": RefreshStatus.QUEUED,
        ":running": RefreshStatus.RUNNING,
        ":c": counts[0],
        ":m": counts[1],
        ":one": 1,
        ":at": stamp,
    }
    condition = _LIVE
    if cap is not None:
        condition += f" AND {cap[0]}"
        values[":cap"] = cap[1]
    return {
        "Update": {
            "TableName": _table(),
            "Key": dynamo.to_item(keys.saved_list(org_id, list_id)),
            "UpdateExpression": (
                "SET lastChangeAppliedAt = :at, updatedAt = :at"
                " ADD contactsNum :c, matchedContactsNum :m, version :one"
            ),
            "ConditionExpression": condition,
            "ExpressionAttributeValues": dynamo.values(values),
        }
    }


def _member_put(org_id: str, list_id: str, person_id: str) -> dict[str, Any]:
    item = {
        **keys.list_member(org_id, list_id, person_id),
        "personId": person_id,
        keys.MEMBER_OF: keys.member_of(org_id, keys.PERSON, person_id),
    }
    return {
        "Put": {
            "TableName": _table(),
            "Item": dynamo.to_item(item),
            "ConditionExpression": "attribute_not_exists(pk)",
        }
    }


def _member_delete(org_id: str, list_id: str, person_id: str) -> dict[str, Any]:
    return {
        "Delete": {
            "TableName": _table(),
            "Key": dynamo.to_item(keys.list_member(org_id, list_id, person_id)),
            "ConditionExpression": "attribute_exists(pk)",
        }
    }


def _transact(items: list[dict[str, Any]]) -> Outcome:
    """Run a change; the first item is the member's, the last the list's."""
    try:
        dynamo.client().transact_write_items(TransactItems=items)
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "TransactionCanceledException":
            raise
        reasons = [r.get("Code", "") for r in exc.response.get("CancellationReasons", [])]
        if reasons and reasons[0] == "ConditionalCheckFailed":
            return "unchanged"
        if reasons and reasons[-1] == "ConditionalCheckFailed":
            return "blocked"
        raise
    return "applied"


def add(org_id: str, list_id: str, person_id: str, cap: int | None, stamp: str) -> Outcome:
    """Make a person a member (counted as a new match); under the cap when there is one."""
    under = (_UNDER_CAP, cap) if cap else None
    return _transact(
        [
            _member_put(org_id, list_id, person_id),
            _list_update(org_id, list_id, (1, 1), stamp, under),
        ]
    )


def remove(org_id: str, list_id: str, person_id: str, stamp: str) -> Outcome:
    """Remove a member (counted as a match lost)."""
    return _transact(
        [
            _member_delete(org_id, list_id, person_id),
            _list_update(org_id, list_id, (-1, -1), stamp),
        ]
    )


def displace(
    org_id: str, list_id: str, person_id: str, last_id: str, cap: int, stamp: str
) -> Outcome:
    """A capped list holds the first `cap` matches by id: a new match sorting before its last
    member takes that member's place."""
    return _transact(
        [
            _member_put(org_id, list_id, person_id),
            _member_delete(org_id, list_id, last_id),
            _list_update(org_id, list_id, (0, 1), stamp, (_AT_CAP, cap)),
        ]
    )


def count_match(org_id: str, list_id: str, matched: int, stamp: str) -> bool:
    """A match gained or lost that is no member (beyond a cap); False when the list is blocked."""
    try:
        dynamo.client().transact_write_items(
            TransactItems=[_list_update(org_id, list_id, (0, matched), stamp)]
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "TransactionCanceledException":
            return False
        raise
    return True


def last_member(org_id: str, list_id: str) -> str | None:
    """The member with the greatest id (one item read)."""
    request = _prefix_query(keys.saved_list(org_id, list_id)[keys.PK], keys.MEMBER_PREFIX)
    answer = dynamo.client().query(**request, ScanIndexForward=False, Limit=1)
    found = answer.get("Items", [])
    return keys.member_id(found[0][keys.SK]["S"]) if found else None


def record_change(org_id: str, list_id: str, run_id: str, person_id: str) -> bool:
    """Keep a change for the run owning the list (re-checked when the run ends); False when the
    run no longer owns it."""
    item: dict[str, Any] = {**keys.run_change(org_id, list_id, run_id, person_id)}
    item["expiresAt"] = refresh_runs.expires_at()
    try:
        dynamo.client().transact_write_items(
            TransactItems=[
                {
                    "ConditionCheck": {
                        "TableName": _table(),
                        "Key": dynamo.to_item(keys.saved_list(org_id, list_id)),
                        "ConditionExpression": "refreshRunId = :run AND "
                        "refreshStatus IN (:queued, :running)",
                        "ExpressionAttributeValues": dynamo.values(
                            {
                                ":run": run_id,
                                ":queued": RefreshStatus.QUEUED,
                                ":running": RefreshStatus.RUNNING,
                            }
                        ),
                    }
                },
                {"Put": {"TableName": _table(), "Item": dynamo.to_item(item)}},
            ]
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "TransactionCanceledException":
            return False
        raise
    return True


def changed_persons(org_id: str, list_id: str, run_id: str) -> Iterator[str]:
    """The persons whose changes were recorded for a run, in id order."""
    partition = keys.refresh_run(org_id, list_id, run_id)[keys.PK]
    for item in dynamo.items("query", _prefix_query(partition, keys.RUN_CHANGE_PREFIX)):
        yield keys.run_change_id(item[keys.SK])


def _prefix_query(partition: str, prefix: str) -> dict[str, Any]:
    """A consistent Query of one partition's items whose sort key starts with `prefix`."""
    request = dynamo.partition_query(_table(), keys.PK, partition)
    request["KeyConditionExpression"] += " AND begins_with(#s, :m)"
    request["ExpressionAttributeNames"]["#s"] = keys.SK
    request["ExpressionAttributeValues"].update(dynamo.values({":m": prefix}))
    request["ConsistentRead"] = True
    return request
