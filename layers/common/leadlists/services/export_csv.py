"""CSV writing for exports: cells no spreadsheet runs as a formula, rows streamed through a
spooled temporary file into a (multipart when large) upload, so memory stays flat at any size."""

from __future__ import annotations

import csv
import io
import re
import tempfile
from collections.abc import Iterable, Sequence

from leadlists.repositories import exports

_SPOOL_BYTES = 8 * 1024 * 1024  # larger exports spill to /tmp instead of memory
# A phone number by shape: a leading +, then digits and separators only, enough digits to dial.
# Anything else starting with + (such as +1+1) a spreadsheet would compute.
_PHONE = re.compile(r"^\+\d[\d\s().-]*$")
_PHONE_MIN_DIGITS = 7
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def upload(key: str, name: str, columns: Sequence[str], rows: Iterable[Sequence[str]]) -> int:
    """Write the header and `rows` as CSV to object `key` (downloaded as `<name>.csv`); returns
    the rows written."""
    written = 0
    with tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES) as buffer:
        text = io.TextIOWrapper(buffer, encoding="utf-8", newline="")
        writer = csv.writer(text)
        writer.writerow(columns)
        for row in rows:
            writer.writerow(row)
            written += 1
        text.flush()
        text.detach()  # keep the buffer open for the upload
        buffer.seek(0)
        exports.upload_csv(key, buffer, filename=f"{slug(name)}.csv")
    return written


def cell(value: object) -> str:
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


def slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-")[:100] or "list"
