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
# A phone number by shape: a leading +, then digits and separators only, enough digits to dial.
# Anything else starting with + (such as +1+1) a spreadsheet would compute.
_PHONE = re.compile(r"^\+\d[\d\s().-]*$")
_PHONE_MIN_DIGITS = 7
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


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


def _row(copy: dict[str, object]) -> list[str]:
    contact = Contact.model_validate(copy).model_dump()
    return [_cell(contact[c]) for c in COLUMNS]


def _cell(value: object) -> str:
    """A CSV cell no spreadsheet runs as a formula. List values are joined with `;`, and every
    `;`-separated part is checked: importers that split on `;` would start a cell there."""
    if value is None:
        return ""
    text = ";".join(str(v) for v in value) if isinstance(value, list) else str(value)
    return ";".join(_inert(part) for part in text.split(";"))


def _inert(part: str) -> str:
    if part[:1] not in _FORMULA_START or _is_phone(part):
        return part
    return "'" + part


def _is_phone(part: str) -> bool:
    return bool(_PHONE.match(part)) and sum(c.isdigit() for c in part) >= _PHONE_MIN_DIGITS


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-")[:100] or "list"
