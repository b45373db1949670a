"""Live lists on moto in-process: what one catalog change costs with 10,000 active auto-updated
lists (index buckets read, lists evaluated, DynamoDB calls by operation, time per change through
the stream function), against judging every list for every change; and the catalog items a
schedule cycle reads for 1, 10 and 100 due lists, in one shared pass against one read per list.

    .venv/bin/python -m bench.live [--lists 10000] [--changes 50] [--due 1,10,100]

The lists' filters mix the shapes a B2B catalog sees (companies, cities, countries with
industries or seniorities, a few title-only ones) over the synthetic catalog's values. Their
list items and index entries are written in bulk; each change is a real catalog write read back
from the table's stream and delivered to CatalogStreamFunction as Lambda would.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections import Counter
from typing import Any

from bench import use_in_process_env

use_in_process_env()  # before boto3 and the layer read the environment

from bench import report  # noqa: E402
from bench.lead_lists import environment  # noqa: E402

SECTION = "Live lists"  # two sections: "...: shared pass" and "...: stream changes"
ORG = "org_bench"


def a_filter(rng: random.Random, n: int, catalog: dict[str, Any]) -> dict[str, Any]:
    companies, persons = catalog["companies"], catalog["persons"]
    if n % 200 == 0:
        return {"job_titles": ["Head of Sales"]}
    shape = n % 4
    if shape == 0:
        return {"company_ids": [c["id"] for c in rng.sample(companies, 3)]}
    if shape == 1:
        return {"cities": [rng.choice(persons)["city"]], "seniorities": ["VP", "Director"]}
    if shape == 2:
        return {"domains": [rng.choice(companies)["domain"]]}
    return {"countries": [rng.choice(persons)["country"]], "industries": ["Software"]}


def build_lists(count: int, catalog: dict[str, Any]) -> None:
    """`count` computed, auto-updated, idle lists with their index entries, written in bulk."""
    from leadlists.clock import now_iso
    from leadlists.config import settings
    from leadlists.filters.model import Filter
    from leadlists.filters.requirements import filter_buckets
    from leadlists.repositories import dynamo, keys

    rng = random.Random(11)  # noqa: S311  # nosec B311 - a reproducible mix, no secret
    lists, entries = [], []
    stamp = now_iso()
    for n in range(count):
        list_id = f"00000000-0000-4000-9000-{n:012d}"
        used = Filter.model_validate(a_filter(rng, n, catalog)).used()
        lists.append({
            **keys.saved_list(ORG, list_id), "id": list_id, "organizationId": ORG,
            "name": f"Live {n}", "usedFilter": used, "autoUpdateStatus": "enabled",
            "refreshStatus": "idle", "lastSyncedTime": stamp, "contactsNum": 0,
            "matchedContactsNum": 0, "version": 1, "createdAt": stamp, "updatedAt": stamp,
        })  # fmt: skip
        for bucket in filter_buckets(Filter.model_validate(used).used()):
            entries.append({
                **keys.live_filter(bucket, list_id), "organizationId": ORG, "listId": list_id,
                "usedFilter": used,
            })  # fmt: skip
    dynamo.batch_write(settings().tenant_table, lists)
    dynamo.batch_write(settings().live_table, entries)


def changes(count: int, catalog: dict[str, Any]) -> list[dict[str, Any]]:
    """Persons moving to another company (its city, country, domain, industry): the change
    that moves the most lists."""
    rng = random.Random(17)  # noqa: S311  # nosec B311 - a reproducible mix, no secret
    moved = []
    for person in rng.sample(catalog["persons"], count):
        company = rng.choice(catalog["companies"])
        moved.append({**person, "companyId": company["id"], "companyDomain": company["domain"],
                      "city": company["city"], "country": company["country"],
                      "industry": company["industry"]})  # fmt: skip
    return moved


def run(lists: int, count: int) -> dict[str, Any]:
    import boto3

    from leadlists.config import settings
    from leadlists.repositories import catalog as catalog_repo
    from leadlists.repositories import dynamo, keys
    from leadlists.services import live_changes, live_stream
    from leadlists_local import lambdas
    from leadlists_local.catalog import seed_catalog
    from leadlists_local.pollers import stream_event, streams_client

    catalog = seed_catalog(companies=200, persons=2000)
    started = time.perf_counter()
    build_lists(lists, catalog)
    built = time.perf_counter() - started
    table = settings().global_table
    arn = boto3.client("dynamodb").describe_table(TableName=table)["Table"]["LatestStreamArn"]
    streams = streams_client(boto3.Session())
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="LATEST")[
        "ShardIterator"
    ]

    works: list[live_changes.Work] = []
    real_apply = live_changes.apply

    def counted(change: live_changes.Change, lookup: Any = None) -> live_changes.Work:
        work = real_apply(change, lookup) if lookup else real_apply(change)
        works.append(work)
        return work

    live_stream.live_changes.apply = counted  # type: ignore[assignment]
    calls: Counter[str] = Counter()
    dynamo.client().meta.events.register(
        "before-call.dynamodb", lambda model, **_: calls.update([model.name])
    )
    seconds = []
    for person in changes(count, catalog):
        catalog_repo.put_records(keys.PERSON, [person])
        records = streams.get_records(ShardIterator=iterator)
        iterator = records["NextShardIterator"]
        calls.clear()
        began = time.perf_counter()
        answer = lambdas.invoke("CatalogStreamFunction", stream_event(records["Records"], arn))
        seconds.append(time.perf_counter() - began)
        assert answer == {"batchItemFailures": []}, answer
        works[-1].__dict__["calls"] = sum(calls.values())
        works[-1].__dict__["by_operation"] = dict(calls)
    live_stream.live_changes.apply = real_apply  # type: ignore[assignment]
    return {"lists": lists, "built": built, "works": works[-count:], "seconds": seconds[1:]}


def summary(result: dict[str, Any]) -> list[str]:
    works, seconds = result["works"], result["seconds"]
    mean = lambda key: statistics.mean(getattr(w, key) for w in works)  # noqa: E731
    calls = statistics.mean(w.__dict__["calls"] for w in works)
    operations: Counter[str] = Counter()
    for w in works:
        operations.update(w.__dict__["by_operation"])
    per_op = ", ".join(f"{op} {n / len(works):.1f}" for op, n in operations.most_common())
    lists = result["lists"]
    return [
        f"{lists:,} active auto-updated lists; {len(works)} persons changed company, one stream "
        "record each, delivered to CatalogStreamFunction (moto in-process).",
        "",
        "| per changed person | mean | max | judging every list |",
        "|---|---:|---:|---:|",
        f"| index buckets read (Query) | {mean('queries'):.1f} | "
        f"{max(w.queries for w in works)} | 0 |",
        f"| index entries read | {mean('candidates'):.0f} | "
        f"{max(w.candidates for w in works)} | {lists:,} |",
        f"| filter evaluations | {mean('evaluations'):.0f} | "
        f"{max(w.evaluations for w in works)} | {2 * lists:,} |",
        f"| lists whose answer changed | {mean('changed'):.1f} | "
        f"{max(w.changed for w in works)} | same |",
        f"| DynamoDB calls | {calls:.1f} | {max(w.__dict__['calls'] for w in works)} | |",
        f"| ms in the function (after the first, cold) | {1000 * statistics.mean(seconds):.0f} "
        f"| {1000 * max(seconds):.0f} | |",
        "",
        f"DynamoDB calls by operation, per change: {per_op}. Writing the {lists:,} lists and "
        f"their index entries took {result['built']:.1f} s. In AWS the stream adds its own "
        "delivery delay (typically well under a second) before the function runs; moto's own "
        "per-call cost (~1 ms in-process) is most of the time shown.",
    ]


def partition_queries() -> None:
    """moto answers a base-table Query by sorting the whole table (O(table) per call, seconds
    with 10,000 index entries); DynamoDB reads the one partition: so does this, same results."""
    from moto.dynamodb.models.table import Table

    original = Table.query

    def query(self: Any, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        if args[6] is not None or not self.range_key_attr:  # an index, or a hash-only table
            return original(self, hash_key, *args, **kwargs)
        partition = list(self.items.get(hash_key, {}).values())
        self.all_items = lambda: partition
        try:
            return original(self, hash_key, *args, **kwargs)
        finally:
            del self.all_items

    Table.query = query  # type: ignore[method-assign]


def cycle_reads(due: int, persons: int) -> dict[str, Any]:
    """Catalog items the scheduled cycle reads (Scan's ScannedCount) with `due` lists due: the
    shared pass, through the real scheduler and worker; and one list refreshed alone."""
    from bench.lead_lists import call
    from leadlists.clock import iso, now
    from leadlists.filters.model import Filter
    from leadlists.repositories import catalog_scans, dynamo
    from leadlists.repositories import saved_lists as repo
    from leadlists_local import lambdas
    from leadlists_local.catalog import seed_catalog

    seed_catalog(companies=100, persons=persons)
    seen = {"items": 0}
    dynamo.client().meta.events.register(
        "after-call.dynamodb.Scan",
        lambda parsed, **_: seen.update(items=seen["items"] + parsed.get("ScannedCount", 0)),
    )
    ids = []
    for n in range(due):
        body = {"organizationId": ORG, "listName": f"Due {n}", "contacts_found": 0,
                "autoUpdate": True, "filter": {"countries": ["United States"]}}  # fmt: skip
        status, saved, _ = call("POST", "/lists/save", body)
        assert status == 200, saved
        ids.append(saved["id"])
    drain("RefreshQueue", "RefreshWorkerFunction")  # their first computations
    stamp = iso(now())
    for list_id in ids:
        record = repo.get(ORG, list_id)
        due_set, due_remove = repo.schedule_fields({**record, "nextRefreshAt": stamp})
        repo.update_fields(ORG, list_id, {"nextRefreshAt": stamp, **due_set}, remove=due_remove)
    seen["items"] = 0
    started = time.perf_counter()
    lambdas.invoke("RefreshSchedulerFunction", lambdas.scheduled_event("bench"))
    drain("RefreshQueue", "RefreshWorkerFunction")
    shared, seconds = seen["items"], time.perf_counter() - started
    assert all(repo.get(ORG, i)["refreshStatus"] == "idle" for i in ids)
    seen["items"] = 0  # one list's own read: what its refresh scans, once per list
    list(catalog_scans.matching_persons(Filter.model_validate(repo.get(ORG, ids[0])["usedFilter"])))
    return {"due": due, "shared": shared, "alone": seen["items"], "seconds": seconds}


def drain(queue: str, function: str) -> None:
    import boto3

    from leadlists.config import settings
    from leadlists_local import lambdas

    sqs = boto3.client("sqs")
    url = settings().refresh_queue_url if queue == "RefreshQueue" else ""
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages"):
        lambdas.invoke(function, lambdas.sqs_event(messages, arn))
        for m in messages:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])


def cycle_summary(rows: list[dict[str, Any]], persons: int) -> list[str]:
    lines = [
        f"Catalog items read (Scan's ScannedCount) by one scheduled cycle, catalog of {persons:,} "
        "persons (+ companies and the stats item), within the synchronous budget: the due "
        "lists as one shared pass (scheduler, then the worker), against one read per list (a "
        "list refreshed alone, times the lists).",
        "",
        "| due lists | shared pass | one read per list | pass time s |",
        "|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['due']} | {r['shared']:,} | {r['alone'] * r['due']:,} | {r['seconds']:.1f} |"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lists", type=int, default=10_000, help="0: no stream part")
    parser.add_argument("--changes", type=int, default=50)
    parser.add_argument("--due", default="1,10,100")
    parser.add_argument("--persons", type=int, default=2000)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    rows = []
    for due in (int(n) for n in args.due.split(",") if n):
        with environment():
            rows.append(cycle_reads(due, args.persons))
    if rows:
        cycle = cycle_summary(rows, args.persons)
        print("\n".join(cycle))
        if not args.no_write:
            command = f"`python -m bench.live --due {args.due} --persons {args.persons}`"
            report.write_section(
                f"{SECTION}: shared pass", [f"{command}, {report.now()}.", "", *cycle]
            )
    if not args.lists:
        return
    # moto deep-copies a whole table for every TransactWriteItems (its rollback), a cost of the
    # emulator growing with the 10,000 list items, not of the system: roll back per item instead.
    from bench.refresh import _fast_transactions

    _fast_transactions()
    partition_queries()
    with environment():
        result = run(args.lists, args.changes)
    lines = summary(result)
    print("\n".join(lines))
    if not args.no_write:
        report.write_section(
            f"{SECTION}: stream changes",
            [f"`python -m bench.live --lists {args.lists} --changes {args.changes}`, "
             f"{report.now()}.", "", *lines],
        )  # fmt: skip


if __name__ == "__main__":
    main()
