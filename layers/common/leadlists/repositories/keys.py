"""Every key of both tables. Tenant keys all begin with the organization id (`ORG#<org>#`), so no
two tenants ever share a partition and a leading-key IAM condition can enforce it."""

from __future__ import annotations

# Tenant table attribute names.
PK, SK = "pk", "sk"
BY_ORG_PK, BY_ORG_SK = "gsi1pk", "gsi1sk"  # GSI "ByOrg": an organization's lists, newest last
DUE_PK, DUE_SK = "duePk", "dueAt"  # sparse GSI "DueForRefresh": only auto-updated lists carry it
META = "#META"
DUE_PARTITION = "AUTO"

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


# Lead lists -------------------------------------------------------------------------------------

COMPANY_PREFIX = "COMPANY#"
PERSON_PREFIX = "PERSON#"


def lead_list(org_id: str, lead_list_id: str) -> dict[str, str]:
    return {PK: f"{_org(org_id)}#LEADLIST#{lead_list_id}", SK: META}


def lead_lists_index(org_id: str) -> str:
    return f"{_org(org_id)}#LEADLISTS"


def lead_list_member(org_id: str, lead_list_id: str, kind: str, member: str) -> dict[str, str]:
    prefix = COMPANY_PREFIX if kind == COMPANY else PERSON_PREFIX
    return {PK: lead_list(org_id, lead_list_id)[PK], SK: f"{prefix}{member}"}


# Tenant copies of catalog records ---------------------------------------------------------------


def tenant_record(org_id: str, kind: str, record_id: str) -> dict[str, str]:
    return {PK: f"{_org(org_id)}#{kind.upper()}#{record_id}", SK: META}


# Searches ---------------------------------------------------------------------------------------


def search(org_id: str, search_id: str) -> dict[str, str]:
    return {PK: f"{_org(org_id)}#SEARCH#{search_id}", SK: META}


# Global catalog ---------------------------------------------------------------------------------


def catalog_record(kind: str, record_id: str) -> dict[str, str]:
    return {GLOBAL_PK: f"{kind.upper()}#{record_id}"}


CATALOG_STATS = {GLOBAL_PK: "#STATS"}
