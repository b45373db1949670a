"""Configuration read once from the environment (set by template.yaml or the local runtime)."""

from __future__ import annotations

import os
from functools import lru_cache
from typing import NamedTuple

# Waits (seconds) before each retry of a failed webhook delivery.
WEBHOOK_RETRY_SCHEDULE = (5, 300, 1800, 7200, 18000, 36000, 36000)


# A NamedTuple: every function defines it at its cold start, where a dataclass of this many
# fields would generate and compile its methods' code (a few milliseconds).
class Settings(NamedTuple):
    tenant_table: str
    global_table: str
    claim_user: str
    claim_org: str
    claim_role: str
    admin_role: str
    refresh_queue_url: str
    # A refresh runs inline when the catalog holds at most this many persons.
    sync_refresh_max_persons: int
    max_body_bytes: int = 1024 * 1024
    # Refresh fan-out: one scan segment per this many catalog persons, at most max segments.
    refresh_segment_queue_url: str = ""
    refresh_segment_size: int = 5000
    refresh_max_segments: int = 1000
    # Must equal the queues' RedrivePolicy maxReceiveCount: the attempt that reaches it is the last.
    max_receive_count: int = 3
    export_bucket: str = ""
    export_url_seconds: int = 3600
    cleanup_queue_url: str = ""
    # Exports above sync_refresh_max_persons rows go to this queue (background export).
    export_queue_url: str = ""
    # Catalog ingestion: chunks of a bucket file, each of at most this many records.
    catalog_chunk_queue_url: str = ""
    catalog_chunk_rows: int = 5000
    # Idempotency-Key records of POST and PATCH requests (leadlists/idempotency.py).
    idempotency_table: str = ""
    # The authorizer: JWTs of this issuer and audience, signed by a key of the JWKS (empty URL:
    # the issuer's /.well-known/jwks.json), with these algorithms only.
    jwt_issuer: str = ""
    jwt_audience: str = ""
    jwks_url: str = ""
    jwt_algorithms: tuple[str, ...] = ("RS256",)
    # Requests a minute of one organization's JWT traffic (API keys carry their own limit).
    jwt_rate_limit_per_minute: int = 6000
    # Webhooks: the delivery queue and its DLQ, the waits (seconds) before each retry, and
    # whether loopback targets (http://127.0.0.1:<port>) are allowed: only the local runtime
    # sets WEBHOOK_ALLOW_LOOPBACK, never the template.
    webhook_queue_url: str = ""
    webhook_dead_letter_queue_url: str = ""
    webhook_retry_schedule: tuple[int, ...] = WEBHOOK_RETRY_SCHEDULE
    webhook_allow_loopback: bool = False
    # Live lists: the index of auto-updated lists' filters and the applied-change marks.
    live_table: str = ""
    # The Secrets Manager secret (ARN) whose value keys paging tokens (leadlists/tokens.py).
    paging_token_secret: str = ""


@lru_cache(maxsize=1)
def settings() -> Settings:
    env = os.environ
    return Settings(
        tenant_table=env.get("TENANT_TABLE", "leadlists-tenant"),
        global_table=env.get("GLOBAL_TABLE", "leadlists-global"),
        claim_user=env.get("CLAIM_USER", "sub"),
        claim_org=env.get("CLAIM_ORG", "org_id"),
        claim_role=env.get("CLAIM_ROLE", "org_role"),
        admin_role=env.get("ADMIN_ROLE", "admin"),
        refresh_queue_url=env.get("REFRESH_QUEUE_URL", ""),
        sync_refresh_max_persons=int(env.get("SYNC_REFRESH_MAX_PERSONS", "20000")),
        refresh_segment_queue_url=env.get("REFRESH_SEGMENT_QUEUE_URL", ""),
        refresh_segment_size=max(1, int(env.get("REFRESH_SEGMENT_SIZE", "5000"))),
        refresh_max_segments=max(1, int(env.get("REFRESH_MAX_SEGMENTS", "1000"))),
        max_receive_count=max(1, int(env.get("MAX_RECEIVE_COUNT", "3"))),
        export_bucket=env.get("EXPORT_BUCKET", ""),
        export_url_seconds=int(env.get("EXPORT_URL_SECONDS", "3600")),
        cleanup_queue_url=env.get("CLEANUP_QUEUE_URL", ""),
        export_queue_url=env.get("EXPORT_QUEUE_URL", ""),
        catalog_chunk_queue_url=env.get("CATALOG_CHUNK_QUEUE_URL", ""),
        catalog_chunk_rows=max(1, int(env.get("CATALOG_CHUNK_ROWS", "5000"))),
        idempotency_table=env.get("IDEMPOTENCY_TABLE", ""),
        jwt_issuer=env.get("JWT_ISSUER", ""),
        jwt_audience=env.get("JWT_AUDIENCE", ""),
        jwks_url=env.get("JWKS_URL", ""),
        jwt_algorithms=tuple(
            a.strip() for a in env.get("JWT_ALGORITHMS", "RS256").split(",") if a.strip()
        ),
        jwt_rate_limit_per_minute=max(1, int(env.get("JWT_RATE_LIMIT_PER_MINUTE", "6000"))),
        webhook_queue_url=env.get("WEBHOOK_QUEUE_URL", ""),
        webhook_dead_letter_queue_url=env.get("WEBHOOK_DEAD_LETTER_QUEUE_URL", ""),
        webhook_retry_schedule=_seconds_list(env.get("WEBHOOK_RETRY_SCHEDULE", "")),
        webhook_allow_loopback=env.get("WEBHOOK_ALLOW_LOOPBACK", "") == "true",
        live_table=env.get("LIVE_TABLE", ""),
        paging_token_secret=env.get("PAGING_TOKEN_SECRET", ""),
    )


def _seconds_list(text: str) -> tuple[int, ...]:
    """Seconds from text such as "5,300,1800"; empty text: the default schedule."""
    if not text.strip():
        return WEBHOOK_RETRY_SCHEDULE
    return tuple(max(0, int(part)) for part in text.split(","))
