"""DELETE of a saved list by its size: the request's DynamoDB calls and time must be flat (the
members, unused copies, runs and exports go through the cleanup queue afterwards). On moto
in-process; every request goes through its real handler.

    .venv/bin/python -m bench.deletes [--sizes 1000,10000,100000]

Members are written straight through the repository (the refresh's own writer) to build large
lists quickly. The run fails (exit 1) when the call count differs between sizes.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from bench import use_in_process_env

use_in_process_env()  # before boto3 and the layer read the environment

from bench import report  # noqa: E402
from bench.lead_lists import CLAIMS, call, environment, measured  # noqa: E402

SECTION = "Deletes"


def scenario(size: int) -> dict[str, Any]:
    from leadlists.repositories import saved_lists

    body = {"organizationId": CLAIMS["org_id"], "listName": f"Delete {size}",
            "contacts_found": 0, "filter": {"countries": ["Atlantis"]}}  # fmt: skip
    status, created, _ = call("POST", "/lists/save", body)
    assert status == 200, created
    members = [f"p{n:07d}" for n in range(size)]
    saved_lists.write_members(CLAIMS["org_id"], created["id"], add=members, remove=())
    with timed_operations() as per_operation:
        run = measured(lambda: call("DELETE", f"/lists/{created['id']}"))
    status, _, _ = call("GET", f"/lists/{created['id']}")
    assert status == 404
    return {"size": size, **run, "per_operation": per_operation}


@contextmanager
def timed_operations() -> Iterator[dict[str, float]]:
    """Seconds spent in each DynamoDB operation (botocore's before/after-call events)."""
    from leadlists.repositories import dynamo

    spent: dict[str, float] = {}
    started: dict[str, float] = {}

    def before(model: Any, **_: Any) -> None:
        started[model.name] = time.perf_counter()

    def after(model: Any, **_: Any) -> None:
        spent[model.name] = spent.get(model.name, 0.0) + time.perf_counter() - started[model.name]

    events = dynamo.client().meta.events
    events.register("before-call.dynamodb", before)
    events.register("after-call.dynamodb", after)
    try:
        yield spent
    finally:
        events.unregister("before-call.dynamodb", before)
        events.unregister("after-call.dynamodb", after)


def cleanup_cost(size: int) -> dict[str, Any]:
    """The background side: DynamoDB calls and time of cleaning up a saved list of `size`
    members, each with a tenant copy no other list holds (the costliest case: every copy is
    checked in ByMember and deleted)."""
    from leadlists.models.messages import DeleteListMessage, Delivery
    from leadlists.repositories import keys, saved_lists, tenant_records
    from leadlists.services import cleanup

    org = CLAIMS["org_id"]
    body = {"organizationId": org, "listName": f"Cleanup {size}", "contacts_found": 0,
            "filter": {"countries": ["Atlantis"]}}  # fmt: skip
    status, created, _ = call("POST", "/lists/save", body)
    assert status == 200, created
    members = [f"c{n:07d}" for n in range(size)]
    tenant_records.put_copies(org, keys.PERSON, [{"id": m} for m in members])
    saved_lists.write_members(org, created["id"], add=members, remove=())
    assert call("DELETE", f"/lists/{created['id']}")[0] == 200
    message = DeleteListMessage(organizationId=org, listId=created["id"], listKind="saved")
    cleanup.GRACE_SECONDS = 0  # the copies were written a moment ago
    run = measured(lambda: (cleanup.run(message, Delivery("bench", 1)), (200, None, {}))[1])
    assert not tenant_records.get_copies(org, keys.PERSON, members[:100])
    return {"size": size, **run}


def table(rows: list[dict[str, Any]]) -> list[str]:
    lines = [
        "| members | DynamoDB calls | by operation | request ms | ms by operation |",
        "|---:|---:|---|---:|---|",
    ]
    for row in rows:
        parts = ", ".join(f"{op} {count}" for op, count in sorted(row["calls"].items()))
        spent = ", ".join(f"{op} {s * 1000:.0f}" for op, s in sorted(row["per_operation"].items()))
        total = sum(row["calls"].values())
        lines.append(
            f"| {row['size']:,} | {total} | {parts} | {row['seconds'] * 1000:.0f} | {spent} |"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="members, comma-separated")
    parser.add_argument("--cleanup-size", type=int, default=1000, help="members cleaned up")
    parser.add_argument("--no-write", action="store_true", help="do not update results.md")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    with environment():
        rows = [scenario(size) for size in sizes]
    with environment():  # a fresh table: moto's index queries read the whole table
        background = cleanup_cost(args.cleanup_size)
    lines = table(rows)
    calls = ", ".join(f"{op} {n}" for op, n in sorted(background["calls"].items()))
    lines += [
        "",
        f"Background cleanup of {background['size']:,} members whose copies no other list "
        f"holds: {sum(background['calls'].values()):,} DynamoDB calls ({calls}), "
        f"{background['seconds']:.1f} s on moto.",
    ]
    print("\n".join(lines))
    if not args.no_write:
        report.write_section(
            SECTION,
            [
                f"`python -m bench.deletes --sizes {args.sizes} --cleanup-size "
                f"{args.cleanup_size}`, {report.now()}.",
                "",
                "The DELETE request only: a GetItem and one TransactWriteItems (list item and "
                "name claim), then one SQS send; the cleanup runs in the background. The calls "
                "are the portable figure. Times are moto's, not AWS's: moto deep-copies the "
                "whole table for every TransactWriteItems (its rollback; see "
                "local/leadlists_local/moto_shims.py), so that one call grows with the table "
                "while the rest of the request stays flat.",
                "",
                *lines,
            ],
        )
        print(f"results: {report.RESULTS.name}")
    counts = {sum(r["calls"].values()) for r in rows}
    if len(counts) != 1:
        print(f"FAIL: DynamoDB calls differ by size: {sorted(counts)}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
