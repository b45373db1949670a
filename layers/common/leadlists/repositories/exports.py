"""Export files in the export bucket (S3): upload and time-limited download links."""

from __future__ import annotations

from typing import IO, Any, cast
from urllib.parse import quote

from botocore.config import Config

from leadlists import aws_clients
from leadlists.config import settings

# SigV4 presigned URLs; AWS_ENDPOINT_URL (local runtime) makes the link point at the emulator.
_CONFIG = Config(signature_version="s3v4")


def _client() -> Any:
    return aws_clients.client("s3", config=_CONFIG)


def _transfer_client() -> Any:
    """boto3's S3 client, for its managed (multipart, retried) upload: imported by this path
    only, so no other function pays for boto3's package."""
    import boto3

    return boto3.client("s3", config=_CONFIG)


def _bucket() -> str:
    bucket = settings().export_bucket
    if not bucket:
        raise RuntimeError("EXPORT_BUCKET is not configured")
    return bucket


def object_key(org_id: str, list_id: str, stamp: str) -> str:
    """exports/<org>/<list>/<stamp>.csv; the org id is quoted so no id can change the path."""
    return f"exports/{quote(org_id, safe='')}/{quote(list_id, safe='')}/{stamp}.csv"


def upload_csv(key: str, body: IO[bytes], filename: str) -> None:
    _transfer_client().upload_fileobj(
        body,
        _bucket(),
        key,
        ExtraArgs={
            "ContentType": "text/csv; charset=utf-8",
            "ContentDisposition": f'attachment; filename="{filename}"',
        },
    )


def download_url(key: str, seconds: int) -> str:
    url = _client().generate_presigned_url(
        "get_object", Params={"Bucket": _bucket(), "Key": key}, ExpiresIn=seconds
    )
    return cast(str, url)
