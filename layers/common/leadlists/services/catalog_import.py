"""Catalog import rules, shared by `leadlists import` and the bucket ingestion: validate a whole
file first (nothing of a file with a bad record is written unless invalid records are skipped),
then write companies before persons, so a person takes the facets of its `companyId`'s company
(from the file or already in the catalog) that it does not state. Writing an id replaces the
record (its facets with it); a `deleted: true` record removes it; the catalog's counts change
only by ids that appear or disappear."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from leadlists.models.catalog_rows import INHERITED, PersonRow, Row
from leadlists.repositories import catalog, keys
from leadlists.services.catalog_files import HeaderError, Lines, records

KINDS = (keys.COMPANY, keys.PERSON)  # the order they are written in
MAX_LISTED = 1000  # rejected records a report lists (it counts them all)
LOCAL_BATCH = 500  # records written at a time by a local import


@dataclass
class Rejected:
    line: int
    reason: str


@dataclass
class Check:
    """A whole file read once: its records counted, its rejections, where to cut it."""

    rows: int = 0
    valid: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    rejected: list[Rejected] = field(default_factory=list)
    rejected_count: int = 0
    header: list[str] | None = None
    fatal: bool = False  # nothing of the file can be read (a bad CSV header)
    # Byte ranges at record boundaries, each of at most `chunk_rows` records: (start, end, first
    # line, the kinds of its valid records), so a stage reads only the ranges it writes from.
    chunks: list[tuple[int, int, int, list[str]]] = field(default_factory=list)

    def reject(self, line: int, reason: str) -> None:
        self.rejected_count += 1
        if len(self.rejected) < MAX_LISTED:
            self.rejected.append(Rejected(line, reason))

    def importable(self, skip_invalid: bool) -> bool:
        return not self.fatal and (skip_invalid or not self.rejected_count)

    @property
    def kinds(self) -> list[str]:
        """The kinds with records to write, in writing order."""
        return [kind for kind in KINDS if self.valid[kind]]


def check(lines: Lines, fmt: str, chunk_rows: int = 0) -> Check:
    """Read a whole file (streamed) without writing anything."""
    result = Check()
    start, first_line, in_chunk, kinds = 0, 1, 0, set[str]()
    try:
        for record in records(lines, fmt):
            result.rows += 1
            if record.row is None:
                result.reject(record.line, record.reason)
            else:
                result.valid[record.row.kind] += 1
                kinds.add(record.row.kind)
            in_chunk += 1
            if chunk_rows and in_chunk >= chunk_rows:
                result.chunks.append((start, record.end, first_line, sorted(kinds)))
                start, first_line, in_chunk, kinds = record.end, lines.number + 1, 0, set()
    except HeaderError as exc:
        result.fatal = True
        result.reject(lines.number, str(exc))
    if in_chunk:
        result.chunks.append((start, lines.offset, first_line, sorted(kinds)))
    result.header = lines.header
    return result


@dataclass
class Counts:
    """What writing some records did, per kind."""

    upserted: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    deleted: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    # The change to the catalog's counts: ids that appeared minus ids that disappeared.
    delta: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))

    def add(self, other: Counts) -> None:
        for mine, theirs in (
            (self.upserted, other.upserted),
            (self.deleted, other.deleted),
            (self.delta, other.delta),
        ):
            for kind in KINDS:
                mine[kind] += theirs[kind]


@dataclass
class Batch:
    """Records of one kind ready to write, and what writing them will change."""

    kind: str
    puts: list[dict[str, Any]]
    deletes: list[str]
    counts: Counts


def prepare(kind: str, rows: Iterable[Row]) -> Batch:
    """The writes for these records of `kind` (the last record of an id wins), persons completed
    with their company's facets, and the counts they change (read before anything is written)."""
    final = {row.id: row for row in rows if row.kind == kind}
    present = catalog.existing_ids(kind, final)
    puts = [row for row in final.values() if not row.deleted]
    deletes = [i for i, row in final.items() if row.deleted and i in present]
    counts = Counts()
    counts.upserted[kind] = len(puts)
    counts.deleted[kind] = len(deletes)
    counts.delta[kind] = sum(row.id not in present for row in puts) - len(deletes)
    return Batch(kind, _records(puts), deletes, counts)


def _records(rows: list[Row]) -> list[dict[str, Any]]:
    company_ids = [r.companyId for r in rows if isinstance(r, PersonRow) and r.companyId]
    companies = catalog.get_records(keys.COMPANY, company_ids) if company_ids else {}
    out = []
    for row in rows:
        record = row.model_dump(exclude_none=True, exclude={"kind", "deleted"})
        company = companies.get(record.get("companyId", ""))
        if company:
            for attribute, source in INHERITED.items():
                if attribute not in record and company.get(source) is not None:
                    record[attribute] = company[source]
        out.append(record)
    return out


def write(batch: Batch) -> None:
    catalog.write_records(batch.kind, batch.puts, batch.deletes)


def valid_rows(lines: Lines, fmt: str, kind: str, header: list[str] | None = None) -> Iterator[Row]:
    """The valid records of one kind (the others were reported by `check`)."""
    for record in records(lines, fmt, header):
        if record.row is not None and record.row.kind == kind:
            yield record.row


def _batches(rows: Iterator[Row], size: int) -> Iterator[list[Row]]:
    batch: list[Row] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


@dataclass
class Report:
    """What an import did: the per-file report of the bucket and the summary of the command."""

    check: Check
    counts: Counts = field(default_factory=Counts)
    imported: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.check.rows,
            "imported": self.imported,
            "upserted": _plural_keys(self.counts.upserted),
            "deleted": _plural_keys(self.counts.deleted),
            "rejectedCount": self.check.rejected_count,
            "rejected": [{"line": r.line, "reason": r.reason} for r in self.check.rejected],
        }


def _plural_keys(by_kind: dict[str, int]) -> dict[str, int]:
    return {"companies": by_kind[keys.COMPANY], "persons": by_kind[keys.PERSON]}


def import_file(open_lines: Callable[[], Lines], fmt: str, skip_invalid: bool = False) -> Report:
    """Import a file in this process (the local path): check it whole, then write it in batches,
    companies first. `open_lines` opens the file afresh for each pass (it is never held)."""
    report = Report(check(open_lines(), fmt))
    if not report.check.importable(skip_invalid):
        return report
    for kind in report.check.kinds:
        for rows in _batches(valid_rows(open_lines(), fmt, kind), LOCAL_BATCH):
            batch = prepare(kind, rows)
            write(batch)
            catalog.add_stats(batch.counts.delta[keys.PERSON], batch.counts.delta[keys.COMPANY])
            report.counts.add(batch.counts)
    report.imported = True
    return report
