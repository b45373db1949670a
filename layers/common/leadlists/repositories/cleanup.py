"""What the background cleanup of a deleted list reads and removes in the tenant table and the
export bucket, a page at a time (each page a bounded number of calls, so a cleanup can stop
between pages and a continuation picks up what is left)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from leadlists import aws_clients
from leadlists.config import settings
from leadlists.repositories import dynamo, exports, keys

PAGE = 500  # member or run items read and deleted per page
_HOLDERS_PAGE = 10  # ByMember entries read per call while looking for a live holder


def _table() -> str:
    return settings().tenant_table


def partition_page(partition: str) -> list[dict[str, str]]:
    """Up to PAGE item keys of a partition (consistent read, keys only)."""
    answer = dynamo.client().query(
        TableName=_table(),
        KeyConditionExpression="#p = :p",
        ExpressionAttributeNames={"#p": keys.PK, "#s": keys.SK},
        ExpressionAttributeValues=dynamo.values({":p": partition}),
        ProjectionExpression="#p, #s",
        ConsistentRead=True,
        Limit=PAGE,
    )
    return [dynamo.from_item(i) for i in answer.get("Items", [])]


def delete_items(item_keys: list[dict[str, str]]) -> int:
    """Delete items by key, 25 a call. Returns the calls made."""
    return dynamo.batch_write(_table(), deletes=item_keys)


def item_exists(key: dict[str, str]) -> bool:
    answer = dynamo.client().get_item(
        TableName=_table(),
        Key=dynamo.to_item(key),
        ProjectionExpression="#p",
        ExpressionAttributeNames={"#p": keys.PK},
        ConsistentRead=True,
    )
    return "Item" in answer


def holder_partitions(org_id: str, kind: str, record_id: str) -> Iterator[str]:
    """Partitions of the member items that hold this record, from ByMember, page by page. The
    index is eventually consistent: a holder written an instant ago may be missing (the copy's
    grace period covers it), one deleted an instant ago may still show (the caller checks the
    list item)."""
    request: dict[str, Any] = {
        "TableName": _table(),
        "IndexName": "ByMember",
        "KeyConditionExpression": "#m = :m",
        "ExpressionAttributeNames": {"#m": keys.MEMBER_OF},
        "ExpressionAttributeValues": dynamo.values({":m": keys.member_of(org_id, kind, record_id)}),
        "Limit": _HOLDERS_PAGE,
    }
    for item in dynamo.items("query", request):
        yield item[keys.PK]


# Exports ----------------------------------------------------------------------------------------


def _s3() -> Any:
    return aws_clients.client("s3")


def export_prefix(org_id: str, list_id: str) -> str:
    """The folder of a list's export files: `object_key` with the file name left off."""
    return exports.object_key(org_id, list_id, "").rpartition("/")[0] + "/"


def delete_export_page(org_id: str, list_id: str) -> int:
    """Delete up to 1,000 of the list's export files (one list and one delete call); returns
    how many were deleted (0: none left)."""
    bucket = settings().export_bucket
    if not bucket:
        return 0
    listed = _s3().list_objects_v2(Bucket=bucket, Prefix=export_prefix(org_id, list_id))
    objects = [{"Key": o["Key"]} for o in listed.get("Contents", [])]
    if objects:
        answer = _s3().delete_objects(Bucket=bucket, Delete={"Objects": objects, "Quiet": True})
        if answer.get("Errors"):
            raise RuntimeError(f"DeleteObjects failed for {len(answer['Errors'])} export files")
    return len(objects)
