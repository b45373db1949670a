"""Helpers shared by the export tests: the synchronous budget, export messages, stored files."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from conftest import ORG_A
from leadlists.config import settings
from leadlists_local import lambdas


def set_budget(monkeypatch: pytest.MonkeyPatch, rows: int) -> None:
    """Exports of more than `rows` members go to the background from now on."""
    monkeypatch.setenv("SYNC_REFRESH_MAX_PERSONS", str(rows))
    settings.cache_clear()


def export_objects(aws: dict[str, Any], list_id: str, org: str = ORG_A) -> list[str]:
    """The keys of every export file of one list."""
    bucket = aws["buckets"]["ExportBucket"]
    answer = boto3.client("s3", region_name="us-east-1").list_objects_v2(
        Bucket=bucket, Prefix=f"exports/{org}/{list_id}/"
    )
    return [o["Key"] for o in answer.get("Contents", [])]


def deliver_export(export_id: str, receive_count: int = 1, org: str = ORG_A) -> dict[str, Any]:
    """Deliver one export message straight to ExportFunction, as attempt `receive_count`."""
    body = {"type": "export", "organizationId": org, "exportId": export_id}
    message = {
        "MessageId": f"m-{export_id}",
        "ReceiptHandle": "r",
        "Body": json.dumps(body),
        "Attributes": {"ApproximateReceiveCount": str(receive_count)},
    }
    return lambdas.invoke("ExportFunction", lambdas.sqs_event([message], "arn:export"))
