"""The organization's own copies of catalog records (the "tenant database")."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from leadlists.config import settings
from leadlists.repositories import dynamo, keys


def _table() -> str:
    return settings().tenant_table


def put_copies(org_id: str, kind: str, records: Iterable[Mapping[str, Any]]) -> int:
    """Store (or overwrite) the tenant's copies, 25 a call. Returns the DynamoDB calls made."""
    items = [{**r, **keys.tenant_record(org_id, kind, r["id"])} for r in records]
    return dynamo.batch_write(_table(), items)


def get_copies(org_id: str, kind: str, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The tenant's copies by id, 100 keys a call; ids without a copy are absent."""
    wanted = [keys.tenant_record(org_id, kind, i) for i in dict.fromkeys(ids)]
    found = dynamo.batch_get(_table(), wanted)
    return {item["id"]: _public(item) for item in found}


def _public(item: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k not in (keys.PK, keys.SK)}
