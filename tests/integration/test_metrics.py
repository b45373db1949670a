"""The refresh metrics: one self-flushing EMF document on stdout per completed run."""

from __future__ import annotations

import json
from typing import Any

from conftest import ORG_A
from leadlists import metrics
from leadlists.clock import new_id
from leadlists.repositories import saved_lists as repo
from leadlists.services import refresh


def emf_documents(out: str) -> list[dict[str, Any]]:
    """The EMF documents among the captured stdout lines (the JSON logs are there too)."""
    docs = []
    for line in out.splitlines():
        try:
            doc = json.loads(line)
        except ValueError:
            continue
        if isinstance(doc, dict) and "_aws" in doc:
            docs.append(doc)
    return docs


def metric_names(doc: dict[str, Any]) -> set[str]:
    return {m["Name"] for d in doc["_aws"]["CloudWatchMetrics"] for m in d["Metrics"]}


def value(doc: dict[str, Any], name: str) -> float:
    """A metric's one value (EMF writes a list when a metric was added as a list)."""
    found = doc[name]
    if isinstance(found, list):
        assert len(found) == 1, found
        found = found[0]
    return float(found)


def _save(api: Any) -> dict[str, Any]:
    body = {"organizationId": ORG_A, "listName": "US", "contacts_found": 7,
            "filter": {"countries": ["United States"]}}  # fmt: skip
    status, saved, _ = api.post("/lists/save", body)
    assert status == 200, saved
    return saved


def test_a_completed_refresh_publishes_duration_and_members_changed(api, catalog, capsys):
    saved = _save(api)
    capsys.readouterr()
    status, first, _ = api.post(f"/lists/refresh/{saved['id']}")
    assert status == 200 and first["contactsNum"] > 0, first
    docs = emf_documents(capsys.readouterr().out)
    assert len(docs) == 1, docs
    doc = docs[0]
    directive = doc["_aws"]["CloudWatchMetrics"][0]
    # The template's namespace and the service dimension the dashboard charts.
    assert directive["Namespace"] == "leadlists"
    assert ["service"] in directive["Dimensions"] and doc["service"] == "leadlists"
    assert metric_names(doc) == {"RefreshCompleted", "MembersChanged", "RefreshDuration"}
    units = {m["Name"]: m["Unit"] for m in directive["Metrics"]}
    assert units["RefreshDuration"] == "Milliseconds"
    assert value(doc, "RefreshCompleted") == 1
    # The first computation: every member is a change (contacts_found was only an estimate).
    assert value(doc, "MembersChanged") == first["contactsNum"]
    assert 0 <= value(doc, "RefreshDuration") < 60_000
    assert doc["listId"] == saved["id"]

    status, second, _ = api.post(f"/lists/refresh/{saved['id']}")
    assert status == 200 and second["contactsNum"] == first["contactsNum"]
    (again,) = emf_documents(capsys.readouterr().out)
    assert value(again, "MembersChanged") == 0


def test_a_superseded_run_publishes_nothing(api, catalog, capsys):
    saved = _save(api)
    record = repo.require(ORG_A, saved["id"])
    capsys.readouterr()
    assert refresh.complete(record, new_id(), 3, 3) is None  # not the list's current run
    assert emf_documents(capsys.readouterr().out) == []


def test_duration_is_measured_from_refresh_started_at(capsys, monkeypatch):
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "leadlists-staging")
    from datetime import UTC, datetime

    record = {"id": "l-1", "refreshStartedAt": "2024-01-02T10:30:00.000Z",
              "lastSyncedTime": "2024-01-01T00:00:00.000Z", "contactsNum": 10}  # fmt: skip
    metrics.refresh_completed(record, 4, datetime(2024, 1, 2, 10, 30, 2, 500000, tzinfo=UTC))
    (doc,) = emf_documents(capsys.readouterr().out)
    assert doc["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "leadlists-staging"
    assert value(doc, "RefreshDuration") == 2500.0
    assert value(doc, "MembersChanged") == 6


def test_units_are_powertools_metric_units():
    # Plain strings, so that the layer imports Powertools' Metrics only to publish one.
    from aws_lambda_powertools.metrics import MetricUnit

    assert MetricUnit.Count.value == metrics.COUNT
    assert MetricUnit.Milliseconds.value == metrics.MILLISECONDS


def test_throttles_are_counted(capsys):
    metrics.throttled("BatchWriteItem", 3)
    (doc,) = emf_documents(capsys.readouterr().out)
    assert metric_names(doc) == {"Throttles"}
    assert value(doc, "Throttles") == 3 and doc["operation"] == "BatchWriteItem"


def test_a_metric_that_cannot_be_published_never_fails_the_refresh(api, catalog, monkeypatch):
    def broken(**_: Any) -> Any:
        raise RuntimeError("no metrics today")

    monkeypatch.setattr("aws_lambda_powertools.metrics.EphemeralMetrics", broken)
    saved = _save(api)
    status, body, _ = api.post(f"/lists/refresh/{saved['id']}")
    assert status == 200 and body["refreshStatus"] == "idle", body


def test_a_background_refresh_publishes_too(api, catalog, aws, capsys):
    from conftest import drain_queue

    saved = _save(api)  # queued on save
    capsys.readouterr()
    drain_queue(aws, "RefreshQueue", "RefreshWorkerFunction")
    docs = emf_documents(capsys.readouterr().out)
    assert [value(d, "RefreshCompleted") for d in docs] == [1]
    assert docs[0]["listId"] == saved["id"]
