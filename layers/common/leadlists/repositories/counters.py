"""Exactly-once counts on sharded counter items, for fan-outs of up to a thousand workers (a
refresh run's segments and copy chunks, a search's segments).

A unit of work is counted in the same transaction that creates its done marker, and a marker can
be created only once: a redelivered message adds nothing. The increments go to one of SHARDS
counter items (the caller picks it from the unit's number), never to one hot item: workers that
finish together rarely touch the same item, so their transactions seldom conflict; the totals
are the sum of the shards, read by one strongly consistent Query of the partition.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Literal

from leadlists.config import settings
from leadlists.repositories import dynamo, keys

SHARDS = 32
Outcome = Literal["counted", "duplicate"]


def count_once(
    marker: Mapping[str, str],
    counter: Mapping[str, str],
    increments: Mapping[str, int],
    expires_at: int,
) -> Outcome:
    """Create `marker` and add `increments` to the `counter` shard at once; "duplicate" when the
    marker exists (counted before). Conflicts and throttling are retried (dynamo.transact)."""
    table = settings().tenant_table
    names = {f"#c{i}": name for i, name in enumerate(increments)}
    vals: dict[str, Any] = {f":c{i}": n for i, n in enumerate(increments.values())}
    adds = ", ".join(f"#c{i} :c{i}" for i in range(len(increments)))
    update = f"ADD {adds} SET expiresAt = if_not_exists(expiresAt, :ttl)"
    try:
        # No condition on the head item (run or search): a ConditionCheck there would make every
        # worker's transaction conflict on it again. A count into a failed run or search is
        # harmless (nothing reads it) and its items expire by TTL.
        dynamo.transact(
            [
                {
                    "Put": {
                        "TableName": table,
                        "Item": dynamo.to_item({**marker, "expiresAt": expires_at}),
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
                {
                    "Update": {
                        "TableName": table,
                        "Key": dynamo.to_item(counter),
                        "UpdateExpression": update,
                        "ExpressionAttributeNames": names,
                        "ExpressionAttributeValues": dynamo.values({**vals, ":ttl": expires_at}),
                    }
                },
            ]
        )
    except dynamo.TransactionCancelled as exc:
        if exc.reasons[:1] == ["ConditionalCheckFailed"]:
            return "duplicate"
        raise
    return "counted"


def totals(partition: str, prefix: str, names: Iterable[str]) -> dict[str, int]:
    """The counters `names`: the sum of the partition's shards (sort keys starting `prefix`)."""
    out = dict.fromkeys(names, 0)
    request = dynamo.partition_query(settings().tenant_table, keys.PK, partition)
    request["KeyConditionExpression"] += " AND begins_with(#s, :m)"
    request["ExpressionAttributeNames"]["#s"] = keys.SK
    request["ExpressionAttributeValues"] = dynamo.values({":p": partition, ":m": prefix})
    request["ConsistentRead"] = True
    for item in dynamo.items("query", request):
        for name in out:
            out[name] += int(item.get(name, 0))
    return out
