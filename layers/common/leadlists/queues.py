"""Messages to the background queues (SQS)."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

import boto3
from aws_lambda_powertools import Logger

from leadlists.config import settings

logger = Logger()


@lru_cache(maxsize=1)
def _client() -> Any:
    return boto3.client("sqs")


def send_refresh_request(org_id: str, list_id: str, run_id: str) -> bool:
    """Queue a list's computation. False (and a warning) when no queue is configured."""
    url = settings().refresh_queue_url
    if not url:
        logger.warning(
            "REFRESH_QUEUE_URL is not set; refresh not queued", extra={"listId": list_id}
        )
        return False
    body = {"type": "refresh", "organizationId": org_id, "listId": list_id, "runId": run_id}
    _client().send_message(QueueUrl=url, MessageBody=json.dumps(body))
    return True
