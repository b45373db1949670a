"""The fan-out's pieces without any table: segment sizing, the sorted merge, copy chunks, run
keys, and the template's queue wiring (every work queue has a DLQ, an alarm and one consumer)."""

from __future__ import annotations

import pytest

from leadlists.config import settings
from leadlists.repositories import keys
from leadlists_local import template

CONSUMERS = {  # queue -> function, read from the template's SQS event sources
    q["queue"]: name for name, f in template.functions().items() for q in f.queues
}


def test_segments_grow_with_the_catalog_and_are_bounded(monkeypatch):
    from leadlists.services import coordinator as service

    monkeypatch.setenv("REFRESH_SEGMENT_SIZE", "5000")
    monkeypatch.setenv("REFRESH_MAX_SEGMENTS", "50")
    settings.cache_clear()
    try:
        got = [service.segment_count(n) for n in (0, 1, 5000, 5001, 100_000, 10_000_000)]
    finally:
        settings.cache_clear()
    assert got == [1, 1, 1, 2, 20, 50]


def test_sorted_diff_streams_adds_removes_and_keeps():
    from leadlists.services.merge import diff_sorted

    got = list(diff_sorted(iter(["a", "c", "d", "f"]), iter(["b", "c", "e", "f", "g"])))
    assert got == [
        ("a", 1), ("b", -1), ("c", 0), ("d", 1), ("e", -1), ("f", 0), ("g", -1),
    ]  # fmt: skip
    assert list(diff_sorted(iter([]), iter(["x"]))) == [("x", -1)]
    assert list(diff_sorted(iter(["x"]), iter([]))) == [("x", 1)]


def test_saved_list_keys_parse_back():
    key = keys.saved_list("org#with#hashes", "3f1c9a52-8d6e-4b7a-9c41-2e5d7f0a1b23")[keys.PK]
    assert keys.parse_saved_list(key) == ("org#with#hashes", "3f1c9a52-8d6e-4b7a-9c41-2e5d7f0a1b23")
    for bad in ("LIST#x", "ORG#o#LEADLIST#x", keys.refresh_run("o", "l", "r")[keys.PK]):
        with pytest.raises(ValueError):
            keys.parse_saved_list(bad)


def test_template_wires_queues_dlqs_alarms_and_receive_counts():
    resources = template.load()["Resources"]
    queues = template.resources("AWS::SQS::Queue")
    work_queues = {name for name, q in queues.items() if "RedrivePolicy" in q["Properties"]}
    assert {"RefreshQueue", "RefreshSegmentQueue", "TenantCopyQueue"} <= work_queues
    alarmed = {
        m["MetricStat"]["Metric"]["Dimensions"][0]["Value"]["Fn::GetAtt"][0]
        for a in template.resources("AWS::CloudWatch::Alarm").values()
        for m in a["Properties"].get("Metrics", [])
        if "MetricStat" in m
    }
    for name in work_queues:
        redrive = queues[name]["Properties"]["RedrivePolicy"]
        assert redrive["maxReceiveCount"] == settings().max_receive_count
        assert redrive["deadLetterTargetArn"]["Fn::GetAtt"][0] in alarmed
        assert name in CONSUMERS
    sources = [
        event["Properties"]
        for function in resources.values()
        for event in function.get("Properties", {}).get("Events", {}).values()
        if event["Type"] == "SQS"
    ]
    sources += [
        m["Properties"]
        for m in template.resources("AWS::Lambda::EventSourceMapping").values()
        if m["Properties"]["EventSourceArn"]["Fn::GetAtt"][0] in queues  # streams: test_live_index
    ]
    dead_letter_queues = {
        queues[name]["Properties"]["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]
        for name in work_queues
    }
    consumed = [s["EventSourceArn"]["Fn::GetAtt"][0] for s in sources if "EventSourceArn" in s]
    # Every work queue has its consumer; the DLQs of work with a visible state (a run, a search,
    # an export) have the dead-letter consumer. The others hold nothing a user waits on: cleanup
    # retries by itself, a webhook event's last failure ends there by design, and a catalog file's
    # chunks report their own failure.
    unwatched = {
        "CleanupDeadLetterQueue",
        "WebhookDeadLetterQueue",
        "CatalogIngestDeadLetterQueue",
        "CatalogChunkDeadLetterQueue",
    }
    assert set(consumed) - dead_letter_queues == work_queues
    assert set(consumed) & dead_letter_queues == dead_letter_queues - unwatched
    for source in sources:
        assert source["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    schedules = [s for f in template.functions().values() for s in f.schedules]
    # The due-list scheduler and the stuck-run sweep.
    assert [s["expression"] for s in schedules] == ["rate(15 minutes)"] * 2


def test_leases_are_never_shorter_than_a_redelivery_and_finalizer_leases_lapse_before_one():
    from leadlists.services import finalizer, refresh_leases, run_sweep

    queues = template.resources("AWS::SQS::Queue")
    functions = template.load()["Resources"]

    def visibility(queue: str) -> int:
        return int(queues[queue]["Properties"]["VisibilityTimeout"])

    def timeout(function: str) -> int:
        return int(functions[function]["Properties"]["Timeout"])

    # A queued or running list can be taken over only once its message's redelivery is due.
    assert refresh_leases.RUN_LEASE.total_seconds() >= visibility("RefreshQueue")
    assert refresh_leases.RUN_LEASE.total_seconds() >= visibility("RefreshSegmentQueue")
    # The sweep never fails a run that a message's redelivery would still resume.
    run_queues = ("RefreshQueue", "RefreshSegmentQueue", "TenantCopyQueue")
    assert run_sweep.STUCK_AFTER.total_seconds() >= max(visibility(q) for q in run_queues)
    # A live finalizer keeps its claim; its message's redelivery always finds the claim lapsed.
    assert timeout("RefreshSegmentFunction") <= finalizer.FINALIZE_LEASE_SECONDS
    assert visibility("RefreshSegmentQueue") > finalizer.FINALIZE_LEASE_SECONDS
