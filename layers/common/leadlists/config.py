"""Configuration read once from the environment (set by template.yaml or the local runtime)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Settings:
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
    tenant_copy_queue_url: str = ""
    refresh_segment_size: int = 5000
    refresh_max_segments: int = 1000
    # Must equal the queues' RedrivePolicy maxReceiveCount: the attempt that reaches it is the last.
    max_receive_count: int = 3
    export_bucket: str = ""
    export_url_seconds: int = 3600
    cleanup_queue_url: str = ""
    # Exports above sync_refresh_max_persons rows go to this queue (background export).
    export_queue_url: str = ""
    # Live lists: the index of auto-updated lists' filters and the applied-change marks.
    live_table: str = ""


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
        tenant_copy_queue_url=env.get("TENANT_COPY_QUEUE_URL", ""),
        refresh_segment_size=max(1, int(env.get("REFRESH_SEGMENT_SIZE", "5000"))),
        refresh_max_segments=max(1, int(env.get("REFRESH_MAX_SEGMENTS", "1000"))),
        max_receive_count=max(1, int(env.get("MAX_RECEIVE_COUNT", "3"))),
        export_bucket=env.get("EXPORT_BUCKET", ""),
        export_url_seconds=int(env.get("EXPORT_URL_SECONDS", "3600")),
        cleanup_queue_url=env.get("CLEANUP_QUEUE_URL", ""),
        export_queue_url=env.get("EXPORT_QUEUE_URL", ""),
        live_table=env.get("LIVE_TABLE", ""),
    )
