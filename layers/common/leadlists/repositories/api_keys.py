"""API key items in the tenant table: one item per key (keys.api_key), listed per organization
from ByOrg. The item stores the secret's SHA-256 only."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from leadlists.config import settings
from leadlists.repositories import dynamo, keys

PUBLIC_FIELDS = (
    "id", "name", "scopes", "prefix", "rateLimitPerMinute", "createdAt", "expiresAt", "lastUsedAt",
)  # fmt: skip
# What the authorizer needs besides the public fields.
ORG, HASH = "organizationId", "keyHash"
# The key's expiry in the contract's format; `expiresAt` on the item is the table's TTL (epoch).
VALID_UNTIL = "validUntil"


def _table() -> str:
    return settings().tenant_table


def public(item: Mapping[str, Any]) -> dict[str, Any]:
    record = {k: item[k] for k in PUBLIC_FIELDS if k in item and k != "expiresAt"}
    record["expiresAt"] = item.get(VALID_UNTIL)
    return record


def create(org_id: str, record: Mapping[str, Any], key_hash: str, ttl: int | None) -> None:
    fields = {k: v for k, v in record.items() if k != "expiresAt"}
    item = {
        **fields,
        **keys.api_key(record["id"]),
        keys.BY_ORG_PK: keys.api_keys_index(org_id),
        keys.BY_ORG_SK: f"{record['createdAt']}#{record['id']}",
        ORG: org_id,
        HASH: key_hash,
        VALID_UNTIL: record.get("expiresAt"),
        "expiresAt": ttl,
    }
    dynamo.client().put_item(
        TableName=_table(),
        Item=dynamo.to_item(item),
        ConditionExpression="attribute_not_exists(pk)",
    )


def get(key_id: str) -> dict[str, Any] | None:
    return dynamo.get(_table(), keys.api_key(key_id))


def page(org_id: str, limit: int, token: str | None) -> tuple[list[dict[str, Any]], str | None]:
    index_pk = keys.api_keys_index(org_id)
    request = dynamo.partition_query(_table(), keys.BY_ORG_PK, index_pk, "ByOrg", limit)
    found, next_token = dynamo.page(request, token, keys.BY_ORG_KEY, {keys.BY_ORG_PK: index_pk})
    return [public(i) for i in found], next_token


def delete(org_id: str, key_id: str) -> bool:
    """Remove the key (refused from the next request on); False when the organization has none
    by that id."""
    return dynamo.delete_if(
        {
            "TableName": _table(),
            "Key": dynamo.to_item(keys.api_key(key_id)),
            "ConditionExpression": "#org = :org",
            "ExpressionAttributeNames": {"#org": ORG},
            "ExpressionAttributeValues": dynamo.values({":org": org_id}),
        }
    )
