"""Reading a background export back: its state, and a fresh download link once it is complete
(the status routes of saved lists and lead lists; a synchronous export answers the same link)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from leadlists import clock
from leadlists.config import settings
from leadlists.errors import FieldError, Invalid, NotFound
from leadlists.models.common import parse_uuid
from leadlists.models.exports import ExportResult, ExportState, SourceKind
from leadlists.repositories import export_jobs as jobs
from leadlists.repositories import exports
from leadlists.repositories import saved_lists as saved_repo
from leadlists.services import lead_list_access
from leadlists.status import ExportStatus

if TYPE_CHECKING:
    from leadlists.auth import Caller


def link(key: str, rows: int) -> ExportResult:
    """A fresh time-limited download link to an export's file."""
    seconds = settings().export_url_seconds
    expires = clock.iso(clock.now() + timedelta(seconds=seconds))
    return ExportResult(url=exports.download_url(key, seconds), expiresAt=expires, rows=rows)


def now_epoch() -> int:
    return int(clock.now().timestamp())


def state(org_id: str, kind: str, list_id: str, export_id: str) -> ExportState:
    """An export of this list: unknown, expired, or another list's is 404."""
    job = jobs.get(org_id, export_id, now_epoch())
    if job is None or job["source"] != kind or job["listId"] != list_id:
        raise NotFound("Export not found")
    status = ExportStatus(job["status"])
    answer = ExportState(exportId=export_id, status=status)
    if status is ExportStatus.COMPLETE:
        done = link(job["objectKey"], int(job["rows"]))
        answer = answer.model_copy(update=done.model_dump())
    elif status is ExportStatus.FAILED:
        answer.error = job.get("error")
    return answer


def saved_list_export(caller: Caller, list_id: str, raw_export_id: str) -> ExportState:
    export_id = _export_id(raw_export_id)  # every id's shape first (400), then lookups (404)
    saved_repo.require(caller.org_id, list_id)
    return state(caller.org_id, SourceKind.SAVED_LIST, list_id, export_id)


def lead_list_export(caller: Caller, raw_id: str, raw_export_id: str) -> ExportState:
    export_id = _export_id(raw_export_id)
    record = lead_list_access.load(caller, raw_id)
    return state(caller.org_id, SourceKind.LEAD_LIST, record["id"], export_id)


def _export_id(raw: str) -> str:
    export_id = parse_uuid(raw)
    if export_id is None:
        raise Invalid("Invalid export id", [FieldError("exportId", "Invalid UUID")])
    return export_id
