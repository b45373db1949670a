"""Catalog files put under `incoming/` in the catalog bucket, imported by the catalog import rules.

`start` (an S3 notification) reads the whole file once: it checks every record and cuts the file
into byte ranges at record boundaries. A file with an invalid record gets its report and nothing
else, unless its name or metadata asks to skip invalid records. Otherwise the chunks go through
the chunk queue in stages: every chunk's companies, then (once all are written) every chunk's
persons, which so find their companies. A chunk counts once however often it is delivered: its
item records the counts it read before writing, and one transaction marks it applied and adds
them to the catalog's and the job's counts. The last chunk of the last stage writes the report
`reports/<name>.json` (`running` until then, `complete` or `failed`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, cast

from aws_lambda_powertools import Logger

from leadlists import queues
from leadlists.clock import now_iso
from leadlists.config import settings
from leadlists.models.catalog_messages import CatalogChunkMessage, CatalogFile
from leadlists.models.message_base import CatalogStage, Delivery
from leadlists.repositories import catalog_objects, ingest_jobs
from leadlists.services import catalog_import
from leadlists.services.catalog_files import Lines, file_format

logger = Logger()
SKIP_MARK = ".skip-invalid."  # in an object's name: import its valid records
SKIP_METADATA = "skip-invalid"  # x-amz-meta-skip-invalid: true does the same


def skips_invalid(key: str, metadata: Mapping[str, str]) -> bool:
    name = key.rsplit("/", 1)[-1].lower()
    return SKIP_MARK in name or metadata.get(SKIP_METADATA, "").strip().lower() == "true"


def start(file: CatalogFile) -> None:
    """Check a new file version and queue its first stage (again, if already started)."""
    fmt = file_format(file.key)
    if not file.key.startswith(catalog_objects.INCOMING) or fmt is None:
        logger.warning("Not a catalog file; ignored", extra={"key": file.key})
        return
    job = ingest_jobs.get(file)
    if job is not None:
        if job["stage"] in job["stages"]:  # a redelivered notification: the stage again
            _send_stage(file, job, job["stage"])
        return
    opened = catalog_objects.open_file(file)
    if opened is None:
        logger.warning("Catalog file gone before it was read; ignored", extra={"key": file.key})
        return
    chunks, metadata = opened
    checked = catalog_import.check(Lines(chunks), fmt, settings().catalog_chunk_rows)
    skip = skips_invalid(file.key, metadata)
    report = _report(file, catalog_import.Report(checked), "running", skipInvalid=skip)
    if not checked.importable(skip):
        catalog_objects.put_report(file, {**report, "status": "rejected"})
        return
    stages = checked.kinds
    done = {**report, "status": "complete", "imported": True}  # nothing valid to write
    catalog_objects.put_report(file, report if stages else done)
    fields = {
        "format": fmt,
        "header": checked.header,
        "chunks": [list(c) for c in checked.chunks],
        "stages": stages,
        "stage": stages[0] if stages else ingest_jobs.COMPLETE,
        "createdAt": now_iso(),
    }
    if ingest_jobs.create(file, fields) and stages:
        _send_stage(file, fields, stages[0])


def _report(
    file: CatalogFile, report: catalog_import.Report, status: str, **extra: Any
) -> dict[str, Any]:
    return {
        "file": file.key,
        "version": file.version or file.etag,
        "status": status,
        **extra,
        **report.as_dict(),
    }


def _send_stage(file: CatalogFile, job: Mapping[str, Any], stage: str) -> None:
    messages = (
        CatalogChunkMessage(
            file=file,
            stage=cast(CatalogStage, stage),
            chunk=n,
            start=start,
            end=end,
            firstLine=line,
        )
        for n, (start, end, line, _kinds) in _stage_chunks(job, stage)
    )
    queues.send_catalog_chunks(messages)


def _stage_chunks(job: Mapping[str, Any], stage: str) -> list[tuple[int, Any]]:
    """(index, chunk) of the chunks with records of the stage's kind."""
    return [(n, chunk) for n, chunk in enumerate(job["chunks"]) if stage in chunk[3]]


def run_chunk(message: CatalogChunkMessage, delivery: Delivery) -> None:
    """Write one chunk's records of its stage's kind, once; the last chunk moves the job on."""
    file, stage = message.file, message.stage
    job = ingest_jobs.get(file)
    if job is None or job["stage"] not in job["stages"]:
        return  # finished or failed: a late redelivery
    if job["stages"].index(stage) < job["stages"].index(job["stage"]):
        return  # its stage is over, so this chunk counted
    marker = ingest_jobs.get_chunk(file, stage, message.chunk)
    if marker is None or marker["state"] != ingest_jobs.APPLIED:
        batch = catalog_import.prepare(stage, _rows(message, job))
        counts = {
            "upserted": batch.counts.upserted[stage],
            "deleted": batch.counts.deleted[stage],
            "delta": batch.counts.delta[stage],
        }
        marker = marker or ingest_jobs.start_chunk(file, stage, message.chunk, counts)
        catalog_import.write(batch)
        ingest_jobs.finish_chunk(file, stage, message.chunk, marker)
    _after_chunk(file, stage)


def _rows(message: CatalogChunkMessage, job: Mapping[str, Any]) -> Iterator[Any]:
    data = catalog_objects.read_range(message.file, message.start, message.end)
    lines = Lines(data, message.firstLine, message.start)
    header = job.get("header") if message.start else None  # the first chunk reads it itself
    return catalog_import.valid_rows(lines, job["format"], message.stage, header)


def _after_chunk(file: CatalogFile, stage: str) -> None:
    """When every chunk of the stage counted: queue the next stage, or write the report."""
    job = ingest_jobs.get(file)
    if job is None or int(job.get(f"done_{stage}", 0)) < len(_stage_chunks(job, stage)):
        return
    stages = job["stages"]
    following = stages[stages.index(stage) + 1 :]
    if following:
        _send_stage(file, job, following[0])  # before the stage moves: a crash resends
        ingest_jobs.advance(file, stage, following[0])
        return
    report = catalog_objects.get_report(file)
    counts = catalog_import.Counts()
    for kind in stages:
        counts.upserted[kind] = int(job.get(f"upserted_{kind}", 0))
        counts.deleted[kind] = int(job.get(f"deleted_{kind}", 0))
    done = catalog_import.Report(catalog_import.Check(), counts)
    summary = {k: v for k, v in done.as_dict().items() if k in ("upserted", "deleted")}
    catalog_objects.put_report(file, {**report, **summary, "status": "complete", "imported": True})
    if ingest_jobs.advance(file, stage, ingest_jobs.COMPLETE):
        ingest_jobs.delete_chunks(file, stages, len(job["chunks"]))
        logger.info("Catalog file imported", extra={"key": file.key, **summary})


def give_up(message: CatalogChunkMessage, reason: str) -> None:
    """The chunk failed its last attempt: the job and its report say the file failed."""
    file = message.file
    ingest_jobs.fail(file, reason)
    report = catalog_objects.get_report(file)
    catalog_objects.put_report(file, {**report, "status": "failed", "reason": reason})
