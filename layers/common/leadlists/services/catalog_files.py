"""Reading catalog import files: CSV (header row) or JSON lines, streamed from bytes, each record
numbered by its first line and ended by a byte offset, so a file can be cut into byte ranges at
record boundaries and a range parsed alone with its numbers intact."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from leadlists.models.catalog_rows import COLUMNS, Row, RowError, from_csv, parse_row

CSV, JSONL = "csv", "jsonl"
FORMATS = {".csv": CSV, ".jsonl": JSONL, ".ndjson": JSONL}
MAX_LINE_BYTES = 64 * 1024
# A line the reader could not take is handed on as this, and reported from `problems`.
_PLACEHOLDER = "\x00\n"
csv.field_size_limit(MAX_LINE_BYTES)


def file_format(name: str) -> str | None:
    """csv or jsonl from a file name's suffix; None for any other name."""
    dot = name.rfind(".")
    return FORMATS.get(name[dot:].lower()) if dot >= 0 else None


class Lines:
    """The text lines of a byte stream, with the line number and the byte offset reached."""

    def __init__(self, chunks: Iterable[bytes], first_line: int = 1, offset: int = 0) -> None:
        self._chunks = chunks
        self.number = first_line - 1  # of the last line handed out
        self.offset = offset  # just past the last line handed out
        self.problems: dict[int, str] = {}
        self.header: list[str] | None = None  # a CSV file's columns, once read

    def __iter__(self) -> Iterator[str]:
        pending = b""
        skipping = False  # inside a line already reported too long
        for chunk in self._chunks:
            pending += chunk
            *whole, pending = pending.split(b"\n")
            for raw in whole:
                if skipping:
                    skipping = False
                    self.offset += len(raw) + 1
                    continue
                yield self._line(raw, len(raw) + 1)
            if len(pending) > MAX_LINE_BYTES and not skipping:
                yield self._too_long(len(pending))
                pending, skipping = b"", True
            elif skipping:
                self.offset += len(pending)
                pending = b""
        if pending and not skipping:
            yield self._line(pending, len(pending))

    def _line(self, raw: bytes, size: int) -> str:
        at_start = self.offset == 0
        self.number += 1
        self.offset += size
        if len(raw) > MAX_LINE_BYTES:
            self.problems[self.number] = f"line longer than {MAX_LINE_BYTES} bytes"
            return _PLACEHOLDER
        try:
            text = raw.decode("utf-8-sig" if at_start else "utf-8")
        except UnicodeDecodeError:
            self.problems[self.number] = "not UTF-8 text"
            return _PLACEHOLDER
        return text.removesuffix("\r") + "\n"

    def _too_long(self, size: int) -> str:
        self.number += 1
        self.offset += size
        self.problems[self.number] = f"line longer than {MAX_LINE_BYTES} bytes"
        return _PLACEHOLDER


@dataclass(frozen=True)
class Record:
    """One record of a file: its row, or why it was refused."""

    line: int  # the record's first line (1 = the file's first line)
    end: int  # byte offset just past the record
    row: Row | None = None
    reason: str = ""


class HeaderError(ValueError):
    """A CSV header no row can be read with: the whole file is refused."""


def check_header(cells: list[str]) -> list[str]:
    names = [c.strip() for c in cells]
    unknown = [n for n in names if n not in COLUMNS]
    if unknown:
        raise HeaderError(f"unknown column(s): {', '.join(repr(n) for n in unknown)}")
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise HeaderError(f"column(s) given twice: {', '.join(twice)}")
    if "kind" not in names or "id" not in names:
        raise HeaderError("the kind and id columns are required")
    return names


def records(lines: Lines, fmt: str, header: list[str] | None = None) -> Iterator[Record]:
    """The file's records in order, blank lines left out. A CSV file's first row is its header
    (kept as `lines.header`) unless `header` is given, for a range that starts after it; a bad
    header raises HeaderError."""
    if fmt == JSONL:
        yield from _json_records(lines)
    else:
        yield from _csv_records(lines, header)


def _json_records(lines: Lines) -> Iterator[Record]:
    for text in lines:
        if not text.strip():
            continue
        line = lines.number
        if line in lines.problems:
            yield Record(line, lines.offset, reason=lines.problems[line])
            continue
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):
            yield Record(line, lines.offset, reason="not a JSON object")
            continue
        yield _parsed(line, lines.offset, data)


def _parsed(line: int, end: int, data: object) -> Record:
    try:
        return Record(line, end, row=parse_row(data))
    except RowError as exc:
        return Record(line, end, reason=str(exc))


def _csv_records(lines: Lines, header: list[str] | None) -> Iterator[Record]:
    reader = csv.reader(iter(lines))
    before = lines.number  # the last line of the previous record
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield Record(before + 1, lines.offset, reason=f"malformed CSV: {exc}")
            before = lines.number
            continue
        line, before = before + 1, lines.number
        if not cells or not any(c.strip() for c in cells):
            continue
        spanned = range(line, before + 1)
        problem = next((lines.problems[n] for n in spanned if n in lines.problems), "")
        if header is None:
            if problem:
                raise HeaderError(problem)
            header = lines.header = check_header(cells)
            continue
        if problem:
            yield Record(line, lines.offset, reason=problem)
        elif len(cells) > len(header):
            reason = f"{len(cells)} values for {len(header)} columns"
            yield Record(line, lines.offset, reason=reason)
        else:
            yield _csv_record(line, lines.offset, dict(zip(header, cells, strict=False)))


def _csv_record(line: int, end: int, cells: dict[str, str]) -> Record:
    try:
        data = from_csv(cells)
    except RowError as exc:
        return Record(line, end, reason=str(exc))
    return _parsed(line, end, data)
