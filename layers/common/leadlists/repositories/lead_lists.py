"""Lead lists and their member items in the tenant table.

A lead list is one item; each member is its own item in the list's partition (never an id array
in one item: a list must be able to outgrow the 400 KB item limit). Members are added and removed
with conditional writes in transactions, so every write that succeeds is one this request made
and the counts it reports are exact however many requests overlap.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from itertools import islice
from typing import TYPE_CHECKING, Any, cast

from botocore.exceptions import ClientError

from leadlists import tokens
from leadlists.clock import new_id
from leadlists.config import settings
from leadlists.errors import Conflict, NotFound
from leadlists.repositories import dynamo, keys

if TYPE_CHECKING:
    from leadlists.models.stored import LeadListRecord

LIST_FIELDS = (
    "id", "icpId", "name", "type", "startDate", "endDate", "userIds", "createdAt", "updatedAt",
    "version", "memberCount", "ownerId",
)  # fmt: skip
# Rounds of a member transaction before giving up on a contended list (each backs off longer).
_TRANSACT_ROUNDS = 12
# Query pages read per listing request while looking for lists the caller may see.
_MAX_PAGES_PER_LISTING = 10


class ListGone(Exception):
    """The lead list was deleted while members were being written."""


def _table() -> str:
    return settings().tenant_table


def _record(item: Mapping[str, Any]) -> LeadListRecord:
    record = {k: item[k] for k in LIST_FIELDS if k in item}
    record.setdefault("icpId", None)
    return cast("LeadListRecord", record)  # a list item as `create` and `update` wrote it


def _list_item(org_id: str, record: Mapping[str, Any]) -> dict[str, Any]:
    return {
        **record,
        **keys.lead_list(org_id, record["id"]),
        keys.BY_ORG_PK: keys.lead_lists_index(org_id),
        keys.BY_ORG_SK: keys.lead_lists_index_sort(record["createdAt"], record["id"]),
        "organizationId": org_id,
    }


def get(org_id: str, list_id: str) -> LeadListRecord | None:
    item = dynamo.get(_table(), keys.lead_list(org_id, list_id))
    return None if item is None else _record(item)


def require(org_id: str, list_id: str) -> LeadListRecord:
    record = get(org_id, list_id)
    if record is None:
        raise NotFound("Lead list not found")
    return record


def create(org_id: str, record: LeadListRecord) -> None:
    dynamo.client().put_item(
        TableName=_table(),
        Item=dynamo.to_item(_list_item(org_id, record)),
        ConditionExpression="attribute_not_exists(pk)",
    )


def update(
    org_id: str,
    list_id: str,
    fields: Mapping[str, Any],
    expected_version: int,
) -> LeadListRecord | None:
    """SET (None: REMOVE) fields if the list is still at `expected_version`; None otherwise."""
    names = {"#version": "version"}
    vals: dict[str, Any] = {":expected": expected_version, ":one": 1}
    sets, removes = ["#version = #version + :one"], []
    for i, (name, value) in enumerate(fields.items()):
        names[f"#f{i}"] = name
        if value is None:
            removes.append(f"#f{i}")
        else:
            vals[f":f{i}"] = value
            sets.append(f"#f{i} = :f{i}")
    expression = "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else "")
    try:
        answer = dynamo.client().update_item(
            TableName=_table(),
            Key=dynamo.to_item(keys.lead_list(org_id, list_id)),
            UpdateExpression=expression,
            ConditionExpression="attribute_exists(pk) AND #version = :expected",
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=dynamo.values(vals),
            ReturnValues="ALL_NEW",
        )
    except ClientError as exc:
        # A member transaction holding the item is as much a lost race as a newer version.
        if exc.response["Error"]["Code"] in (
            "ConditionalCheckFailedException",
            "TransactionConflictException",
        ):
            return None
        raise
    return _record(dynamo.from_item(answer["Attributes"]))


def delete(org_id: str, list_id: str) -> bool:
    """Remove the list item (gone for every reader at once); False when it was already gone."""
    return dynamo.delete_if(
        {
            "TableName": _table(),
            "Key": dynamo.to_item(keys.lead_list(org_id, list_id)),
            "ConditionExpression": "attribute_exists(pk)",
        }
    )


def page(
    org_id: str, limit: int, token: str | None, visible_to: str | None
) -> tuple[list[LeadListRecord], str | None]:
    """One page of the organization's lead lists, oldest first; `visible_to` keeps only the
    lists whose `userIds` hold that user. Pages are filled up to `limit` across query pages."""
    index_pk = keys.lead_lists_index(org_id)
    request = dynamo.partition_query(_table(), keys.BY_ORG_PK, index_pk, "ByOrg", limit)
    if visible_to is not None:
        request["FilterExpression"] = "contains(#u, :me)"
        request["ExpressionAttributeNames"]["#u"] = "userIds"
        request["ExpressionAttributeValues"].update(dynamo.values({":me": visible_to}))
    start = dynamo.decode_token(token, keys.BY_ORG_KEY, {keys.BY_ORG_PK: index_pk})
    if start:
        request["ExclusiveStartKey"] = start
    found: list[dict[str, Any]] = []
    for answer in islice(dynamo.pages("query", request), _MAX_PAGES_PER_LISTING):
        items = answer.get("Items", [])
        start = answer.get("LastEvaluatedKey")
        for n, item in enumerate(items):
            found.append(item)
            if len(found) == limit:
                more = n + 1 < len(items) or start is not None
                # Resume right after the last list returned, which may be mid-page.
                return _records(found), dynamo.encode_token(_index_key(item)) if more else None
        if not start:
            return _records(found), None
    return _records(found), dynamo.encode_token(start)


def _records(items: list[dict[str, Any]]) -> list[LeadListRecord]:
    return [_record(dynamo.from_item(i)) for i in items]


def _index_key(item: Mapping[str, Any]) -> dict[str, Any]:
    return {k: item[k] for k in keys.BY_ORG_KEY}


# Members ----------------------------------------------------------------------------------------


def _member_query(org_id: str, list_id: str, prefix: str) -> Iterator[str]:
    """Sort keys of the list's partition beginning with `prefix`, strongly consistent."""
    request: dict[str, Any] = {
        "TableName": _table(),
        "KeyConditionExpression": "#p = :p AND begins_with(#s, :m)",
        "ExpressionAttributeNames": {"#p": keys.PK, "#s": keys.SK},
        "ExpressionAttributeValues": dynamo.values(
            {":p": keys.lead_list(org_id, list_id)[keys.PK], ":m": prefix}
        ),
        "ProjectionExpression": "#s",
        "ConsistentRead": True,
    }
    for item in dynamo.items("query", request):
        yield item[keys.SK]


def member_ids(org_id: str, list_id: str, kind: str) -> list[str]:
    """Every member id of one kind, in sort-key order."""
    prefix = keys.lead_list_member_prefix(kind)
    return [keys.member_id(sk) for sk in _member_query(org_id, list_id, prefix)]


def member_page(
    org_id: str, list_id: str, kind: str, limit: int, token: str | None
) -> tuple[list[str], bool]:
    """Up to `limit` member ids of one kind in sort-key order, starting after `token` (from
    `member_token`), and whether more follow. One Query of limit + 1 keys: the extra key only
    says whether there is more, so the last page never hands out a token to an empty page."""
    pk = keys.lead_list(org_id, list_id)[keys.PK]
    prefix = keys.lead_list_member_prefix(kind)
    request: dict[str, Any] = {
        "TableName": _table(),
        "KeyConditionExpression": "#p = :p AND begins_with(#s, :m)",
        "ExpressionAttributeNames": {"#p": keys.PK, "#s": keys.SK},
        "ExpressionAttributeValues": dynamo.values({":p": pk, ":m": prefix}),
        "ProjectionExpression": "#s",
        "ConsistentRead": True,
        "Limit": limit + 1,
    }
    start = dynamo.decode_token(token, (keys.PK, keys.SK), {keys.PK: pk})
    if start is not None:
        # A key of this list but outside its members of this kind is not a place to resume.
        if not start[keys.SK]["S"].startswith(prefix):
            raise tokens.invalid()
        request["ExclusiveStartKey"] = start
    # A start key from the client that DynamoDB rejects is their 400 (see dynamo.pages).
    items = islice(dynamo.items("query", request), limit + 1)
    found = [keys.member_id(item[keys.SK]) for item in items]
    return found[:limit], len(found) > limit


def member_token(org_id: str, list_id: str, kind: str, member: str) -> str:
    """The token that resumes a member page right after `member`."""
    return tokens.encode(dynamo.values(keys.lead_list_member(org_id, list_id, kind, member)))


def existing_members(
    org_id: str, list_id: str, kind: str, ids: Iterable[str], member_count: int
) -> set[str]:
    """Which of `ids` are members already. Only a pre-filter that saves copy writes: the
    conditional member writes remain the judge. A list holding few members compared with the
    request is read whole (one Query call per ~16,000 keys); otherwise the ids are looked up,
    100 keys a BatchGetItem call."""
    wanted = list(ids)
    if member_count <= 5 * len(wanted):
        present = set(member_ids(org_id, list_id, kind))
        return {i for i in wanted if i in present}
    keys_wanted = [keys.lead_list_member(org_id, list_id, kind, i) for i in wanted]
    return {item["memberId"] for item in dynamo.batch_get(_table(), keys_wanted)}


def _member_item(
    org_id: str, list_id: str, kind: str, member: str, timestamp: str
) -> dict[str, Any]:
    return {
        **keys.lead_list_member(org_id, list_id, kind, member),
        "memberId": member,
        "addedAt": timestamp,
        # The ByMember index: which lists still hold this record (cleanup of unused copies).
        keys.MEMBER_OF: keys.member_of(org_id, kind, member),
    }


def add_members(org_id: str, list_id: str, kind: str, ids: list[str], timestamp: str) -> list[str]:
    """Put one member item per id unless it exists; returns the ids this call added."""

    def put(member: str) -> dict[str, Any]:
        return {
            "Put": {
                "TableName": _table(),
                "Item": dynamo.to_item(_member_item(org_id, list_id, kind, member, timestamp)),
                "ConditionExpression": "attribute_not_exists(sk)",
            }
        }

    return _transact_each(org_id, list_id, ids, put, +1, timestamp)


def load_members(org_id: str, list_id: str, kind: str, ids: list[str], timestamp: str) -> None:
    """Bulk-load members into a list nobody else writes (benchmarks build 100,000-member lists
    with it): unconditional 25-item batches, then the count moved once. The ids must be new to
    the list, or the count would be off; requests use `add_members`."""
    items = [
        _member_item(org_id, list_id, kind, member, timestamp) for member in dict.fromkeys(ids)
    ]
    dynamo.batch_write(_table(), items)
    dynamo.client().transact_write_items(
        TransactItems=[_list_update(org_id, list_id, len(items), timestamp)]
    )


def remove_members(
    org_id: str, list_id: str, kind: str, ids: list[str], timestamp: str
) -> list[str]:
    """Delete the member items that exist; returns the ids this call removed."""

    def delete_one(member: str) -> dict[str, Any]:
        return {
            "Delete": {
                "TableName": _table(),
                "Key": dynamo.to_item(keys.lead_list_member(org_id, list_id, kind, member)),
                "ConditionExpression": "attribute_exists(sk)",
            }
        }

    return _transact_each(org_id, list_id, ids, delete_one, -1, timestamp)


def _list_update(org_id: str, list_id: str, delta: int, timestamp: str) -> dict[str, Any]:
    """The list item's part of a member transaction: it must still exist (so a concurrent
    delete, which removes the list item first and its members after, never leaves members
    behind), and it keeps an exact member count and the list's updatedAt."""
    return {
        "Update": {
            "TableName": _table(),
            "Key": dynamo.to_item(keys.lead_list(org_id, list_id)),
            "UpdateExpression": "ADD #count :delta SET #updated = :now",
            "ConditionExpression": "attribute_exists(pk)",
            "ExpressionAttributeNames": {"#count": "memberCount", "#updated": "updatedAt"},
            "ExpressionAttributeValues": dynamo.values({":delta": delta, ":now": timestamp}),
        }
    }


def _transact_each(
    org_id: str,
    list_id: str,
    ids: list[str],
    build: Callable[[str], dict[str, Any]],
    sign: int,
    timestamp: str,
) -> list[str]:
    """Apply one conditional member write per id, 99 a transaction next to the list item's
    update; returns the ids whose write happened. A cancelled transaction wrote nothing: the ids
    whose condition failed (already a member / not a member) are dropped and the rest retried,
    so each id is counted by exactly one request."""
    done: list[str] = []
    for chunk in dynamo.chunks(ids, dynamo.TRANSACT_MAX - 1):
        pending = list(chunk)
        for attempt in range(_TRANSACT_ROUNDS):
            items = [_list_update(org_id, list_id, sign * len(pending), timestamp)]
            items += [build(i) for i in pending]
            try:
                # A fresh token per round: botocore's own retries of this call reuse it, so a
                # retried success is not re-run (and misreported as every condition failing).
                dynamo.client().transact_write_items(
                    TransactItems=items, ClientRequestToken=new_id()
                )
            except ClientError as exc:
                if exc.response["Error"]["Code"] != "TransactionCanceledException":
                    raise
                pending = _still_pending(exc, pending)
                if not pending:
                    break
                # Jitter, not a secret: the random module is the right tool.
                delay = random.uniform(0, min(1.0, 0.05 * 2**attempt))  # noqa: S311  # nosec B311
                time.sleep(delay)
                continue
            done.extend(pending)
            pending = []
            break
        if pending:
            # Earlier chunks stay applied; the counts say so, and the same request finishes it.
            raise Conflict(
                f"Too many concurrent changes to this lead list: {len(done)} of {len(ids)} "
                "were applied; send the same request again to complete it"
            )
    return done


def _still_pending(exc: ClientError, pending: list[str]) -> list[str]:
    """The ids worth another round after a cancellation (reasons[0] is the list item's)."""
    reasons = dynamo.cancellation_reasons(exc)
    if len(reasons) != len(pending) + 1:
        raise RuntimeError("TransactWriteItems cancelled without a reason per item") from exc
    if reasons[0] == "ConditionalCheckFailed":
        raise ListGone from None
    if not set(reasons) <= {*dynamo.RETRYABLE_REASONS, "ConditionalCheckFailed"}:
        raise dynamo.TransactionCancelled(reasons) from exc
    return [
        i for i, reason in zip(pending, reasons[1:], strict=True)
        if reason != "ConditionalCheckFailed"
    ]  # fmt: skip
