"""Export a saved list's or a lead list's members as CSV to S3.

Within the synchronous budget (at most `sync_refresh_max_persons` members) the CSV is written
during the request and answered with a download link (200); beyond it the export runs in the
background (202 with its id, `export_jobs`) and its status route (`export_status`) answers the
link once it is complete.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from leadlists import clock
from leadlists.config import settings
from leadlists.errors import Conflict, FieldError
from leadlists.models.exports import ExportResult, ExportStarted
from leadlists.repositories import exports
from leadlists.repositories import saved_lists as saved_repo
from leadlists.services import export_csv, export_jobs, export_sources, lead_list_access
from leadlists.services.export_status import link
from leadlists.status import RefreshStatus

if TYPE_CHECKING:
    from leadlists.auth import Caller
    from leadlists.services.export_sources import Source


class ExportOutcome(NamedTuple):
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


def _export(caller: Caller, source: Source) -> ExportOutcome:
    budget = settings().sync_refresh_max_persons
    if source.count_beyond(budget) > budget:
        return ExportOutcome(False, export_jobs.start(caller, source))
    stamp = clock.now().strftime("%Y%m%dT%H%M%S%fZ")
    key = exports.object_key(caller.org_id, source.list_id, stamp)
    rows = export_csv.upload(key, source.name, source.columns, source.rows())
    return ExportOutcome(True, link(key, rows))
