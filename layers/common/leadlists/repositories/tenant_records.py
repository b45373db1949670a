"""The organization's own copies of catalog records (the "tenant database").

Every write stamps `copiedAt`: the background cleanup of a deleted list removes a copy only when
no list holds it any more and it was not (re)written during a grace period, so an add whose member
item is not visible in the ByMember index yet never loses the copy it just wrote."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from typing import Any

from botocore.exceptions import ClientError

from leadlists.config import settings
from leadlists.repositories import dynamo, keys


def _table() -> str:
    return settings().tenant_table


def now_ms() -> int:
    return int(time.time() * 1000)


def put_copies(org_id: str, kind: str, records: Iterable[Mapping[str, Any]]) -> int:
    """Store (or overwrite) the tenant's copies, 25 a call. Returns the DynamoDB calls made."""
    stamp = now_ms()
    items = [
        {**r, **keys.tenant_record(org_id, kind, r["id"]), keys.COPIED_AT: stamp} for r in records
    ]
    return dynamo.batch_write(_table(), items)


def get_copies(org_id: str, kind: str, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The tenant's copies by id, 100 keys a call; ids without a copy are absent."""
    wanted = [keys.tenant_record(org_id, kind, i) for i in dict.fromkeys(ids)]
    found = dynamo.batch_get(_table(), wanted)
    return {item["id"]: _public(item) for item in found}


def copy_stamps(org_id: str, kind: str, ids: Iterable[str]) -> dict[str, int | None]:
    """`copiedAt` of the copies that exist (None: written before stamps), 100 keys a call."""
    wanted = [keys.tenant_record(org_id, kind, i) for i in dict.fromkeys(ids)]
    found = dynamo.batch_get(_table(), wanted, projection=f"id, {keys.COPIED_AT}", consistent=True)
    return {item["id"]: item.get(keys.COPIED_AT) for item in found}


def delete_if_stale(org_id: str, kind: str, record_id: str, written_before_ms: int) -> bool:
    """Delete a copy last written before `written_before_ms`; False when it is absent, newer, or
    carries no stamp (written before stamps existed: kept, never guessed unused)."""
    try:
        dynamo.client().delete_item(
            TableName=_table(),
            Key=dynamo.to_item(keys.tenant_record(org_id, kind, record_id)),
            ConditionExpression="#c < :before",
            ExpressionAttributeNames={"#c": keys.COPIED_AT},
            ExpressionAttributeValues=dynamo.values({":before": written_before_ms}),
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            return False
        raise
    return True


def _public(item: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k not in (keys.PK, keys.SK, keys.COPIED_AT)}
