"""Export a saved list's or a lead list's members as CSV to S3.

Within the synchronous budget (at most `sync_refresh_max_persons` members) the CSV is written
during the request and answered with a download link (200); beyond it the export runs in the
background (202 with its id) and its status route answers the link once it is complete.
"""

from __future__ import annotations

from dataclasses import dataclass

from leadlists import clock
from leadlists.auth import Caller
from leadlists.config import settings
from leadlists.errors import Conflict, FieldError, Invalid
from leadlists.models.common import parse_uuid
from leadlists.models.exports import ExportResult, ExportStarted, ExportState
from leadlists.repositories import exports
from leadlists.repositories import saved_lists as saved_repo
from leadlists.services import export_csv, export_jobs, export_sources, lead_list_access
from leadlists.services.export_sources import Source, SourceKind
from leadlists.status import RefreshStatus


@dataclass(frozen=True)
class ExportOutcome:
    """`done`: written within the request (200); otherwise started in the background (202)."""

    done: bool
    body: ExportResult | ExportStarted


def export_saved_list(caller: Caller, list_id: str) -> ExportOutcome:
    record = saved_repo.require(caller.org_id, list_id)
    if record.get("refreshStatus") == RefreshStatus.RUNNING:
        # Its members are being rewritten: a file now would mix two refreshes.
        raise Conflict(
            "The list is being refreshed; export it once its refreshStatus is idle",
            [FieldError("id", "Refresh running")],
        )
    return _export(caller, export_sources.saved_list(caller.org_id, record))


def export_lead_list(caller: Caller, raw_id: str) -> ExportOutcome:
    record = lead_list_access.load(caller, raw_id)  # the lead-list routes' id check and access rule
    return _export(caller, export_sources.lead_list(caller.org_id, record))


def saved_list_export(caller: Caller, list_id: str, raw_export_id: str) -> ExportState:
    export_id = _export_id(raw_export_id)  # every id's shape first (400), then lookups (404)
    saved_repo.require(caller.org_id, list_id)
    return export_jobs.state(caller.org_id, SourceKind.SAVED_LIST, list_id, export_id)


def lead_list_export(caller: Caller, raw_id: str, raw_export_id: str) -> ExportState:
    export_id = _export_id(raw_export_id)
    record = lead_list_access.load(caller, raw_id)
    return export_jobs.state(caller.org_id, SourceKind.LEAD_LIST, record["id"], export_id)


def _export(caller: Caller, source: Source) -> ExportOutcome:
    budget = settings().sync_refresh_max_persons
    if source.count_beyond(budget) > budget:
        return ExportOutcome(False, export_jobs.start(caller, source))
    stamp = clock.now().strftime("%Y%m%dT%H%M%S%fZ")
    key = exports.object_key(caller.org_id, source.list_id, stamp)
    rows = export_csv.upload(key, source.name, source.columns, source.rows())
    return ExportOutcome(True, export_jobs.link(key, rows))


def _export_id(raw: str) -> str:
    export_id = parse_uuid(raw)
    if export_id is None:
        raise Invalid("Invalid export id", [FieldError("exportId", "Invalid UUID")])
    return export_id
