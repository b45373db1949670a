"""The shared filter applied to catalog companies.

`matches` reads person attributes with the company's facets denormalized on them; a company is
judged through `facets.as_filterable`, the one place that maps its own attribute names onto those.
"""

from typing import Any

from pydantic import ConfigDict

from leadlists.errors import FieldError, Invalid
from leadlists.filters.expression import exact_pushdown
from leadlists.filters.facets import EXACT_FIELDS
from leadlists.filters.model import Filter

# Fields that describe a person, never a company: a company search rejects them (they would
# silently match nothing, or everything when excluded).
PERSON_ONLY = ("job_titles", "seniorities", "departments")


def _without_person_fields(schema: dict[str, Any]) -> None:
    for name in PERSON_ONLY:
        for field in (name, f"exclude_{name}"):
            schema["properties"].pop(field, None)


class CompanyFilter(Filter):
    """The filter of a company search: the spec leaves the person-only fields out, and
    `check_company_filter` answers them with a 400 that names each one."""

    model_config = ConfigDict(extra="forbid", strict=True, json_schema_extra=_without_person_fields)


# Exact fields whose attribute a catalog company item carries (with its lower-cased facet) under
# the same name; the rest are left to `matches`, which keeps the pushdown a superset.
_PUSHED = {
    name: attribute
    for name, attribute in EXACT_FIELDS.items()
    if attribute in ("industry", "country", "city", "headcount", "revenue")
}


def check_company_filter(flt: Filter, prefix: str = "filter") -> None:
    """400 naming every person-only field used in a company search."""
    details = [
        FieldError(f"{prefix}.{name}", "Not applicable to a company search")
        for name in flt.used()
        if name.removeprefix("exclude_") in PERSON_ONLY
    ]
    if details:
        raise Invalid("Invalid filter", details)


def company_pushdown(flt: Filter, kind_attribute: str, kind: str) -> dict[str, Any]:
    """Scan keyword arguments selecting companies that may match `flt`."""
    return exact_pushdown(flt, kind_attribute, kind, _PUSHED).kwargs()
