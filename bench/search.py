"""Searches at growing catalog sizes, on moto in-process, through the real handlers.

    .venv/bin/python -m bench.search [--sizes 1000,4000,8000] [--segment-size 1000]

For each size: the synchronous search (budget above the catalog: one request scans it all and
holds every match), and the fan-out search (budget 0: 202, then one segment worker a message,
driven by hand) with the peak memory (tracemalloc) of one segment worker call, which must stay
flat while the catalog grows (the synchronous search is traced up to 1,000 persons only:
tracing moto costs ~20x). Then the keywords filter against an exact filter of similar
selectivity: time and catalog items the scan hands back (the keyword facet is pushed down).
Figures are a moto floor (its scan costs ~0.2 ms per returned item), not AWS.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

from bench import use_in_process_env

use_in_process_env()  # before boto3 and the layer read the environment

import boto3  # noqa: E402

from bench import report  # noqa: E402
from bench.refresh import _fast_transactions, environment, seed  # noqa: E402

SECTION = "Search"
BROAD = {"countries": ["United States", "United Kingdom", "Germany", "Canada", "France"]}
EXACT = {"countries": ["Germany"]}
TRACE_SYNC_UP_TO = 1_000
UNKNOWN = "550e8400-e29b-41d4-a716-446655440999"
CLAIMS = {"sub": "user_bench", "org_id": "org_bench", "org_role": "admin"}


def call(method: str, path: str, body: Any = None, query: str = "") -> tuple[int, Any]:
    from leadlists_local import lambdas

    route, params = lambdas.find_route(method, path)
    payload = json.dumps(body) if body is not None else None
    headers = {"content-type": "application/json"}
    request = lambdas.Request(method, path, route, params, headers, query)
    event = lambdas.http_event(request, CLAIMS, payload)
    answer = lambdas.invoke(route.function, event)
    return answer["statusCode"], json.loads(answer["body"])


def traced(action: Callable[[], Any]) -> tuple[Any, float, float]:
    """The action's result, seconds and peak MiB (tracemalloc, so seconds are inflated)."""
    tracemalloc.start()
    start = time.perf_counter()
    try:
        result = action()
    finally:
        seconds = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    return result, seconds, peak


def timed(action: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    result = action()
    return result, time.perf_counter() - start


def scanned_items() -> list[int]:
    """A running count of the items every Scan answer carries (a one-element list)."""
    from leadlists.repositories import dynamo

    count = [0]

    def after(parsed: dict[str, Any], **_: Any) -> None:
        count[0] += len(parsed.get("Items", []))

    dynamo.client().meta.events.register("after-call.dynamodb.Scan", after)
    return count


def set_budget(persons: int) -> None:
    from leadlists.config import settings

    os.environ["SYNC_REFRESH_MAX_PERSONS"] = str(persons)
    settings.cache_clear()


def drain_segments(created: dict[str, Any]) -> tuple[int, float, float]:
    """Every search segment, one message a call; (segments, seconds, peak MiB of one traced)."""
    from leadlists_local import lambdas

    sqs, queue = boto3.client("sqs", region_name="us-east-1"), created["queues"]
    url, arn = queue["RefreshSegmentQueue"]["url"], queue["RefreshSegmentQueue"]["arn"]
    segments, seconds, peak = 0, 0.0, 0.0
    while got := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1).get("Messages", []):
        event = lambdas.sqs_event(got, arn)
        run = lambda event=event: lambdas.invoke("RefreshSegmentFunction", event)  # noqa: E731
        if segments == 0:
            _, took, peak = traced(run)
        else:
            _, took = timed(run)
        seconds += took
        segments += 1
        sqs.delete_message(QueueUrl=url, ReceiptHandle=got[0]["ReceiptHandle"])
    return segments, seconds, peak


def run_size(persons: int, segment_size: int) -> dict[str, Any]:
    from leadlists.config import settings

    with environment() as created:
        os.environ["REFRESH_SEGMENT_SIZE"] = str(segment_size)
        settings.cache_clear()
        seed(persons)
        scanned = scanned_items()
        row: dict[str, Any] = {"persons": persons, "sync_mib": None}
        set_budget(persons)  # within budget: one synchronous request
        warm_up()
        search = lambda: call("POST", "/api/v1/search/prospects", {"filter": BROAD})  # noqa: E731
        (status, page), row["sync_s"] = timed(search)
        assert status == 200, page
        row["total"] = page["total"]
        if persons <= TRACE_SYNC_UP_TO:  # tracing moto costs ~20x: only the smaller catalogs
            _, _, row["sync_mib"] = traced(search)
        set_budget(0)  # beyond it: 202, then the segment workers
        (status, started), row["start_s"] = timed(
            lambda: call("POST", "/api/v1/search/prospects", {"filter": BROAD})
        )
        assert status == 202, started
        row["segments"], row["segments_s"], row["segment_mib"] = drain_segments(created)
        path = f"/api/v1/search/{started['searchId']}"
        (status, state), row["get_s"] = timed(lambda: call("GET", path, query="pageSize=100"))
        assert status == 200 and state["total"] == row["total"], state
        set_budget(persons)
        for name, flt in (("exact", EXACT), ("keyword", keyword_filter())):
            before = scanned[0]
            (status, page), row[f"{name}_s"] = timed(
                lambda flt=flt: call("POST", "/api/v1/search/prospects", {"filter": flt})
            )
            assert status == 200, page
            row[f"{name}_scanned"], row[f"{name}_total"] = scanned[0] - before, page["total"]
        return row


def warm_up() -> None:
    """Import every handler and build its models first: a cold start is not what is traced."""
    from leadlists_local import lambdas

    for function in ("SearchProspectsFunction", "GetSearchFunction", "RefreshSegmentFunction"):
        lambdas.load_handler(function)
    call("POST", "/api/v1/search/prospects", {"filter": {"company_ids": [UNKNOWN]}})
    call("GET", f"/api/v1/search/{UNKNOWN}")


def keyword_filter() -> dict[str, Any]:
    """A keyword of one synthetic company name: a small share of the catalog, like EXACT."""
    from leadlists_local import catalog as synthetic

    word = synthetic.companies(1, seed=1)[0]["name"].split()[0]
    return {"keywords": [word.lower()]}


def mib(value: float | None) -> str:
    return "not traced" if value is None else f"{value:.1f}"


def table(rows: list[dict[str, Any]]) -> list[str]:
    lines = [
        "| catalog persons | matches | sync search s | sync peak MiB | 202 answer s | segments "
        "| segments s (sum) | one segment worker peak MiB | GET page s |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['persons']:,} | {r['total']:,} | {r['sync_s']:.1f} | {mib(r['sync_mib'])} | "
            f"{r['start_s']:.2f} | {r['segments']} | {r['segments_s']:.1f} | "
            f"{r['segment_mib']:.1f} | {r['get_s']:.2f} |"
        )
    lines += [
        "",
        f"Keywords against an exact filter (`{json.dumps(EXACT)}`), synchronous search:",
        "",
        "| catalog persons | exact s | exact items scanned | exact matches | keywords s "
        "| keywords items scanned | keywords matches |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['persons']:,} | {r['exact_s']:.2f} | {r['exact_scanned']:,} | "
            f"{r['exact_total']:,} | {r['keyword_s']:.2f} | {r['keyword_scanned']:,} | "
            f"{r['keyword_total']:,} |"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.search", description=__doc__)
    parser.add_argument("--sizes", default="1000,4000,8000", help="catalog persons, a,b,c")
    parser.add_argument("--segment-size", type=int, default=1000)
    parser.add_argument("--no-write", action="store_true", help="do not update results.md")
    args = parser.parse_args(argv)
    sizes = sorted(int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip())
    _fast_transactions()
    print(f"machine: {report.machine_line()}", flush=True)
    rows = []
    for persons in sizes:
        rows.append(run_size(persons, args.segment_size))
        print(json.dumps(rows[-1]), flush=True)
    lines = table(rows)
    print("\n".join(lines))
    if not args.no_write:
        command = "python -m bench.search " + " ".join(argv or sys.argv[1:])
        body = [
            f"`{command.strip()}`, {report.now()}.",
            "",
            f"Broad filter `{json.dumps(BROAD)}` (~60% of persons). The synchronous search holds "
            "every match in one request (why the budget exists); a fan-out segment worker "
            "writes its matches a few hundred at a time, so its peak stays flat in catalog "
            "size. Peaks are tracemalloc's (including moto's in-process page buffers), "
            "measured in a second, traced call; times are untraced (the segment total "
            "includes one traced segment). Segments run one at a time here; "
            "on AWS they run in parallel.",
            "",
            *lines,
        ]
        report.write_section(SECTION, body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
