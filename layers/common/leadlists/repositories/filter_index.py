"""The index of auto-updated lists' filters (LiveTable), and the per-person applied-change marks.

An entry per (bucket, list) carries what judging a change needs (organization, filter, cap), so
the stream consumer reads only the entries of the buckets a changed person reaches (`live_filters`:
reading them needs the filter model; filing a saved list does not).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from botocore.exceptions import ClientError

from leadlists.config import settings
from leadlists.filters.requirements import filter_buckets
from leadlists.repositories import dynamo, keys

# Stream sequence numbers are decimal strings of up to 40 digits: padded, they compare as strings.
SEQUENCE_WIDTH = 40


def table() -> str:
    return settings().live_table


def _buckets(record: Mapping[str, Any] | None) -> set[str]:
    """The buckets a list is filed under; none unless it is auto-updated."""
    if record is None or record.get("autoUpdateStatus") != "enabled":
        return set()
    return set(filter_buckets(record["usedFilter"]))  # the stored (normalized) form


def sync(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> int:
    """File a saved list as it is now (`after`; None when deleted), dropping what it was filed
    under before. Returns the DynamoDB calls made."""
    old, new = _buckets(before), _buckets(after)
    list_id = str((after or before or {}).get("id", ""))
    puts = []
    if after is not None:
        entry = {
            "organizationId": after["organizationId"],
            "listId": list_id,
            "usedFilter": after["usedFilter"],
            "maxContacts": after.get("maxContacts"),
        }
        puts = [{**keys.live_filter(b, list_id), **entry} for b in sorted(new)]
    deletes = [keys.live_filter(b, list_id) for b in sorted(old - new)]
    return dynamo.batch_write(table(), puts, deletes) if puts or deletes else 0


def drop(list_id: str, buckets: Iterable[str]) -> None:
    """Remove a list's entries (a stale one found for a deleted or disabled list)."""
    dynamo.batch_write(table(), deletes=[keys.live_filter(b, list_id) for b in buckets])


def _sequence(sequence_number: str) -> str:
    return sequence_number.rjust(SEQUENCE_WIDTH, "0")


def applied(person_id: str) -> str | None:
    """The padded sequence number of the last change applied for a person."""
    item = dynamo.get(table(), keys.live_applied(person_id))
    return None if item is None else str(item["sequence"])


def is_new(person_id: str, sequence_number: str) -> bool:
    """Whether a stream record is newer than the last change applied for its person (a duplicate
    or an older record arriving late is not)."""
    last = applied(person_id)
    return last is None or _sequence(sequence_number) > last


def mark_applied(person_id: str, sequence_number: str) -> None:
    """Record a person's change as applied, never moving the mark back."""
    try:
        dynamo.client().put_item(
            TableName=table(),
            Item=dynamo.to_item(
                {**keys.live_applied(person_id), "sequence": _sequence(sequence_number)}
            ),
            ConditionExpression="attribute_not_exists(#s) OR #s < :s",
            ExpressionAttributeNames={"#s": "sequence"},
            ExpressionAttributeValues=dynamo.values({":s": _sequence(sequence_number)}),
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
            raise
