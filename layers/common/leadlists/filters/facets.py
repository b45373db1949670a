"""What the catalog stores for filters to read, apart from the filter model: the attribute each
exact filter field compares with, the lower-cased facet copies of those attributes and the keyword
text, written with every catalog record (an import or a catalog write needs no filter model)."""

from collections.abc import Mapping
from typing import Any

# Filter field -> the catalog attribute it compares with (case-insensitively, whole value).
EXACT_FIELDS: dict[str, str] = {
    "industries": "industry",
    "seniorities": "seniority",
    "departments": "department",
    "countries": "country",
    "cities": "city",
    "company_sizes": "headcount",
    "revenues": "revenue",
    "domains": "companyDomain",
    "company_ids": "companyId",
}
KEYWORD_ATTRIBUTES = ("fullName", "title", "companyName", "companyDescription")


def facet(attribute: str) -> str:
    """The lower-cased shadow attribute the catalog stores for each filterable attribute."""
    return f"f_{attribute}"


# The catalog's lower-cased keyword text (`keyword_text`) of each record.
KEYWORD_FACET = facet("keywords")


def keyword_text(person: Mapping[str, Any]) -> str:
    """The lower-cased text keywords are searched in (also stored as a catalog facet, so a scan
    can pre-select with `contains` exactly what this check accepts)."""
    return " ".join(str(person.get(a) or "") for a in KEYWORD_ATTRIBUTES).casefold()


# Company attribute -> the attribute name `matches` reads.
_RENAMED = {
    "id": "companyId",
    "domain": "companyDomain",
    "name": "companyName",
    "description": "companyDescription",
}


def as_filterable(company: Mapping[str, Any]) -> dict[str, Any]:
    """The company as the attributes `matches` reads."""
    view = dict(company)
    for own, shared in _RENAMED.items():
        view[shared] = company.get(own)
    return view
