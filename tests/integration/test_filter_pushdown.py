"""The filter's DynamoDB pushdown against a seeded catalog: the scan finds exactly what the
Python evaluation finds, and the catalog repository's reads."""

from __future__ import annotations

import pytest

from leadlists.filters import Filter, matches
from leadlists.repositories import catalog as catalog_repo

FILTERS = [
    {"countries": ["United States"]},
    {"industries": ["software", "Technology"], "exclude_countries": ["United States"]},
    {"job_titles": ["VP of Sales", "Director"], "company_sizes": ["51-200", "201-500"]},
    {"job_titles": ["Head"], "founded_year": {"min": 1990, "max": 2005}},
    {"keywords": ["analytics"], "seniorities": ["Director"]},
    {"exclude_departments": ["Sales", "Marketing"], "revenues": ["$1B+"]},
    {"countries": ["nowhere", ") OR (#n0 = :v0", "' OR 1=1 --"]},
    {"founded_year": {"max": 1960}},
]


@pytest.mark.parametrize("raw", FILTERS)
def test_pushdown_scan_finds_exactly_what_python_evaluation_finds(catalog, raw):
    flt = Filter.model_validate(raw)
    scanned = [p["id"] for seg in range(3) for p in catalog_repo.matching_persons(flt, seg, 3)]
    expected = {p["id"] for p in catalog["persons"] if matches(flt, p)}
    assert len(scanned) == len(set(scanned))
    assert set(scanned) == expected


def test_every_pushdown_filter_is_selective_and_some_match(catalog):
    counts = [
        sum(matches(Filter.model_validate(raw), p) for p in catalog["persons"]) for raw in FILTERS
    ]
    assert all(c < len(catalog["persons"]) for c in counts)
    assert sum(1 for c in counts if c > 0) >= 5


def test_catalog_stats_count_the_seed(catalog):
    assert catalog_repo.stats() == {"persons": 600, "companies": 60}


def test_catalog_records_hide_internal_attributes(catalog):
    person = catalog["persons"][0]
    found = catalog_repo.get_records("person", [person["id"], "missing"])
    assert found == {person["id"]: person}
