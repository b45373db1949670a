"""Export a saved list's members as CSV to S3, answered with a time-limited download link."""

from __future__ import annotations

import csv
import io
import re
import tempfile
from datetime import timedelta
from itertools import islice

from leadlists.auth import Caller
from leadlists.clock import iso, now
from leadlists.config import settings
from leadlists.models.saved_lists import Contact, ExportResult
from leadlists.repositories import exports, keys, tenant_records
from leadlists.repositories import saved_lists as repo

COLUMNS = list(Contact.model_fields)
_READ_BATCH = 100  # one BatchGetItem of tenant copies per 100 members
_SPOOL_BYTES = 8 * 1024 * 1024  # larger exports spill to /tmp instead of memory
_PHONE = re.compile(r"^[+-]?[\d\s().;+-]+$")  # digits and punctuation: no function call


def export(caller: Caller, list_id: str) -> ExportResult:
    """Stream members (id order) and their tenant copies into a CSV, upload it, link to it."""
    record = repo.require(caller.org_id, list_id)
    moment = now()
    key = exports.object_key(caller.org_id, list_id, moment.strftime("%Y%m%dT%H%M%S%fZ"))
    with tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES) as buffer:
        text = io.TextIOWrapper(buffer, encoding="utf-8", newline="")
        writer = csv.writer(text)
        writer.writerow(COLUMNS)
        rows = 0
        ids = repo.sorted_member_ids(caller.org_id, list_id)
        while batch := list(islice(ids, _READ_BATCH)):
            copies = tenant_records.get_copies(caller.org_id, keys.PERSON, batch)
            for person_id in batch:
                if person_id in copies:
                    writer.writerow(_row(copies[person_id]))
                    rows += 1
        text.flush()
        text.detach()  # keep the buffer open for the upload
        buffer.seek(0)
        exports.upload_csv(key, buffer, filename=f"{_slug(record['name'])}.csv")
    seconds = settings().export_url_seconds
    url = exports.download_url(key, seconds)
    return ExportResult(url=url, expiresAt=iso(moment + timedelta(seconds=seconds)), rows=rows)


def _row(copy: dict) -> list[str]:
    contact = Contact.model_validate(copy).model_dump()
    return [_cell(contact[c]) for c in COLUMNS]


def _cell(value: object) -> str:
    if value is None:
        return ""
    text = ";".join(str(v) for v in value) if isinstance(value, list) else str(value)
    # Spreadsheets run cells starting with = + - @ as formulas; phone numbers stay as they are.
    if text[:1] in ("=", "@", "\t", "\r") or (text[:1] in ("+", "-") and not _PHONE.match(text)):
        return "'" + text
    return text


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-")[:100] or "list"
