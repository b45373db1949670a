"""Webhook endpoints and their delivery attempts in the tenant table.

An organization's endpoints are items of one partition: whether anyone listens to an event is a
single Query, whatever the organization's size. Each delivery attempt is an item of its
endpoint's own partition, sorted by time, removed by the TTL attribute `expiresAt` (epoch
seconds); readers skip expired items DynamoDB has not deleted yet.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from leadlists.config import settings
from leadlists.repositories import dynamo, keys

PUBLIC_FIELDS = ("id", "url", "events", "description", "createdAt")
WEBHOOK_FIELDS = (*PUBLIC_FIELDS, "secret")
DELIVERY_FIELDS = (
    "eventId", "eventType", "attempt", "statusCode", "durationMs", "error", "timestamp",
)  # fmt: skip
DELIVERY_KEY = (keys.PK, keys.SK)


def _table() -> str:
    return settings().tenant_table


def _fields(item: Mapping[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    return {k: item[k] for k in names if k in item}


def create(org_id: str, record: Mapping[str, Any]) -> None:
    dynamo.client().put_item(
        TableName=_table(),
        Item=dynamo.to_item({**record, **keys.webhook(org_id, record["id"])}),
        ConditionExpression="attribute_not_exists(pk)",
    )


def count(org_id: str) -> int:
    request = dynamo.partition_query(_table(), keys.PK, keys.webhooks(org_id))
    return sum(
        int(a.get("Count", 0)) for a in dynamo.pages("query", {**request, "Select": "COUNT"})
    )


def get(org_id: str, webhook_id: str) -> dict[str, Any] | None:
    """The endpoint, secret included (for signing), or None."""
    item = dynamo.get(_table(), keys.webhook(org_id, webhook_id))
    return None if item is None else _fields(item, WEBHOOK_FIELDS)


def delete(org_id: str, webhook_id: str) -> bool:
    """False when there was no such endpoint."""
    return dynamo.delete_if(
        {
            "TableName": _table(),
            "Key": dynamo.to_item(keys.webhook(org_id, webhook_id)),
            "ConditionExpression": "attribute_exists(pk)",
        }
    )


def page(org_id: str, limit: int, token: str | None) -> tuple[list[dict[str, Any]], str | None]:
    """A page of the organization's endpoints, without their secrets."""
    partition = keys.webhooks(org_id)
    request = dynamo.partition_query(_table(), keys.PK, partition, limit=limit)
    found, next_token = dynamo.page(request, token, keys.TABLE_KEY, {keys.PK: partition})
    return [_fields(i, PUBLIC_FIELDS) for i in found], next_token


def subscribed(org_id: str, event_type: str) -> list[str]:
    """Ids of the endpoints that listen to `event_type`: one Query (an organization has few)."""
    request = dynamo.partition_query(_table(), keys.PK, keys.webhooks(org_id))
    request["ProjectionExpression"] = "id, events"
    return [i["id"] for i in dynamo.items("query", request) if event_type in i.get("events", [])]


def put_delivery(org_id: str, webhook_id: str, attempt: Mapping[str, Any], expires: int) -> None:
    key = keys.webhook_delivery(
        org_id, webhook_id, attempt["timestamp"], attempt["eventId"], attempt["attempt"]
    )
    dynamo.client().put_item(
        TableName=_table(), Item=dynamo.to_item({**attempt, **key, "expiresAt": expires})
    )


def deliveries(
    org_id: str, webhook_id: str, limit: int, token: str | None, now_epoch: int
) -> tuple[list[dict[str, Any]], str | None]:
    """A page of an endpoint's delivery attempts, newest first, expired ones left out."""
    partition = keys.webhook_deliveries(org_id, webhook_id)
    request = dynamo.partition_query(_table(), keys.PK, partition, limit=limit)
    request["ScanIndexForward"] = False
    request["FilterExpression"] = "#e > :now"
    request["ExpressionAttributeNames"]["#e"] = "expiresAt"
    request["ExpressionAttributeValues"].update(dynamo.values({":now": now_epoch}))
    found, next_token = dynamo.page(request, token, DELIVERY_KEY, {keys.PK: partition})
    return [_fields(i, DELIVERY_FIELDS) for i in found], next_token
