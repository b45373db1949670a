"""Per-minute request counters on DynamoDB items: one conditional update counts a request, so the
count is exact however many Lambda instances share it, and a request over the limit writes
nothing."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from leadlists.config import settings
from leadlists.repositories import dynamo

WINDOW, COUNT = "rateWindow", "rateCount"
# Attempts when two requests race across a window's start (each loses one condition at most).
_ROUNDS = 3


class CounterGone(Exception):
    """The item that must hold the counter (an API key) no longer exists: revoked."""


def _update(
    key: Mapping[str, str],
    expression: str,
    condition: str,
    stamp: Mapping[str, Any],
    vals: Mapping[str, Any],
) -> dict[str, Any] | None:
    names = {"#w": WINDOW, "#c": COUNT, **{f"#{n}": n for n in stamp}}
    return dynamo.update_if(
        {
            "TableName": settings().tenant_table,
            "Key": dynamo.to_item(key),
            "UpdateExpression": expression,
            "ConditionExpression": condition,
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": dynamo.values(
                {f":{n}": v for n, v in {**stamp, **vals}.items()}
            ),
        }
    )


def count(
    key: Mapping[str, str],
    window: int,
    limit: int,
    stamp: Mapping[str, Any],
    must_exist: bool,
) -> int | None:
    """Count one request in the minute starting at `window` (epoch seconds) on the item at `key`,
    setting `stamp`'s attributes with it. The window's count after it, or None when the window
    already holds `limit` requests (nothing written). `must_exist`: the item is never created
    (CounterGone when it is absent)."""
    exists = "attribute_exists(pk) AND " if must_exist else ""
    sets = [f"#{n} = :{n}" for n in stamp]
    add = f"SET {', '.join(sets)} ADD #c :one" if sets else "ADD #c :one"
    for _ in range(_ROUNDS):
        same = _update(
            key,
            add,
            f"{exists}#w = :w AND #c < :limit",
            stamp,
            {"w": window, "one": 1, "limit": limit},
        )
        if same is not None:
            return int(same[COUNT])
        fresh = _update(
            key,
            "SET " + ", ".join(["#w = :w", "#c = :one", *sets]),
            f"{exists}(attribute_not_exists(#w) OR #w < :w)",
            stamp,
            {"w": window, "one": 1},
        )
        if fresh is not None:
            return 1
        current = dynamo.get(settings().tenant_table, key)
        if current is None:
            if must_exist:
                raise CounterGone()
            continue
        if current.get(WINDOW) == window and int(current.get(COUNT, 0)) >= limit:
            return None
    raise RuntimeError("Rate-limit counter kept changing under its updates")
