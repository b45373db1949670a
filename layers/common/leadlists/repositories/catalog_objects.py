"""Catalog files in the catalog bucket (S3): streamed whole or by byte range, and their reports."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from botocore.exceptions import ClientError

from leadlists import aws_clients
from leadlists.models.catalog_messages import CatalogFile

INCOMING, REPORTS = "incoming/", "reports/"
READ_BYTES = 1 << 20


def _client() -> Any:
    # Not cached: the endpoint (AWS_ENDPOINT_URL of a local runtime) may change between runs.
    return aws_clients.client("s3")


def _get(file: CatalogFile, **extra: Any) -> dict[str, Any]:
    request: dict[str, Any] = {"Bucket": file.bucket, "Key": file.key, **extra}
    if file.version:
        request["VersionId"] = file.version
    return dict(_client().get_object(**request))


def open_file(file: CatalogFile) -> tuple[Iterator[bytes], dict[str, str]] | None:
    """The file's bytes, streamed, and its user metadata (x-amz-meta-*); None when the object
    (or that version of it) is gone."""
    try:
        answer = _get(file)
    except ClientError as exc:
        if exc.response["Error"]["Code"] in ("NoSuchKey", "NoSuchVersion"):
            return None
        raise
    return answer["Body"].iter_chunks(READ_BYTES), dict(answer.get("Metadata") or {})


def read_range(file: CatalogFile, start: int, end: int) -> Iterator[bytes]:
    """Bytes [start, end) of the file, streamed."""
    if end <= start:
        return iter(())
    answer = _get(file, Range=f"bytes={start}-{end - 1}")
    return answer["Body"].iter_chunks(READ_BYTES)  # type: ignore[no-any-return]


def report_key(key: str) -> str:
    """reports/<name>.json for incoming/<name>."""
    return f"{REPORTS}{key.removeprefix(INCOMING)}.json"


def put_report(file: CatalogFile, report: Mapping[str, Any]) -> None:
    _client().put_object(
        Bucket=file.bucket,
        Key=report_key(file.key),
        Body=json.dumps(report, indent=1).encode(),
        ContentType="application/json",
    )


def get_report(file: CatalogFile) -> dict[str, Any]:
    answer = _client().get_object(Bucket=file.bucket, Key=report_key(file.key))
    return json.loads(answer["Body"].read())  # type: ignore[no-any-return]
