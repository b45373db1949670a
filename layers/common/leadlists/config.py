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
    )
