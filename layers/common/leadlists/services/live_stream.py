"""The catalog stream's consumer: each DynamoDB stream record of a catalog person becomes a
`live_changes.Change`. Failed records are reported by sequence number (`batches`, as Powertools'
BatchProcessor reports them for DynamoDB streams, without its imports), so Lambda retries the
batch from the first failure (bisecting it on errors, as the template says); records applied
before it are skipped on the retry by their person's applied mark."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aws_lambda_powertools import Logger

from leadlists import batches
from leadlists.batches import PartialItemFailureResponse
from leadlists.repositories import catalog, dynamo, keys, live_filters
from leadlists.repositories.live_filters import Entry
from leadlists.services import live_changes

logger = Logger()


def _image(stream: Mapping[str, Any], name: str) -> dict[str, Any] | None:
    image = stream.get(name)
    return dynamo.from_item(image) if image else None


def to_change(raw: Mapping[str, Any]) -> live_changes.Change | None:
    """The change a stream record carries, or None when it is not a catalog person's (companies
    and the catalog's stats: persons carry their company's facets, so only they move lists)."""
    stream = raw["dynamodb"]
    old, new = _image(stream, "OldImage"), _image(stream, "NewImage")
    image = new or old
    if image is None or image.get(keys.KIND) != keys.PERSON or not image.get("id"):
        return None
    return live_changes.Change(
        person_id=str(image["id"]),
        sequence=str(stream["SequenceNumber"]),
        old=None if old is None else catalog.strip_internal(old),
        new=None if new is None else catalog.strip_internal(new),
    )


class BatchIndex:
    """The filter index as one invocation sees it: each bucket read once per batch (an import
    changes many persons sharing values; a list saved meanwhile is seen by the next batch)."""

    def __init__(self) -> None:
        self.buckets: dict[str, list[Entry]] = {}

    def __call__(self, bucket: str) -> list[Entry]:
        if bucket not in self.buckets:
            self.buckets[bucket] = list(live_filters.entries(bucket))
        return self.buckets[bucket]


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: Any) -> PartialItemFailureResponse:
    index = BatchIndex()

    def record_handler(record: dict[str, Any]) -> None:
        change = to_change(record)
        if change is not None:
            live_changes.apply(change, index)

    return batches.partial_response(event, record_handler, batches.sequence_number)
