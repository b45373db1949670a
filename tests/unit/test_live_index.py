"""The live-list filter index: a changed person is judged only against the lists filed under
its values (and the few with no whole-value requirement), never against every list, and still
reaches every list whose answer changed."""

from __future__ import annotations

import random
from collections import defaultdict
from typing import Any

import pytest

from leadlists.filters.evaluate import matches
from leadlists.filters.model import Filter
from leadlists.filters.requirements import filter_buckets
from leadlists.repositories.live_filters import Entry
from leadlists.services import live_changes

COUNTRIES = [f"Country {n}" for n in range(100)]
CITIES = [f"City {n}" for n in range(300)]
INDUSTRIES = [f"Industry {n}" for n in range(15)]
SENIORITIES = ["VP", "Director", "Manager", "C-Level"]
COMPANIES = [f"00000000-0000-4000-8000-{n:012d}" for n in range(500)]
LISTS = 10_000
CHANGES = 6  # each checked against all 10,000 lists by brute force


def a_filter(rng: random.Random, n: int) -> dict[str, Any]:
    """A mix of real-world shapes; one in two hundred has no whole-value requirement."""
    if n % 200 == 0:
        return {"job_titles": ["Head of Sales"], "exclude_countries": [rng.choice(COUNTRIES)]}
    shape = n % 4
    if shape == 0:
        return {"countries": rng.sample(COUNTRIES, 2), "seniorities": ["VP"]}
    if shape == 1:
        return {"cities": [rng.choice(CITIES)], "industries": [rng.choice(INDUSTRIES)]}
    if shape == 2:
        return {"company_ids": rng.sample(COMPANIES, 3)}
    return {"industries": [rng.choice(INDUSTRIES)], "countries": [rng.choice(COUNTRIES)]}


def a_person(rng: random.Random) -> dict[str, Any]:
    return {
        "id": "p",
        "title": rng.choice(["Head of Sales", "VP of Sales", "Engineer"]),
        "country": rng.choice(COUNTRIES),
        "city": rng.choice(CITIES),
        "industry": rng.choice(INDUSTRIES),
        "seniority": rng.choice(SENIORITIES),
        "companyId": rng.choice(COMPANIES),
    }


@pytest.fixture(scope="module")
def lists() -> list[Entry]:
    rng = random.Random(13)
    return [
        Entry("org", f"list-{n}", Filter.model_validate(a_filter(rng, n)), None)
        for n in range(LISTS)
    ]


def test_a_change_reads_a_small_part_of_10000_lists_and_finds_every_changed_one(
    lists: list[Entry], monkeypatch: pytest.MonkeyPatch
) -> None:
    index: dict[str, list[Entry]] = defaultdict(list)
    for entry in lists:
        for bucket in filter_buckets(entry.filter.used()):
            index[bucket].append(entry)
    flips: list[tuple[str, bool]] = []
    monkeypatch.setattr(live_changes.filter_index, "is_new", lambda *_: True)
    monkeypatch.setattr(live_changes.filter_index, "mark_applied", lambda *_: None)
    monkeypatch.setattr(live_changes.tenant_records, "put_copies", lambda *_: 0)
    monkeypatch.setattr(
        live_changes,
        "set_membership",
        lambda entry, _person, wanted, _stamp: flips.append((entry.list_id, wanted)),
    )
    rng = random.Random(5)
    read = evaluated = 0
    for n in range(CHANGES):
        old, new = a_person(rng), a_person(rng)
        flips.clear()
        change = live_changes.Change("p", str(n + 1), old, None if n % 10 == 0 else new)
        work = live_changes.apply(change, lambda bucket: index.get(bucket, []))
        expected = {
            (e.list_id, change.new is not None and matches(e.filter, change.new))
            for e in lists
            if matches(e.filter, old) != (change.new is not None and matches(e.filter, new))
        }
        assert set(flips) == expected and len(flips) == work.changed
        reachable = {e.list_id for b in work_buckets(change) for e in index.get(b, [])}
        assert work.evaluations == 2 * len(reachable)
        read, evaluated = read + work.candidates, evaluated + work.evaluations
    # Each change reads the few percent of the lists its values reach, not all 10,000.
    assert read / CHANGES < LISTS / 20
    assert evaluated / CHANGES < 2 * LISTS / 20


def work_buckets(change: live_changes.Change) -> list[str]:
    from leadlists.filters.requirements import person_buckets

    return person_buckets((change.old, change.new))


def test_filters_are_filed_under_their_most_selective_requirement() -> None:
    flt = Filter.model_validate({"countries": ["Germany"], "cities": ["Berlin", "Munich"]})
    assert filter_buckets(flt.used()) == ["cities=berlin", "cities=munich"]
    assert filter_buckets(Filter.model_validate({"keywords": ["cloud"]}).used()) == ["*"]
    assert filter_buckets(Filter.model_validate({"exclude_countries": ["France"]}).used()) == ["*"]


def test_template_streams_the_catalog_to_its_consumer_with_a_dead_letter_queue() -> None:
    from leadlists_local import template

    resources = template.load()["Resources"]
    stream = resources["GlobalTable"]["Properties"]["StreamSpecification"]
    assert stream == {"StreamViewType": "NEW_AND_OLD_IMAGES"}
    (source,) = template.stream_sources()
    assert source["function"] == "CatalogStreamFunction" and source["table"] == "GlobalTable"
    assert source["bisect"] and 0 <= source["max_retries"] <= 10
    mapping = next(
        m["Properties"]
        for m in template.resources("AWS::Lambda::EventSourceMapping").values()
        if m["Properties"]["FunctionName"]["Ref"] == "CatalogStreamFunction"
    )
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    alarmed = {
        m["MetricStat"]["Metric"]["Dimensions"][0]["Value"]["Fn::GetAtt"][0]
        for m in resources["DeadLetterAlarm"]["Properties"]["Metrics"]
        if "MetricStat" in m
    }
    assert source["on_failure"] in alarmed
