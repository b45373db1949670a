"""Scans of the global catalog that match a filter: the pushdown pre-selects, `matches` judges."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from leadlists.filters.companies import company_pushdown
from leadlists.filters.evaluate import matches
from leadlists.filters.expression import person_pushdown
from leadlists.filters.facets import as_filterable
from leadlists.filters.model import Filter
from leadlists.repositories import keys
from leadlists.repositories.catalog import scan_segment


def matching_persons(
    flt: Filter, segment: int = 0, total_segments: int = 1
) -> Iterator[dict[str, Any]]:
    """Persons of one scan segment that match the filter exactly."""
    pushdown = person_pushdown(flt, keys.KIND, keys.PERSON)
    for person in scan_segment(keys.PERSON, segment, total_segments, pushdown):
        if matches(flt, person):
            yield person


def matching_companies(
    flt: Filter, segment: int = 0, total_segments: int = 1
) -> Iterator[dict[str, Any]]:
    """Companies of one scan segment that match the filter exactly."""
    pushdown = company_pushdown(flt, keys.KIND, keys.COMPANY)
    for company in scan_segment(keys.COMPANY, segment, total_segments, pushdown):
        if matches(flt, as_filterable(company)):
            yield company
