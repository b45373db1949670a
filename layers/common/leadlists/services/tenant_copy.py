"""The tenant copy: a catalog record is copied into the organization's own records before it
becomes a member, and the copy is what lead lists populate from."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from leadlists.repositories import catalog, tenant_records


def load(kind: str, ids: Iterable[str]) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """Catalog records by id (BatchGetItem, 100 a call) and the ids the catalog does not know."""
    wanted = list(dict.fromkeys(ids))
    found = catalog.get_records(kind, wanted)
    return found, [i for i in wanted if i not in found]


def held(org_id: str, kind: str, ids: Iterable[str]) -> set[str]:
    """Which of `ids` the organization holds a copy of already (strongly consistent)."""
    return set(tenant_records.copy_stamps(org_id, kind, ids))


def store(org_id: str, kind: str, records: Iterable[Mapping[str, Any]]) -> int:
    """Write (or refresh) the organization's copies, 25 a call. Returns the DynamoDB calls."""
    return tenant_records.put_copies(org_id, kind, records)
