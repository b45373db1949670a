"""A background export's memory and DynamoDB calls as the list grows: the worker streams members
page by page through a spooled temporary file into a multipart upload, so its peak Python memory
must stop growing once the spool spills to disk. On moto in-process.

    .venv/bin/python -m bench.exports [--sizes 1000,4000,8000] [--spool-kib 256]

The spool holds 8 MiB in production (about 30,000 rows); `--spool-kib` lowers it so that sizes
moto can write in minutes already spill, and the flat part of the curve shows. Peak memory is
tracemalloc's peak over the worker's run (moto's own allocations included, so it is an upper
bound), once with the upload read through (the worker's own memory) and once uploading to moto
(which keeps the object in this process). The run fails (exit 1) when the largest export's
worker peak is over twice the smallest's.
Times are moto's floor (slowed further by tracemalloc), not AWS's.
"""

from __future__ import annotations

import argparse
import time
import tracemalloc
from collections import Counter
from typing import Any

from bench import use_in_process_env

use_in_process_env()  # before boto3 and the layer read the environment

from bench import report  # noqa: E402
from bench.lead_lists import environment  # noqa: E402

SECTION = "Exports"
ORG = "org_bench"


def saved_list(n: int) -> str:
    """A saved list of n members with their tenant copies, written straight to the tables."""
    from leadlists import clock
    from leadlists.repositories import keys, tenant_records
    from leadlists.repositories import saved_lists as repo

    list_id, stamp = clock.new_id(), clock.now_iso()
    repo.create({
        "id": list_id, "name": f"bench {n}", "organizationId": ORG, "usedFilter": {},
        "contactsNum": n, "autoUpdateStatus": "disabled", "refreshStatus": "idle",
        "createdAt": stamp, "updatedAt": stamp, "version": 1,
    })  # fmt: skip
    persons = [
        {"id": clock.new_id(), "fullName": f"Person {i}", "email": f"p{i}@example.com",
         "title": "Head of Sales", "companyName": "Example Inc", "phones": ["+1 555 010 2030"],
         "country": "United States", "industry": "Software"}
        for i in range(n)
    ]  # fmt: skip
    tenant_records.put_copies(ORG, keys.PERSON, persons)
    repo.write_members(ORG, list_id, [p["id"] for p in persons], [])
    return list_id


def measure(n: int) -> dict[str, Any]:
    list_id = saved_list(n)
    whole = run_export(list_id, n)
    written = run_export(list_id, n, stub_upload=True)
    return {"n": n, **whole, "writing_peak": written["peak"]}


def run_export(list_id: str, n: int, stub_upload: bool = False) -> dict[str, Any]:
    """One background export of the list, as ExportFunction runs it. `stub_upload` reads the
    spooled file in 1 MiB parts instead of uploading it: moto keeps every uploaded object in
    this process, which real S3 does not, so that peak is the worker's own."""
    from leadlists.auth import Caller
    from leadlists.models.messages import Delivery, ExportMessage
    from leadlists.repositories import dynamo, exports
    from leadlists.repositories import saved_lists as repo
    from leadlists.services import export_jobs, export_sources, export_status

    source = export_sources.saved_list(ORG, repo.get(ORG, list_id))
    caller = Caller(user_id="user_bench", org_id=ORG, is_admin=True)
    export_id = export_jobs.start(caller, source).exportId
    calls: Counter[str] = Counter()

    def count(model: Any, **_: Any) -> None:
        calls[model.name] += 1

    def read_through(key: str, body: Any, filename: str) -> None:
        while body.read(2**20):
            pass

    real_upload = exports.upload_csv
    if stub_upload:
        exports.upload_csv = read_through
    dynamo.client().meta.events.register("before-call.dynamodb", count)
    tracemalloc.start()
    started = time.perf_counter()
    try:
        export_jobs.run(ExportMessage(organizationId=ORG, exportId=export_id), Delivery("m", 1))
        seconds = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        dynamo.client().meta.events.unregister("before-call.dynamodb", count)
        exports.upload_csv = real_upload
    state = export_status.state(ORG, "list", list_id, export_id)
    assert state.status == "complete" and state.rows == n, state
    return {"seconds": seconds, "peak": peak, "calls": calls}


def table(rows: list[dict[str, Any]]) -> list[str]:
    lines = [
        "| members | peak MiB, worker (upload read through) | peak MiB, with moto S3 upload "
        "| DynamoDB calls | by operation | moto s |",
        "|---:|---:|---:|---:|---|---:|",
    ]
    for row in rows:
        parts = ", ".join(f"{op} {c}" for op, c in sorted(row["calls"].items()))
        lines.append(
            f"| {row['n']:,} | {row['writing_peak'] / 2**20:.1f} | {row['peak'] / 2**20:.1f} "
            f"| {sum(row['calls'].values())} "
            f"| {parts} | {row['seconds']:.1f} |"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,4000,8000", help="members per export")
    parser.add_argument("--spool-kib", type=int, default=256, help="spool size before /tmp")
    parser.add_argument("--no-write", action="store_true", help="do not update results.md")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    from leadlists.services import export_csv

    export_csv._SPOOL_BYTES = args.spool_kib * 1024
    with environment():
        measure(50)  # warm-up: first-call imports and client set-up are not the export's
        rows = [measure(n) for n in sizes]
    lines = table(rows)
    print("\n".join(lines))
    if not args.no_write:
        report.write_section(
            SECTION,
            [
                f"`python -m bench.exports --sizes {args.sizes} --spool-kib {args.spool_kib}`, "
                f"{report.now()}.",
                "",
                *lines,
            ],
        )
    if rows[-1]["writing_peak"] > 2 * rows[0]["writing_peak"]:
        print("FAIL: the largest export's peak worker memory is over twice the smallest's")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
