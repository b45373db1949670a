"""The filter model and its exact evaluation, without any table: validation, normalization,
matching semantics."""

from __future__ import annotations

import pytest

from leadlists.errors import Invalid
from leadlists.filters.evaluate import matches
from leadlists.filters.model import Filter, parse_filter

PERSON = {
    "id": "p1",
    "fullName": "Ada Lovelace",
    "title": "VP of Sales",
    "seniority": "VP",
    "department": "Sales",
    "country": "United States",
    "city": "Austin",
    "industry": "Software",
    "headcount": "51-200",
    "revenue": "$10M-$50M",
    "companyDomain": "acme.com",
    "companyId": "11111111-1111-4111-8111-111111111111",
    "companyName": "Acme Labs Inc",
    "companyDescription": "Acme builds analytics products.",
    "foundedYear": 2010,
}


def test_normalizes_by_trimming_and_deduplicating_case_insensitively():
    flt = parse_filter({"countries": [" United States ", "united states", "Germany"]})
    assert flt.used() == {"countries": ["United States", "Germany"]}


def test_normalizes_domains_and_company_ids():
    flt = parse_filter(
        {"domains": ["WWW.Acme.com", "acme.com"], "company_ids": [PERSON["companyId"].upper()]}
    )
    assert flt.used() == {"domains": ["acme.com"], "company_ids": [PERSON["companyId"]]}


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({}, "filter"),
        ({"colours": ["red"]}, "filter.colours"),
        ({"countries": []}, "filter.countries"),
        ({"countries": "United States"}, "filter.countries"),
        ({"countries": [1]}, "filter.countries.0"),
        ({"countries": ["   "]}, "filter.countries.0"),
        ({"countries": ["x" * 201]}, "filter.countries.0"),
        ({"countries": ["c"] * 101}, "filter.countries"),
        ({"company_ids": ["not-a-uuid"]}, "filter"),
        ({"founded_year": {"min": 2020, "max": 2010}}, "filter.founded_year"),
        ({"founded_year": {}}, "filter.founded_year"),
        ({"founded_year": {"min": True}}, "filter.founded_year.min"),
        ({"founded_year": {"min": "2000"}}, "filter.founded_year.min"),
    ],
)
def test_rejects_bad_filters_naming_the_field(raw, field):
    with pytest.raises(Invalid) as caught:
        parse_filter(raw)
    assert field in {d.field for d in caught.value.details}


def test_rejects_a_non_object_filter():
    with pytest.raises(Invalid):
        parse_filter(["countries"])


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"countries": ["united states"]}, True),
        ({"countries": ["Germany"]}, False),
        ({"countries": ["Germany", "United States"]}, True),
        ({"countries": ["United States"], "industries": ["Retail"]}, False),
        ({"exclude_countries": ["United States"]}, False),
        ({"job_titles": ["vp sales"]}, True),
        ({"job_titles": ["Sales"]}, True),
        ({"job_titles": ["VP Marketing"]}, False),
        ({"job_titles": ["Sal"]}, False),
        ({"exclude_job_titles": ["vp"]}, False),
        ({"keywords": ["analytics"]}, True),
        ({"keywords": ["lovelace"]}, True),
        ({"exclude_keywords": ["acme"]}, False),
        ({"founded_year": {"min": 2010, "max": 2010}}, True),
        ({"founded_year": {"min": 2011}}, False),
        ({"founded_year": {"max": 2000}}, False),
        ({"company_sizes": ["51-200"], "revenues": ["$10M-$50M"]}, True),
        ({"domains": ["www.ACME.com"]}, True),
        ({"seniorities": ["vp"], "departments": ["sales"], "cities": ["Austin"]}, True),
    ],
)
def test_matches_fields_and_and_or_semantics(raw, expected):
    assert matches(Filter.model_validate(raw), PERSON) is expected


def test_missing_attribute_never_matches_an_include_but_passes_an_exclude():
    person = {"id": "p2", "title": "Engineer"}
    assert not matches(Filter.model_validate({"countries": ["Germany"]}), person)
    assert matches(Filter.model_validate({"exclude_countries": ["Germany"]}), person)
    assert not matches(Filter.model_validate({"founded_year": {"min": 1900}}), person)
