"""Background exports: started by the export routes beyond the synchronous budget, written by the
export queue's consumer (their status routes read them back: `export_status`).

The CSV of an export has one object key (derived from its id), so a redelivered message rewrites
the same object, never a second one; a message whose export is no longer `running` does nothing.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from leadlists import clock, queues
from leadlists.models.export_message import ExportMessage
from leadlists.models.exports import ExportStarted, SourceKind
from leadlists.models.message_base import Delivery
from leadlists.repositories import export_jobs as jobs
from leadlists.repositories import exports
from leadlists.repositories import lead_lists as lead_repo
from leadlists.repositories import saved_lists as saved_repo
from leadlists.services import export_csv, export_sources
from leadlists.services.export_status import now_epoch
from leadlists.status import ExportStatus

if TYPE_CHECKING:
    from leadlists.auth import Caller
    from leadlists.services.export_sources import Source

# The export bucket's lifecycle deletes files after 7 days; their records expire with them.
RETENTION = timedelta(days=7)
LIST_DELETED = "The list was deleted before its export was written"


def start(caller: Caller, source: Source) -> ExportStarted:
    """Record a `running` export and queue its writing; a failed send leaves no record."""
    export_id, moment = clock.new_id(), clock.now()
    record = {
        "id": export_id,
        "source": source.kind,
        "listId": source.list_id,
        "status": ExportStatus.RUNNING,
        "objectKey": exports.object_key(source.org_id, source.list_id, export_id),
        "filename": source.name,
        "createdAt": clock.iso(moment),
        "createdBy": caller.user_id,
        "updatedAt": clock.iso(moment),
        "expiresAt": int((moment + RETENTION).timestamp()),
    }
    jobs.create(source.org_id, record)
    try:
        queues.send_export(source.org_id, export_id)
    except Exception:
        jobs.delete(source.org_id, export_id)
        raise
    return ExportStarted(exportId=export_id, status=ExportStatus.RUNNING)


def _current(org_id: str, kind: str, list_id: str) -> Source | None:
    """The list an export record names, as it is now; None when it has been deleted."""
    if kind == SourceKind.SAVED_LIST:
        saved = saved_repo.get(org_id, list_id)
        return export_sources.saved_list(org_id, saved) if saved else None
    lead = lead_repo.get(org_id, list_id)
    return export_sources.lead_list(org_id, lead) if lead else None


def run(message: ExportMessage, delivery: Delivery) -> None:
    """The export queue's step: write the CSV, then mark the export complete."""
    org_id = message.organizationId
    job = jobs.get(org_id, message.exportId, now_epoch())
    if job is None or job["status"] != ExportStatus.RUNNING:
        return  # expired, or finished by an earlier delivery
    source = _current(org_id, job["source"], job["listId"])
    if source is None:
        _finish(message, ExportStatus.FAILED, error=LIST_DELETED)
        return
    rows = export_csv.upload(job["objectKey"], job["filename"], source.columns, source.rows())
    _finish(message, ExportStatus.COMPLETE, rows=rows)


def give_up(message: ExportMessage, reason: str) -> None:
    """After the last attempt failed: the export is `failed`, with a reason a client can read."""
    error = f"The export could not be written after several attempts ({reason})"
    _finish(message, ExportStatus.FAILED, error=error)


def _finish(message: ExportMessage, status: ExportStatus, **fields: Any) -> None:
    update = {"status": status, "updatedAt": clock.now_iso(), **fields}
    jobs.finish(message.organizationId, message.exportId, update)
