"""The filter index as the catalog stream reads it: the lists filed under a bucket, each with its
validated filter."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from leadlists.filters.model import Filter
from leadlists.repositories import dynamo, filter_index, keys


@dataclass(frozen=True)
class Entry:
    """One indexed list: whose it is and what it requires."""

    organization_id: str
    list_id: str
    filter: Filter
    max_contacts: int | None


def entries(bucket: str) -> Iterator[Entry]:
    """The lists filed under one bucket (one Query, paged)."""
    request = dynamo.partition_query(filter_index.table(), keys.PK, bucket)
    for item in dynamo.items("query", request):
        yield _entry(item)


def _entry(item: Mapping[str, Any]) -> Entry:
    return Entry(
        organization_id=item["organizationId"],
        list_id=item["listId"],
        filter=Filter.model_validate(item["usedFilter"]),
        max_contacts=item.get("maxContacts"),
    )
