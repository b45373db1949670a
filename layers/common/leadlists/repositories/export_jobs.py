"""Background export records in the tenant table, one item per export.

Each state change has one writer, guarded by a condition on the current state: the POST creates
the record `running`, and only a `running` record becomes `complete` (the worker) or `failed`
(the worker's give-up). The TTL attribute `expiresAt` (epoch seconds) removes a record with its
file; DynamoDB deletes expired items only eventually, so readers treat a past one as gone.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from leadlists.config import settings
from leadlists.repositories import dynamo, keys
from leadlists.status import ExportStatus

JOB_FIELDS = (
    "id", "source", "listId", "status", "rows", "objectKey", "filename", "error",
    "createdAt", "createdBy", "updatedAt", "expiresAt",
)  # fmt: skip


def _table() -> str:
    return settings().tenant_table


def create(org_id: str, record: Mapping[str, Any]) -> None:
    dynamo.client().put_item(
        TableName=_table(),
        Item=dynamo.to_item({**record, **keys.export_job(org_id, record["id"])}),
        ConditionExpression="attribute_not_exists(pk)",
    )


def delete(org_id: str, export_id: str) -> None:
    """Undo a `create` whose message could not be queued."""
    dynamo.client().delete_item(
        TableName=_table(), Key=dynamo.to_item(keys.export_job(org_id, export_id))
    )


def get(org_id: str, export_id: str, now_epoch: int) -> dict[str, Any] | None:
    """The export record, or None when unknown or expired (even if not yet deleted by TTL)."""
    item = dynamo.get_unexpired(_table(), keys.export_job(org_id, export_id), now_epoch)
    return None if item is None else {k: item[k] for k in JOB_FIELDS if k in item}


def finish(org_id: str, export_id: str, fields: Mapping[str, Any]) -> bool:
    """SET `fields` (a new `status` among them) on a record still `running`; False when it is
    not (already finished by an earlier delivery, or gone)."""
    return dynamo.set_while(
        _table(), keys.export_job(org_id, export_id), fields, ExportStatus.RUNNING
    )
