"""Each function's environment in template.yaml matches what its policies and events let it use:
a table, queue or bucket setting where the policies name that resource, the claim names where an
HttpApi route invokes it, and nowhere else (the settings have defaults, so a missing one would
only show as a wrong table or an unconfigured queue at run time)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from leadlists_local import template

# Setting -> the resource whose use it names (queues: only where the function sends to them).
RESOURCE_SETTINGS = {
    "TENANT_TABLE": "TenantTable",
    "GLOBAL_TABLE": "GlobalTable",
    "REFRESH_QUEUE_URL": "RefreshQueue",
    "REFRESH_SEGMENT_QUEUE_URL": "RefreshSegmentQueue",
    "EXPORT_BUCKET": "ExportBucket",
    "CLEANUP_QUEUE_URL": "CleanupQueue",
    "EXPORT_QUEUE_URL": "ExportQueue",
    "CATALOG_CHUNK_QUEUE_URL": "CatalogChunkQueue",
    "IDEMPOTENCY_TABLE": "IdempotencyTable",
    "WEBHOOK_QUEUE_URL": "WebhookQueue",
    "WEBHOOK_DEAD_LETTER_QUEUE_URL": "WebhookDeadLetterQueue",
    "LIVE_TABLE": "LiveTable",
    "PAGING_TOKEN_SECRET": "PagingTokenSecret",
}
CLAIM_SETTINGS = {"CLAIM_USER", "CLAIM_ORG", "CLAIM_ROLE", "ADMIN_ROLE"}
# Globals hold what every function of the service reads; the identity provider's token trigger
# is no service function and reads none of it, but SAM gives every function the Globals.
# Catalog ingestion writes the global table only.
GLOBAL_ONLY = {
    name: {"TENANT_TABLE"}
    for name in ("CognitoPreTokenFunction", "CatalogIngestFunction", "CatalogChunkFunction")
}


def _used(function: dict[str, Any]) -> set[str]:
    """Resources named by the function's statements (SendMessage only, for queues)."""
    used = set()
    for policy in function["Properties"].get("Policies", []):
        for statement in policy.get("Statement", []):
            actions = statement["Action"]
            actions = actions if isinstance(actions, list) else [actions]
            text = json.dumps(statement["Resource"])
            if "StreamArn" in text:
                continue  # a table's stream is read by the event source mapping, not the code
            for setting, resource in RESOURCE_SETTINGS.items():
                if f'"{resource}' in text or "${" + resource in text:
                    queue = setting.endswith("_QUEUE_URL")
                    if not queue or "sqs:SendMessage" in actions:
                        used.add(setting)
    return used


@pytest.mark.parametrize("name", sorted(template.functions()))
def test_function_environment_matches_its_policies_and_routes(name: str) -> None:
    function = template.functions()[name]
    env = set(function.environment) - GLOBAL_ONLY.get(name, set())
    used = _used(template.load()["Resources"][name])
    assert env & set(RESOURCE_SETTINGS) == used
    http = bool(function.routes) or name == template.authorizer_function()
    assert env & CLAIM_SETTINGS == (CLAIM_SETTINGS if http else set())
