"""Fan-out refresh at growing catalog sizes, on moto in-process (the fastest emulator here).

    .venv/bin/python -m bench.refresh [--sizes 10000,50000,100000] [--segment-size 5000]

For each size: seed the global catalog, save a list with a broad filter, run its refresh to
completion by driving the queues through the real handlers (coordinator, one segment at a time,
tenant-copy chunks, finalize), and report segments, time, throughput, DynamoDB calls, and the
peak memory (tracemalloc) of one segment worker: it must stay flat while the catalog grows.

Figures are a moto floor, not AWS: moto's scan serializer costs ~0.2 ms per returned item and its
writes run at ~1,000 items/s in-process; the output measures and states that floor. Two moto
artefacts are bypassed because they are not the system's cost: seeding writes straight into the
emulator's backend, and TransactWriteItems rolls back per touched item instead of deep-copying
the whole table on every call (moto's way, which makes each transaction cost O(table)).
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import os
import sys
import time
import tracemalloc
import types
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from bench import use_in_process_env

use_in_process_env()  # before boto3 and the layer read the environment

import boto3  # noqa: E402
from moto import mock_aws  # noqa: E402

from bench import estimate, report  # noqa: E402

SECTION = "Refresh"
ESTIMATE = "Refresh on AWS (estimate)"
# Broad: about three persons in five match.
BROAD = {"countries": ["United States", "United Kingdom", "Germany", "Canada", "France"]}
COMPANIES_PER_PERSON = 0.1
ORG = "org_bench"


# ----------------------------------------------------------------------------------- emulator


def _fast_transactions() -> None:
    """Per-item rollback for moto's TransactWriteItems (semantics unchanged, cost O(items))."""
    from moto.dynamodb import models

    if getattr(models.DynamoDBBackend, "_bench_fast", False):
        return
    original = models.DynamoDBBackend.transact_write_items
    keep = types.SimpleNamespace(deepcopy=lambda value, *_: value)

    def transact(self: Any, transact_items: list[dict[str, Any]]) -> None:
        saved = []
        for entry in transact_items:
            op = next(iter(entry.values()))
            table = self.get_table(op["TableName"])
            if "Item" in op:
                key = {table.hash_key_attr: op["Item"][table.hash_key_attr]}
                if table.range_key_attr:
                    key[table.range_key_attr] = op["Item"][table.range_key_attr]
            else:
                key = op["Key"]
            current = self.get_item(op["TableName"], key)
            attrs = copy.deepcopy(current.to_json()["Attributes"]) if current else None
            saved.append((op["TableName"], key, attrs))
        real_copy, models.copy = models.copy, keep  # moto reads `copy.deepcopy` at call time
        try:
            original(self, transact_items)
        except Exception:
            for table_name, key, attrs in saved:
                if attrs is None:
                    if self.get_item(table_name, key) is not None:
                        self.delete_item(table_name, key)
                else:
                    self.put_item(table_name, attrs)
            raise
        finally:
            models.copy = real_copy

    models.DynamoDBBackend.transact_write_items = transact
    models.DynamoDBBackend._bench_fast = True


def _backend() -> Any:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    return dynamodb_backends[DEFAULT_ACCOUNT_ID]["us-east-1"]


@contextmanager
def environment() -> Iterator[dict[str, Any]]:
    """A fresh emulator with the template's resources, env wired like a Lambda's."""
    from leadlists import queues
    from leadlists.config import settings
    from leadlists.repositories import dynamo
    from leadlists_local import resources

    with mock_aws():
        created = resources.create_all(boto3.Session(region_name="us-east-1"))
        env = resources.environment_all(created, {})
        before = dict(os.environ)
        os.environ.update(env)
        os.environ["SYNC_REFRESH_MAX_PERSONS"] = "0"  # always fan out
        os.environ["POWERTOOLS_LOG_LEVEL"] = "WARNING"
        for cache in (settings, dynamo.client, queues._client):
            cache.cache_clear()
        try:
            yield created
        finally:
            os.environ.clear()
            os.environ.update(before)
            for cache in (settings, dynamo.client, queues._client):
                cache.cache_clear()


def seed(persons: int) -> float:
    """Synthetic catalog written into the emulator's backend directly (seeding is not what is
    measured). Returns seconds."""
    from leadlists.config import settings
    from leadlists.repositories import catalog, dynamo, keys
    from leadlists_local import catalog as synthetic

    start = time.perf_counter()
    backend, table = _backend(), settings().global_table
    companies = synthetic.companies(max(1, int(persons * COMPANIES_PER_PERSON)), seed=1)
    for company in companies:
        backend.put_item(table, dynamo.to_item(catalog.to_catalog_item(keys.COMPANY, company)))
    for person in synthetic.persons(persons, companies, seed=1):
        backend.put_item(table, dynamo.to_item(catalog.to_catalog_item(keys.PERSON, person)))
    catalog.set_stats(persons=persons, companies=len(companies))
    return time.perf_counter() - start


def expected_matches(persons: int) -> int:
    from leadlists.filters.evaluate import matches
    from leadlists.filters.model import Filter
    from leadlists_local import catalog as synthetic

    flt = Filter.model_validate(BROAD)
    companies = synthetic.companies(max(1, int(persons * COMPANIES_PER_PERSON)), seed=1)
    return sum(1 for p in synthetic.persons(persons, companies, seed=1) if matches(flt, p))


# ------------------------------------------------------------------------------------ driving


class Driver:
    """The queues' event source mappings, driven by hand through the real handlers."""

    def __init__(self, created: dict[str, Any], traced_segment: int) -> None:
        from leadlists_local import template

        self.created, self.traced_segment = created, traced_segment
        self.sqs = boto3.client("sqs", region_name="us-east-1")
        self.consumers = {q["queue"]: n for n, f in template.functions().items() for q in f.queues}
        self.seconds: Counter[str] = Counter()
        self.peak_segment_bytes = 0

    def step(self, queue: str, batch: int = 10) -> int:
        from leadlists_local import lambdas

        got = self.sqs.receive_message(
            QueueUrl=self.created["queues"][queue]["url"],
            MaxNumberOfMessages=batch,
            VisibilityTimeout=0,
            MessageSystemAttributeNames=["All"],
        ).get("Messages", [])
        if not got:
            return 0
        event = lambdas.sqs_event(got, self.created["queues"][queue]["arn"])
        bodies = [json.loads(m["Body"]) for m in got]
        trace = any(
            b.get("type") == "segment" and b.get("segment") == self.traced_segment for b in bodies
        )
        if trace:
            tracemalloc.start()
        start = time.perf_counter()
        result = lambdas.invoke(self.consumers[queue], event)
        elapsed = time.perf_counter() - start
        if trace:
            self.peak_segment_bytes = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        kinds = {b.get("type", "refresh") for b in bodies}
        self.seconds[" + ".join(sorted(kinds))] += elapsed
        if (result or {}).get("batchItemFailures"):
            raise RuntimeError(f"{queue}: {result['batchItemFailures']}")
        for m in got:
            self.sqs.delete_message(
                QueueUrl=self.created["queues"][queue]["url"], ReceiptHandle=m["ReceiptHandle"]
            )
        return len(got)

    def run(self) -> None:
        """Until the queues are empty: requests, segments one at a time (one of them traced),
        tenant-copy chunks; the finalize message comes back on the segment queue."""
        while True:
            moved = self.step("RefreshQueue")
            while got := self.step("RefreshSegmentQueue", batch=1):
                moved += got
            while got := self.step("TenantCopyQueue"):
                moved += got
            if not moved:
                return


def count_calls() -> Counter[str]:
    """DynamoDB API calls by operation, counted on the client every repository uses."""
    from leadlists.repositories import dynamo

    calls: Counter[str] = Counter()

    def count(model: Any, **_: Any) -> None:
        calls[model.name] += 1

    dynamo.client().meta.events.register("before-call.dynamodb", count)
    return calls


def floor(segments: int, matched: int) -> dict[str, float]:
    """The emulator's own cost of the same work, measured in the same run on the same catalog:
    a bare low-level scan of every segment with the list's pushdown (items never deserialized)
    plus bare BatchWriteItem calls storing, for each of `matched` persons, its scanned item as
    the tenant copy and a key-only member item.
    Also the batch minimum of DynamoDB calls: those scan pages, and a write of 25 items a call
    for each of the two things a refresh must store per match (its tenant copy, its member)."""
    from leadlists.config import settings
    from leadlists.filters.expression import person_pushdown
    from leadlists.filters.model import Filter
    from leadlists.repositories import dynamo, keys

    client = dynamo.client()
    pushdown = person_pushdown(Filter.model_validate(BROAD), keys.KIND, keys.PERSON)
    pushdown["ExpressionAttributeValues"] = dynamo.values(pushdown["ExpressionAttributeValues"])
    start = time.process_time()
    pages, returned = 0, []
    for segment in range(segments):
        request = {
            "TableName": settings().global_table,
            "Segment": segment,
            "TotalSegments": segments,
            **pushdown,
        }
        while True:
            answer = client.scan(**request)
            pages += 1
            returned += answer["Items"]
            if "LastEvaluatedKey" not in answer:
                break
            request["ExclusiveStartKey"] = answer["LastEvaluatedKey"]
    scan_s = time.process_time() - start
    # What a refresh must store per match, written bare: the scanned item itself as the tenant
    # copy (its key swapped), and a key-only member item.
    tenant = f"FLOOR#{ORG}"
    items = []
    for n, item in enumerate(returned[:matched]):
        copy_item = {**item, "pk": {"S": f"{tenant}#{n:09d}"}, "sk": {"S": "#META"}}
        items.append({"PutRequest": {"Item": copy_item}})
        items.append({"PutRequest": {"Item": {"pk": {"S": tenant}, "sk": {"S": f"M#{n:09d}"}}}})
    start = time.process_time()
    for chunk in dynamo.chunks(items, dynamo.BATCH_WRITE_MAX):
        client.batch_write_item(RequestItems={settings().tenant_table: chunk})
    write_s = time.process_time() - start
    minimum = pages + 2 * math.ceil(matched / dynamo.BATCH_WRITE_MAX)
    return {
        "scan_s": scan_s,
        "write_s": write_s,
        "seconds": scan_s + write_s,
        "pages": pages,
        "min_calls": minimum,
    }


def item_bytes(sample: int = 200) -> float:
    """Mean size of a catalog person item as DynamoDB counts it (names plus values)."""
    from leadlists.repositories import catalog, dynamo, keys
    from leadlists_local import catalog as synthetic

    companies = synthetic.companies(20, seed=1)
    items = [
        dynamo.to_item(catalog.to_catalog_item(keys.PERSON, p))
        for p in synthetic.persons(sample, companies, seed=1)
    ]
    return sum(len(json.dumps(i)) for i in items) / len(items)


def measured_for_estimate(row: dict[str, Any]) -> dict[str, Any]:
    ops = row["by_operation"]
    small = row["calls"] - ops.get("Scan", 0) - ops.get("BatchWriteItem", 0)
    return {
        "persons": row["persons"],
        "matched": row["matched"],
        "item_bytes": item_bytes(),
        "small_calls_per_segment": small / row["segments"],
    }


def run_size(persons: int, segment_size: int, trace: bool = True) -> dict[str, Any]:
    from leadlists.config import settings
    from leadlists.repositories import saved_lists as repo
    from leadlists_local import lambdas

    os.environ["REFRESH_SEGMENT_SIZE"] = str(segment_size)
    with environment() as created:
        os.environ["REFRESH_SEGMENT_SIZE"] = str(segment_size)
        settings.cache_clear()
        seeded = seed(persons)
        calls = count_calls()
        route, params = lambdas.find_route("POST", "/lists/save")
        body = json.dumps(
            {"organizationId": ORG, "listName": "Bench", "contacts_found": 0, "filter": BROAD}
        )
        claims = {"sub": "user_bench", "org_id": ORG, "org_role": "admin"}
        headers = {"content-type": "application/json"}
        request = lambdas.Request("POST", "/lists/save", route, params, headers)
        event = lambdas.http_event(request, claims, body)
        saved = json.loads(lambdas.invoke(route.function, event)["body"])
        segments = min(math.ceil(persons / segment_size), settings().refresh_max_segments)
        driver = Driver(created, traced_segment=min(1, segments - 1) if trace else -1)
        # CPU time of this one process (the emulator runs in it): on a shared machine the
        # wall clock counts other work too, and the floor runs at another moment.
        start = time.process_time()
        driver.run()
        seconds = time.process_time() - start
        done = repo.get(ORG, saved["id"]) or {}
        if done.get("refreshStatus") != "idle":
            raise RuntimeError(f"refresh did not complete: {done.get('refreshStatus')}")
        counted = dict(sorted(calls.items()))  # before the floor's own calls
        base = floor(segments, int(done["matchedContactsNum"]))
        return {
            "persons": persons,
            "segments": segments,
            "seed_s": seeded,
            "seconds": seconds,
            "persons_per_s": persons / seconds,
            "matched": done["matchedContactsNum"],
            "members": done["contactsNum"],
            "expected": expected_matches(persons),
            "peak_mib": driver.peak_segment_bytes / 2**20,
            "calls": sum(counted.values()),
            "by_operation": counted,
            "by_step": dict(driver.seconds),
            "floor": base,
        }


# ------------------------------------------------------------------------------------ report


def ratios(row: dict[str, Any]) -> tuple[float, float, float]:
    """(refresh time / floor time, DynamoDB calls per 1,000 matched, calls / batch minimum)."""
    base = row["floor"]
    per_1000 = row["calls"] * 1000 / max(1, row["matched"])
    return row["seconds"] / base["seconds"], per_1000, row["calls"] / base["min_calls"]


def table(rows: list[dict[str, Any]]) -> list[str]:
    lines = [
        "| catalog persons | segments | matched (expected) | members | refresh CPU s "
        "| floor CPU s (scan + writes) | **vs floor** | DynamoDB calls | calls per 1,000 matched "
        "| batch minimum | **vs minimum** | segment worker peak MiB "
        "| segments / copies / finalize s |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        steps, base = r["by_step"], r["floor"]
        split = " / ".join(f"{steps.get(k, 0):.0f}" for k in ("segment", "copy", "finalize"))
        vs_floor, per_1000, vs_min = ratios(r)
        peak = f"{r['peak_mib']:.1f}" if r["peak_mib"] else "(--memory)"
        lines.append(
            f"| {r['persons']:,} | {r['segments']} | {r['matched']:,} ({r['expected']:,}) "
            f"| {r['members']:,} | {r['seconds']:.1f} "
            f"| {base['seconds']:.1f} ({base['scan_s']:.1f} + {base['write_s']:.1f}) "
            f"| **{vs_floor:.2f}x** | {r['calls']:,} | {per_1000:.1f} | {base['min_calls']:,} "
            f"| **{vs_min:.2f}x** | {peak} | {split} |"
        )
    return lines


def summary(rows: list[dict[str, Any]]) -> str:
    """The one line `make bench` puts on top."""
    parts = [
        f"{r['persons'] // 1000}k {ratios(r)[0]:.2f}x floor, {ratios(r)[2]:.2f}x calls"
        for r in rows
    ]
    return "; ".join(parts)


def write_results(
    rows: list[dict[str, Any]],
    skipped: list[str],
    segment_size: int,
    command: str,
    load: tuple[float, float],
) -> None:
    body = [
        f"`{command}`, {report.now()}; the machine's 1-minute load average was "
        f"{load[0]:.1f} at the start and {load[1]:.1f} at the end (2 CPUs, shared; the ratios "
        "compare work measured in the same run).",
        "",
        f"Fan-out refresh of a list matching ~60% of the catalog ({json.dumps(BROAD)}), "
        f"{segment_size:,} persons per segment, every step through its real handler, queues "
        "driven by hand (segments one at a time, so the time is one worker's sum, not AWS's "
        "parallel wall clock). The emulator is moto in-process with the local runtime's "
        "shims (`leadlists_local/moto_shims.py`: data-plane answers as plain JSON, a scan page "
        "starting at its key by bisection, sorted walks and item sizes kept until a table is "
        "written, items measured once against the size limit), for the refresh and its floor "
        "alike: without them each scan page re-sorted the whole catalog, which made 50k and "
        "100k take hours here.",
        "",
        "**Floor**, measured in the same run on the same catalog right after the refresh: a bare "
        "low-level scan of every segment with the list's own pushdown (items never "
        "deserialized) plus bare BatchWriteItem calls storing, for each member, what a refresh "
        "must store: its scanned item as the tenant copy (key swapped) and a key-only member "
        "item. Both are CPU seconds of the benchmark's one process (the emulator runs in it), "
        "so other work on the machine does not enter them. **vs floor** is refresh time over "
        "that floor: what our own work adds to "
        "the emulator's unavoidable cost. The **batch minimum** of DynamoDB calls is those scan "
        "pages plus one 25-item BatchWriteItem per 25 matches for each thing a refresh must "
        "store per match (the tenant copy and the member item). Peak MiB (only with `--memory`) "
        "is tracemalloc's peak during one segment's handler call, including the in-process "
        "emulator's page buffers; tracemalloc slows that segment many-fold, so times are taken "
        "without it.",
        "",
        *table(rows),
        "",
        "DynamoDB calls by operation: "
        + "; ".join(
            f"{r['persons']:,}: " + ", ".join(f"{k} {v:,}" for k, v in r["by_operation"].items())
            for r in rows
        )
        + ".",
    ]
    if skipped:
        body += ["", "Skipped: " + "; ".join(skipped)]
    report.write_section(SECTION, body)
    report.write_section(ESTIMATE, estimate.section(measured_for_estimate(rows[-1])))
    report.write_summary("Refresh vs the emulator's floor", summary(rows) + " (goal: 1.5x, 1.1x)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.refresh", description=__doc__)
    parser.add_argument("--sizes", default="10000,50000,100000", help="catalog persons, a,b,c")
    parser.add_argument("--segment-size", type=int, default=5000)
    parser.add_argument(
        "--max-seconds", type=float, default=3600, help="skip a size projected to take longer"
    )
    parser.add_argument("--no-write", action="store_true", help="do not update results.md")
    parser.add_argument(
        "--memory",
        action="store_true",
        help="peak memory of one segment (tracemalloc; inflates that segment's time many-fold)",
    )
    args = parser.parse_args(argv)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]

    _fast_transactions()
    # Then the local runtime's shims (scan copies only what it returns, data-plane answers as
    # plain JSON): the emulator the runtime serves on, for the refresh and its floor alike.
    from leadlists_local import moto_shims

    moto_shims.install()
    print(f"machine: {report.machine_line()}", flush=True)
    print(
        f"{'persons':>9} {'segs':>5} {'refresh s':>10} {'floor s':>8} {'vs floor':>8} "
        f"{'matched':>8} {'calls':>8} {'vs min':>7} {'peak MiB':>9}",
        flush=True,
    )
    rows: list[dict[str, Any]] = []
    skipped: list[str] = []
    load_before = os.getloadavg()[0]
    for persons in sorted(sizes):
        if rows:
            last = rows[-1]
            rate = (last["seconds"] + last["seed_s"]) / last["persons"]
            projected = rate * persons
            if projected > args.max_seconds:
                note = (
                    f"{persons:,} persons (projected {projected / 60:.0f} min from the "
                    f"{last['persons']:,} run, over --max-seconds {args.max_seconds:.0f})"
                )
                print(f"skipped {note}", flush=True)
                skipped.append(note)
                continue
        row = run_size(persons, args.segment_size, args.memory)
        rows.append(row)
        vs_floor, _, vs_min = ratios(row)
        print(
            f"{row['persons']:>9,} {row['segments']:>5} {row['seconds']:>10.1f} "
            f"{row['floor']['seconds']:>8.1f} {vs_floor:>7.2f}x {row['matched']:>8,} "
            f"{row['calls']:>8,} {vs_min:>6.2f}x {row['peak_mib']:>9.1f}"
            f"   (seed {row['seed_s']:.0f} s; "
            + ", ".join(f"{k} {v:.1f} s" for k, v in sorted(row["by_step"].items()))
            + ")",
            flush=True,
        )
        if row["matched"] != row["expected"] or row["members"] != row["expected"]:
            print("  MISMATCH with the independent count", file=sys.stderr)
            return 1
    if not args.no_write and rows:
        command = "python -m bench.refresh " + " ".join(argv if argv is not None else sys.argv[1:])
        load = (load_before, os.getloadavg()[0])
        write_results(rows, skipped, args.segment_size, command.strip(), load)
        print(f"results: {report.RESULTS.name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
