"""DynamoDB calls made by adding 1,000 members to a lead list, against the minimum the batch sizes
allow; then the bytes a GET answers for lists of 1k, 10k and 100k members (flat past 1,000: an
answer shows the first 1,000). On moto in-process; every request goes through its real handler.

    .venv/bin/python -m bench.lead_lists [--n 1000]

Minimum for n new members: ceil(n/100) BatchGetItem (catalog records) + ceil(n/25)
BatchWriteItem (tenant copies) + ceil(n/25) BatchWriteItem (member items). The service writes
members with conditional puts in TransactWriteItems of 99 (next to the list item's counter
update), which is what keeps `addedCount` exact under concurrent requests and costs fewer calls
than unconditional 25-item batches would. The run fails (exit 1) above twice the minimum.

Times are a moto floor, not AWS: moto's serializer dominates every call (see the refresh
benchmark for per-item figures); the call counts are the portable figure.
"""

from __future__ import annotations

import argparse
import math
import os
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from bench import use_in_process_env

use_in_process_env()  # before boto3 and the layer read the environment

import boto3  # noqa: E402
from moto import mock_aws  # noqa: E402

from bench import report  # noqa: E402

SECTION = "Lead lists"
BASE = "/api/v1/entities/leadlists"
CLAIMS = {"sub": "user_bench", "org_id": "org_bench", "org_role": "admin"}


@contextmanager
def environment() -> Iterator[None]:
    """A fresh emulator with the template's resources, env wired like a Lambda's."""
    from leadlists.config import settings
    from leadlists.repositories import dynamo
    from leadlists_local import moto_shims, resources

    moto_shims.install()  # moto's per-item table copy in transactions is not the system's cost
    with mock_aws():
        created = resources.create_all(boto3.Session(region_name="us-east-1"))
        before = dict(os.environ)
        os.environ.update(resources.environment_all(created, {}))
        settings.cache_clear()
        dynamo.client.cache_clear()
        try:
            yield
        finally:
            os.environ.clear()
            os.environ.update(before)
            settings.cache_clear()
            dynamo.client.cache_clear()


def call(
    method: str, path: str, body: Any = None, query: str = ""
) -> tuple[int, Any, dict[str, str]]:
    import json

    from leadlists_local import lambdas

    found = lambdas.find_route(method, path)
    assert found is not None, path
    route, params = found
    payload = json.dumps(body) if body is not None else None
    headers = {"content-type": "application/json"}
    request = lambdas.Request(method, path, route, params, headers, query)
    event = lambdas.http_event(request, CLAIMS, payload)
    answer = lambdas.invoke(route.function, event)
    return answer["statusCode"], lambdas.response_json(answer), answer.get("headers") or {}


def measured(request: Callable[[], tuple[int, Any, dict[str, str]]]) -> dict[str, Any]:
    """Run one request, counting its DynamoDB calls by operation (botocore's before-call)."""
    from leadlists.repositories import dynamo

    calls: Counter[str] = Counter()

    def count(model: Any, **_: Any) -> None:
        calls[model.name] += 1

    events = dynamo.client().meta.events
    events.register("before-call.dynamodb", count)
    started = time.perf_counter()
    try:
        status, body, headers = request()
    finally:
        events.unregister("before-call.dynamodb", count)
    seconds = time.perf_counter() - started
    assert status == 200, body
    return {"calls": calls, "seconds": seconds, "body": body, "headers": headers}


def new_list(kind: str) -> str:
    status, body, _ = call(
        "POST", BASE, {"name": kind, "type": kind, "startDate": "2024-01-01",
                       "endDate": "2024-12-31"},
    )  # fmt: skip
    assert status == 201, body
    return body["id"]


def minimum(n: int) -> int:
    return math.ceil(n / 100) + 2 * math.ceil(n / 25)


def scenarios(n: int) -> list[dict[str, Any]]:
    from leadlists_local.catalog import seed_catalog

    seeded = seed_catalog(companies=n, persons=n, seed=2)
    company_ids = [c["id"] for c in seeded["companies"]]
    person_ids = [p["id"] for p in seeded["persons"]]
    rows = []

    companies = new_list("company")
    path = f"{BASE}/{companies}/add-companies"
    run = measured(lambda: call("POST", path, {"companyIds": company_ids}))
    assert run["headers"]["X-Added-Count"] == str(n)
    rows.append({"what": f"add-companies, {n:,} new (answers the populated list)", **run})
    run = measured(lambda: call("POST", path, {"companyIds": company_ids}))
    assert run["body"] == {"addedCount": 0}
    rows.append({"what": f"add-companies, the same {n:,} again (all skipped)", **run,
                 "no_minimum": True})  # fmt: skip

    persons = new_list("person")
    path = f"{BASE}/{persons}/add-prospects"
    run = measured(lambda: call("POST", path, {"persons": [{"id": i} for i in person_ids]}))
    assert run["body"] == {"addedCount": n}
    rows.append({"what": f"add-prospects direct, {n:,} new", **run})

    status, found, _ = call("POST", "/api/v1/search/prospects",
                            {"filter": {"exclude_countries": ["Atlantis"]}})  # fmt: skip
    assert status == 200 and found["total"] == n, found
    selection = {"selection": {"searchId": found["searchId"], "selectAll": True}}
    path = f"{BASE}/{new_list('person')}/add-prospects"
    run = measured(lambda: call("POST", path, selection))
    assert run["body"] == {"addedCount": n, "nextOffset": None}, run["body"]  # all selected
    rows.append({"what": f"add-prospects selectAll, {n:,} new", **run})
    return rows


# Response size of big lists ----------------------------------------------------------------------

SIZES = (1_000, 10_000, 100_000)


def big_list(members: int, records: list[dict[str, Any]]) -> str:
    """A company lead list of `members` members, written through the repository (no catalog
    round trip): `records` (1,000 real companies, tenant copies written) sort first, so they are
    the ones a GET shows; the rest are ids past them, without copies, which a GET never reads."""
    from leadlists import clock
    from leadlists.repositories import keys, tenant_records
    from leadlists.repositories import lead_lists as repo

    list_id = new_list("company")
    real = sorted(r["id"] for r in records)[:members]
    assert real[-1] < "ffffffff-ffff", "a real id would sort among the filler ids"
    filler = [f"ffffffff-ffff-4fff-8fff-{n:012x}" for n in range(members - len(real))]
    tenant_records.put_copies(CLAIMS["org_id"], keys.COMPANY, records)
    repo.load_members(CLAIMS["org_id"], list_id, keys.COMPANY, real + filler, clock.now_iso())
    return list_id


def sizes(counts: tuple[int, ...] = SIZES) -> list[str]:
    """GET's bytes and DynamoDB calls for lists of 1k/10k/100k members, and one members page."""
    from leadlists_local.catalog import companies

    records = companies(1000, seed=3)
    lines = [
        "| members | GET bytes | ids shown | memberCount | GET DynamoDB calls | GET moto s "
        "| members?limit=1000 bytes | build s |",
        "|---:|---:|---:|---:|---|---:|---:|---:|",
    ]
    for members in counts:
        started = time.perf_counter()
        list_id = big_list(members, records)
        built = time.perf_counter() - started
        run = measured(lambda: call("GET", f"{BASE}/{list_id}"))  # noqa: B023 - called at once
        body = run["body"]
        assert body["memberCount"] == members and len(body["companyIds"]) == 1000, members
        assert (body["membersNextToken"] is None) == (members == 1000)
        members_path = f"{BASE}/{list_id}/members"
        page = measured(lambda: call("GET", members_path, query="limit=1000"))  # noqa: B023
        calls = ", ".join(f"{op} {count}" for op, count in sorted(run["calls"].items()))
        lines.append(
            f"| {members:,} | {_bytes(body):,} | {len(body['companyIds']):,} "
            f"| {body['memberCount']:,} | {calls} | {run['seconds']:.2f} "
            f"| {_bytes(page['body']):,} | {built:.0f} |"
        )
        print(lines[-1], flush=True)
    return lines


def _bytes(body: Any) -> int:
    import json

    # As the HTTP adapter serializes an answer.
    return len(json.dumps(body, separators=(",", ":")))


def table(rows: list[dict[str, Any]], n: int) -> list[str]:
    low = minimum(n)
    lines = [
        "| request | DynamoDB calls | minimum | ratio | by operation | moto s |",
        "|---|---:|---:|---:|---|---:|",
    ]
    for row in rows:
        total = sum(row["calls"].values())
        ratio = "—" if row.get("no_minimum") else f"{total / low:.2f}"
        parts = ", ".join(f"{op} {count}" for op, count in sorted(row["calls"].items()))
        lines.append(
            f"| {row['what']} | {total} | {'—' if row.get('no_minimum') else low} | {ratio} "
            f"| {parts} | {row['seconds']:.1f} |"
        )
    return lines


def write_results(lines: list[str], n: int, size_lines: list[str]) -> None:
    body = [
        f"`python -m bench.lead_lists --n {n}`, {report.now()}.",
        "",
        f"Minimum for {n:,} new members: {math.ceil(n / 100)} BatchGetItem (catalog) + "
        f"{math.ceil(n / 25)} BatchWriteItem (tenant copies) + {math.ceil(n / 25)} "
        f"BatchWriteItem (member items) = {minimum(n)}. Members are written as conditional "
        "puts in TransactWriteItems of 99 (exact counts under concurrency), the list item read "
        "once, existing members found by one Query on a small list (BatchGetItem on a large "
        "one). Times are moto's floor, not AWS's.",
        "",
        *lines,
        "",
        "Response size of GET /api/v1/entities/leadlists/{id} by list size: the answer shows the "
        "first 1,000 members (fewer if their records pass 4,000,000 bytes of JSON), so it stays "
        "flat past 1,000 members; so do its DynamoDB calls (the list item, one Query of 1,001 "
        "member keys, ten BatchGetItem of tenant copies). Members are written through the "
        "repository; only the 1,000 a GET shows have tenant copies.",
        "",
        *size_lines,
    ]
    report.write_section(SECTION, body)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1000, help="members per request (max 1000)")
    parser.add_argument(
        "--sizes",
        default=",".join(str(n) for n in SIZES),
        help="members of the lists whose GET is measured (comma-separated, each >= 1000)",
    )
    parser.add_argument("--no-write", action="store_true", help="do not update results.md")
    args = parser.parse_args(argv)
    with environment():
        rows = scenarios(args.n)
    lines = table(rows, args.n)
    print("\n".join(lines))
    with environment():
        size_lines = sizes(tuple(int(n) for n in args.sizes.split(",")))
    if not args.no_write:
        write_results(lines, args.n, size_lines)
        print(f"results: {report.RESULTS.name}")
    worst = max(sum(r["calls"].values()) for r in rows if not r.get("no_minimum"))
    if worst > 2 * minimum(args.n):
        print(f"FAIL: {worst} calls is more than twice the minimum {minimum(args.n)}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
