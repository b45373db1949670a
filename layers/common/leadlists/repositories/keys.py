"""Every key of both tables. Tenant keys all begin with the organization id (`ORG#<org>#`), so no
two tenants ever share a partition and a leading-key IAM condition can enforce it."""

from __future__ import annotations

from typing import Final

# Tenant table attribute names.
PK, SK = "pk", "sk"
BY_ORG_PK, BY_ORG_SK = "gsi1pk", "gsi1sk"  # GSI "ByOrg": an organization's lists, newest last
DUE_PK, DUE_SK = "duePk", "dueAt"  # sparse GSI "DueForRefresh": only auto-updated lists carry it
# Sparse GSI "ActiveRuns" (KEYS_ONLY): only lists with a queued or running refresh carry it, keyed
# by when that run last showed life (its lease began), so the sweep finds stuck runs by a Query.
ACTIVE_PK, ACTIVE_SK = "activePk", "activeSince"
# Sparse GSI "ByMember" (KEYS_ONLY): member items of saved and lead lists carry the key of the
# tenant copy they use, so "does any list of the organization still hold this record" is a Query.
# Refresh-run member items never carry it: a run holds no copy.
MEMBER_OF = "memberOf"
COPIED_AT = "copiedAt"  # epoch ms of a tenant copy's last write (cleanup's grace period)
# The attributes of a start key (a nextToken) on the table, and on the ByOrg index.
TABLE_KEY = (PK, SK)
BY_ORG_KEY = (PK, SK, BY_ORG_PK, BY_ORG_SK)
META = "#META"
DUE_PARTITION = "AUTO"
ACTIVE_PARTITION = "RUN"

# Global table attribute names.
GLOBAL_PK = "pk"
KIND = "kind"
PERSON, COMPANY = "person", "company"


def _org(org_id: str) -> str:
    return f"ORG#{org_id}"


# Saved lists ------------------------------------------------------------------------------------


def saved_list(org_id: str, list_id: str) -> dict[str, str]:
    return {PK: f"{_org(org_id)}#LIST#{list_id}", SK: META}


def saved_lists_index(org_id: str) -> str:
    return f"{_org(org_id)}#LISTS"


def list_name(org_id: str, name: str) -> dict[str, str]:
    return {PK: f"{_org(org_id)}#LISTNAME#{name.strip().casefold()}", SK: META}


def list_member(org_id: str, list_id: str, person_id: str) -> dict[str, str]:
    return {PK: saved_list(org_id, list_id)[PK], SK: f"MEMBER#{person_id}"}


MEMBER_PREFIX = "MEMBER#"


def member_id(sort_key: str) -> str:
    return (
        sort_key.removeprefix(MEMBER_PREFIX)
        .removeprefix(COMPANY_PREFIX)
        .removeprefix(PERSON_PREFIX)
    )


def parse_saved_list(pk: str) -> tuple[str, str]:
    """(organization id, list id) of a saved list's partition key, e.g. from a KEYS_ONLY index."""
    org_part, sep, list_id = pk.rpartition("#LIST#")
    if not sep or not org_part.startswith("ORG#") or not list_id or "#" in list_id:
        raise ValueError(f"Not a saved-list key: {pk!r}")
    return org_part.removeprefix("ORG#"), list_id


# Refresh runs (fan-out) -------------------------------------------------------------------------
# One partition per run: the run item, a done-marker per segment and per tenant-copy chunk, and
# each segment's matched person ids, sorted, a chunk of them to an item (the finalizer merges the
# segments' sorted chunks into one id order).

RUN_MEMBERS_PREFIX = "MEMBERS#"


def refresh_run(org_id: str, list_id: str, run_id: str) -> dict[str, str]:
    return {PK: f"{saved_list(org_id, list_id)[PK]}#RUN#{run_id}", SK: META}


def run_segment_done(org_id: str, list_id: str, run_id: str, segment: int) -> dict[str, str]:
    return {PK: refresh_run(org_id, list_id, run_id)[PK], SK: f"SEGMENT#{segment:06d}"}


def run_copy_done(
    org_id: str, list_id: str, run_id: str, segment: int, chunk: int
) -> dict[str, str]:
    return {PK: refresh_run(org_id, list_id, run_id)[PK], SK: f"COPY#{segment:06d}#{chunk:06d}"}


RUN_COUNTER_PREFIX = "COUNTER#"


def run_counter(org_id: str, list_id: str, run_id: str, shard: int) -> dict[str, str]:
    """One shard of a run's counters: segments and copy chunks add to different shards, so
    concurrent workers rarely write the same item."""
    return {PK: refresh_run(org_id, list_id, run_id)[PK], SK: f"{RUN_COUNTER_PREFIX}{shard:03d}"}


def run_members_chunk(
    org_id: str, list_id: str, run_id: str, segment: int, chunk: int
) -> dict[str, str]:
    pk = refresh_run(org_id, list_id, run_id)[PK]
    return {PK: pk, SK: f"{RUN_MEMBERS_PREFIX}{segment:06d}#{chunk:06d}"}


def run_members_segment(sort_key: str) -> int:
    return int(sort_key.removeprefix(RUN_MEMBERS_PREFIX).split("#")[0])


# Lead lists -------------------------------------------------------------------------------------

COMPANY_PREFIX = "COMPANY#"
PERSON_PREFIX = "PERSON#"


def lead_list(org_id: str, lead_list_id: str) -> dict[str, str]:
    return {PK: f"{_org(org_id)}#LEADLIST#{lead_list_id}", SK: META}


def lead_lists_index(org_id: str) -> str:
    return f"{_org(org_id)}#LEADLISTS"


def lead_lists_index_sort(created_at: str, lead_list_id: str) -> str:
    """ByOrg sort key of a lead list: oldest first, the id breaking ties."""
    return f"{created_at}#{lead_list_id}"


def lead_list_member_prefix(kind: str) -> str:
    return COMPANY_PREFIX if kind == COMPANY else PERSON_PREFIX


def lead_list_member(org_id: str, lead_list_id: str, kind: str, member: str) -> dict[str, str]:
    return {PK: lead_list(org_id, lead_list_id)[PK], SK: f"{lead_list_member_prefix(kind)}{member}"}


# Tenant copies of catalog records ---------------------------------------------------------------


def tenant_record(org_id: str, kind: str, record_id: str) -> dict[str, str]:
    return {PK: f"{_org(org_id)}#{kind.upper()}#{record_id}", SK: META}


def member_of(org_id: str, kind: str, record_id: str) -> str:
    """The ByMember value of a member item: its tenant copy's partition key."""
    return tenant_record(org_id, kind, record_id)[PK]


def member_record(list_kind: str, sort_key: str) -> tuple[str, str]:
    """(record kind, record id) of a member item's sort key: saved lists hold persons only, lead
    lists say the kind in the prefix."""
    if list_kind == LEAD and sort_key.startswith(COMPANY_PREFIX):
        return COMPANY, sort_key.removeprefix(COMPANY_PREFIX)
    return PERSON, member_id(sort_key)


# The list kinds a cleanup names (Final: typed as their literal values).
SAVED: Final = "saved"
LEAD: Final = "lead"


def list_partition(list_kind: str, org_id: str, list_id: str) -> str:
    """The partition of a saved or lead list: its item and its member items."""
    key = saved_list(org_id, list_id) if list_kind == SAVED else lead_list(org_id, list_id)
    return key[PK]


# Searches ---------------------------------------------------------------------------------------


def search(org_id: str, search_id: str) -> dict[str, str]:
    return {PK: f"{_org(org_id)}#SEARCH#{search_id}", SK: META}


def search_chunk(org_id: str, search_id: str, index: int) -> dict[str, str]:
    """One slice of a search's matched ids, in the search's own partition."""
    return {PK: search(org_id, search_id)[PK], SK: f"CHUNK#{index:06d}"}


# A search over the synchronous budget (fan-out): one item per matched id, sorted by id, and a
# done marker per scan segment, all in the search's own partition.
SEARCH_MATCH_PREFIX = "MATCH#"


def search_match(org_id: str, search_id: str, record_id: str) -> dict[str, str]:
    return {PK: search(org_id, search_id)[PK], SK: f"{SEARCH_MATCH_PREFIX}{record_id}"}


def search_match_id(sort_key: str) -> str:
    return sort_key.removeprefix(SEARCH_MATCH_PREFIX)


def search_segment_done(org_id: str, search_id: str, segment: int) -> dict[str, str]:
    return {PK: search(org_id, search_id)[PK], SK: f"SEGMENT#{segment:06d}"}


SEARCH_COUNTER_PREFIX = "COUNTER#"


def search_counter(org_id: str, search_id: str, shard: int) -> dict[str, str]:
    """One shard of a fanned-out search's counters (`counters`), in the search's partition."""
    return {PK: search(org_id, search_id)[PK], SK: f"{SEARCH_COUNTER_PREFIX}{shard:03d}"}


# Export jobs ------------------------------------------------------------------------------------
# One partition per background export, outside the list's partition: deleting a list's members
# never touches it, and its TTL (`expiresAt`) removes it with the file's lifecycle.


def export_job(org_id: str, export_id: str) -> dict[str, str]:
    return {PK: f"{_org(org_id)}#EXPORT#{export_id}", SK: META}


# API keys and rate-limit counters -----------------------------------------------------------------
# A key's item is found from the secret alone (the authorizer knows no organization before it),
# so its partition is the key id, not the organization; the item names its organization, which
# every read checks. The organization's keys are listed from ByOrg. The item also holds the key's
# rate-limit window: one conditional update a request counts and stamps lastUsedAt.


def api_key(key_id: str) -> dict[str, str]:
    return {PK: f"APIKEY#{key_id}", SK: META}


def api_keys_index(org_id: str) -> str:
    return f"{_org(org_id)}#APIKEYS"


def jwt_rate_counter(org_id: str) -> dict[str, str]:
    """The rate-limit window of an organization's JWT traffic."""
    return {PK: f"{_org(org_id)}#RATE", SK: META}


# Webhooks ---------------------------------------------------------------------------------------
# An organization's endpoints share one partition (publishing reads them in one Query); each
# endpoint's delivery attempts have their own, sorted by time (newest first when read backwards).


def webhooks(org_id: str) -> str:
    return f"{_org(org_id)}#WEBHOOKS"


def webhook(org_id: str, webhook_id: str) -> dict[str, str]:
    return {PK: webhooks(org_id), SK: f"WEBHOOK#{webhook_id}"}


def webhook_deliveries(org_id: str, webhook_id: str) -> str:
    return f"{_org(org_id)}#WEBHOOK#{webhook_id}#DELIVERIES"


def webhook_delivery(
    org_id: str, webhook_id: str, timestamp: str, event_id: str, attempt: int
) -> dict[str, str]:
    return {
        PK: webhook_deliveries(org_id, webhook_id),
        SK: f"{timestamp}#{event_id}#{attempt:03d}",
    }


# Global catalog ---------------------------------------------------------------------------------


def catalog_record(kind: str, record_id: str) -> dict[str, str]:
    return {GLOBAL_PK: f"{kind.upper()}#{record_id}"}


CATALOG_STATS = {GLOBAL_PK: "#STATS"}


# Catalog ingestion (bucket files) ----------------------------------------------------------------
# In the global table beside the records: no `kind` attribute, so catalog scans and the live
# lists' stream consumer pass them over. One job item per file version, one item per chunk
# while the file is imported (removed when it completes).


def ingest_job(file_id: str) -> dict[str, str]:
    return {GLOBAL_PK: f"INGEST#{file_id}"}


def ingest_chunk(file_id: str, stage: str, chunk: int) -> dict[str, str]:
    return {GLOBAL_PK: f"INGEST#{file_id}#{stage.upper()}#{chunk:06d}"}


# Live lists -------------------------------------------------------------------------------------
# LiveTable (no tenant data, so outside the tenant table): the index of auto-updated lists' filters
# (partition = a value a filter requires, sort = the list id) and, per catalog person, the stream
# sequence number of the last change applied (duplicates and stale records are skipped).
LIVE_ANY = "*"  # filters with no whole-value requirement: checked against every change
LIVE_APPLIED_PREFIX = "APPLIED#"
# A change that reached a list while a run owned it, kept in the run's partition for its end.
RUN_CHANGE_PREFIX = "CHANGED#"


def live_bucket(field: str, value: str) -> str:
    """The index partition of the lists requiring `value` (case-insensitive) in `field`."""
    return f"{field}={value.casefold()}"


def live_filter(bucket: str, list_id: str) -> dict[str, str]:
    return {PK: bucket, SK: list_id}


def live_applied(person_id: str) -> dict[str, str]:
    return {PK: f"{LIVE_APPLIED_PREFIX}{person_id}", SK: META}


def run_change(org_id: str, list_id: str, run_id: str, person_id: str) -> dict[str, str]:
    return {PK: refresh_run(org_id, list_id, run_id)[PK], SK: f"{RUN_CHANGE_PREFIX}{person_id}"}


def run_change_id(sort_key: str) -> str:
    return sort_key.removeprefix(RUN_CHANGE_PREFIX)
