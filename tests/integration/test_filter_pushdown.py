"""The filter's DynamoDB pushdown against a seeded catalog: the scan finds exactly what the
Python evaluation finds, and the catalog repository's reads."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from moto import mock_aws

from leadlists.config import settings
from leadlists.filters.evaluate import matches
from leadlists.filters.expression import person_pushdown
from leadlists.filters.model import Filter
from leadlists.repositories import catalog as catalog_repo
from leadlists.repositories import catalog_scans, dynamo, keys

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
    scanned = [p["id"] for seg in range(3) for p in catalog_scans.matching_persons(flt, seg, 3)]
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


# --- Every filter field reaches the scan as its own clause ---------------------------------------
# For each field of the filter model: one value, a person it accepts ("hit") and one that differs
# from it only in that field's attribute ("miss"). The scan with the pushdown alone (no Python
# re-check) must leave the miss out, so dropping a field's clause fails its test; a new filter
# field fails until it gets a row here (and a clause).
_HIT = {
    "industry": "Software",
    "seniority": "VP",
    "department": "Sales",
    "country": "Germany",
    "city": "Berlin",
    "headcount": "51-200",
    "revenue": "$10M-$50M",
    "companyDomain": "acme.example",
    "companyId": "2f1d7a52-8f5e-4f0a-9d7c-3b2a1c0e9f11",
    "title": "VP of Sales",
    "fullName": "Ada Hit",
    "companyName": "Acme",
    "companyDescription": "analytics platform",
    "foundedYear": 2001,
}
# field -> (filter value, the miss's changes); exclude_ twins swap hit and miss.
_FIELDS: dict[str, tuple[Any, dict[str, Any]]] = {
    "industries": (["software"], {"industry": "Retail"}),
    "seniorities": (["VP"], {"seniority": "Director"}),
    "departments": (["Sales"], {"department": "Finance"}),
    "countries": (["Germany"], {"country": "France"}),
    "cities": (["berlin"], {"city": "Paris"}),
    "company_sizes": (["51-200"], {"headcount": "1-10"}),
    "revenues": (["$10M-$50M"], {"revenue": "$1B+"}),
    "domains": (["acme.example"], {"companyDomain": "other.example"}),
    "company_ids": (
        ["2f1d7a52-8f5e-4f0a-9d7c-3b2a1c0e9f11"],
        {"companyId": "7c9e6679-7425-40de-944b-e07fc1f90ae7"},
    ),
    "job_titles": (["vp sales"], {"title": "Account Executive"}),
    "keywords": (["analytics"], {"companyDescription": "logistics"}),
    "founded_year": ({"min": 1995, "max": 2005}, {"foundedYear": 2015}),
}
# Not pushed down, on purpose: a title word match cannot be negated with substring `contains`
# (excluding "VP" would drop "VPN engineer"), so `matches` alone judges it.
_NOT_PUSHED = {"exclude_job_titles"}


def _field_cases() -> list[tuple[str, Any, dict[str, Any], dict[str, Any]]]:
    """(field, filter value, person the clause keeps, person it drops) for every model field."""
    cases = []
    for name in Filter.model_fields:
        if name in _NOT_PUSHED:
            continue
        base = name.removeprefix("exclude_")
        value, change = _FIELDS.get(base, (None, {}))
        hit, miss = dict(_HIT), {**_HIT, **change}
        if name != base:
            hit, miss = miss, hit
        cases.append((name, value, hit, miss))
    return cases


@pytest.fixture(scope="module")
def pushdown_table() -> Iterator[None]:
    """A bare catalog table on in-process moto, shared by the per-field cases (each writes
    its own two persons under fresh ids)."""
    with mock_aws(), pytest.MonkeyPatch.context() as patch:
        patch.setenv("GLOBAL_TABLE", "pushdown-catalog")
        settings.cache_clear()
        dynamo.client.cache_clear()
        dynamo.client().create_table(
            TableName="pushdown-catalog",
            KeySchema=[{"AttributeName": keys.GLOBAL_PK, "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": keys.GLOBAL_PK, "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        yield
    settings.cache_clear()
    dynamo.client.cache_clear()


_CASES = _field_cases()


@pytest.mark.parametrize(("name", "value", "hit", "miss"), _CASES, ids=[c[0] for c in _CASES])
def test_every_filter_field_is_a_clause_of_the_scan(pushdown_table, name, value, hit, miss):
    assert value is not None, f"filter field {name!r} has no pushdown case (and maybe no clause)"
    flt = Filter.model_validate({name: value})
    tag = uuid.uuid4().hex
    hit, miss = {**hit, "id": f"hit-{tag}"}, {**miss, "id": f"miss-{tag}"}
    assert matches(flt, hit) and not matches(flt, miss)  # the case itself is right
    catalog_repo.put_records(keys.PERSON, [hit, miss])
    pushdown = person_pushdown(flt, keys.KIND, keys.PERSON)
    scanned = {p["id"] for p in catalog_repo.scan_segment(keys.PERSON, 0, 1, pushdown)}
    assert hit["id"] in scanned
    assert miss["id"] not in scanned, f"{name} is not pushed down to the scan"


def test_the_fields_left_to_python_are_only_the_documented_ones():
    flt = Filter.model_validate({"exclude_job_titles": ["VP"]})
    assert person_pushdown(flt, keys.KIND, keys.PERSON)["ExpressionAttributeNames"] == {
        "#n0": keys.KIND
    }
    assert set(Filter.model_fields) >= _NOT_PUSHED
