"""Which index buckets a filter lives in, and which buckets a changed person can reach.

A filter that requires one of a few whole values in some field can only match persons holding
one of them: it is filed under each of those values of one field (the most selective it uses), so
a change is checked only against the lists filed under the changed person's values. A filter
without such a requirement (only titles, keywords, exclusions, years) goes in `LIVE_ANY`, which
every change reads.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from leadlists.filters.facets import EXACT_FIELDS
from leadlists.repositories.keys import LIVE_ANY, live_bucket

# Most selective first (by how many values a field takes in a catalog): a filter is filed
# under the first of these it requires.
INDEX_ORDER = (
    "company_ids",
    "domains",
    "cities",
    "countries",
    "industries",
    "revenues",
    "company_sizes",
    "departments",
    "seniorities",
)
if set(INDEX_ORDER) != set(EXACT_FIELDS):  # a new exact field must be given its place here
    raise RuntimeError("INDEX_ORDER must name every exact filter field")


def filter_buckets(used: Mapping[str, Any]) -> list[str]:
    """The buckets a filter is filed under (one per required value of one field), from its used
    (normalized) form: a `Filter.used()`, or a saved list's `usedFilter`."""
    for name in INDEX_ORDER:
        values = used.get(name)
        if values:
            return sorted({live_bucket(name, v) for v in values})
    return [LIVE_ANY]


def person_buckets(images: Iterable[Mapping[str, Any] | None]) -> list[str]:
    """Every bucket holding a list that one of the images (old, new) may match."""
    found = {LIVE_ANY}
    for image in images:
        for name, attribute in EXACT_FIELDS.items():
            value = (image or {}).get(attribute)
            if isinstance(value, str) and value:
                found.add(live_bucket(name, value))
    return sorted(found)
