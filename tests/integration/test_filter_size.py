"""A filter whose stored form would pass the documented cap is a 400 naming the filter, before
any work: never a 500 from DynamoDB's 400 KB item limit, and nothing is written."""

from __future__ import annotations

import pytest

from conftest import ORG_A
from leadlists.filters.size import MAX_FILTER_BYTES
from leadlists.repositories import saved_lists as repo


def huge_filter() -> dict[str, list[str]]:
    # Every field within its own limits (100 values of 200 characters), together ~440 KB.
    fields = ["industries", "job_titles", "countries", "cities", "keywords", "exclude_cities"]
    return {f: [f"{f}-{n:03d}-" + "x" * 180 for n in range(100)] for f in fields}


def fitting_filter() -> dict[str, list[str]]:
    return {"cities": [f"city-{n:03d}-" + "y" * 180 for n in range(100)]}  # ~20 KB


def test_an_oversized_filter_is_refused_on_save_and_nothing_is_written(api, catalog):
    body = {"organizationId": ORG_A, "listName": "Huge", "contacts_found": 0}
    status, answer, _ = api.post("/lists/save", {**body, "filter": huge_filter()})
    assert status == 400, answer
    assert answer["code"] == "BAD_REQUEST"
    assert [d["field"] for d in answer["details"]] == ["filter"]
    assert str(MAX_FILTER_BYTES) in answer["details"][0]["message"]
    assert repo.page(ORG_A, 100, None)[0] == []


def test_a_large_filter_within_the_cap_is_saved(api, catalog):
    body = {"organizationId": ORG_A, "listName": "Large", "contacts_found": 0}
    status, answer, _ = api.post("/lists/save", {**body, "filter": fitting_filter()})
    assert status == 200, answer
    assert len(answer["usedFilter"]["cities"]) == 100


@pytest.mark.parametrize("path", ["/api/v1/search/prospects", "/api/v1/search/companies"])
def test_an_oversized_search_filter_is_refused(api, catalog, path):
    flt = huge_filter()
    if path.endswith("companies"):
        flt = {k: v for k, v in flt.items() if k not in ("job_titles",)}
    status, answer, _ = api.post(path, {"filter": flt})
    assert status == 400, answer
    assert [d["field"] for d in answer["details"]] == ["filter"]
