"""The member ids an export reads: a saved list's or a lead list's, streamed page by page in id
order (keys only), and counted only as far as the caller needs to know."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

from leadlists.config import settings
from leadlists.repositories import dynamo, keys

# Ids per Query page: bounds what a page holds (a 1 MB page of keys is ~20,000 ids) for one more
# Query per 1,000 members beside their 10 BatchGetItem calls.
_ID_PAGE = 1000


class Members(NamedTuple):
    """Where a list's member items are: one partition, one sort-key prefix."""

    partition: str
    prefix: str


def of_saved_list(org_id: str, list_id: str) -> Members:
    return Members(keys.saved_list(org_id, list_id)[keys.PK], keys.MEMBER_PREFIX)


def of_lead_list(org_id: str, list_id: str, kind: str) -> Members:
    return Members(keys.lead_list(org_id, list_id)[keys.PK], keys.lead_list_member_prefix(kind))


def _query(members: Members, **extra: Any) -> dict[str, Any]:
    return {
        "TableName": settings().tenant_table,
        "KeyConditionExpression": "#p = :p AND begins_with(#s, :m)",
        "ExpressionAttributeNames": {"#p": keys.PK, "#s": keys.SK},
        "ExpressionAttributeValues": dynamo.values({":p": members.partition, ":m": members.prefix}),
        "ConsistentRead": True,
        **extra,
    }


def count_beyond(members: Members, limit: int) -> int:
    """The member count, exact up to `limit`; reading stops at the first page past it."""
    count = 0
    for answer in dynamo.pages("query", _query(members, Select="COUNT")):
        count += int(answer.get("Count", 0))
        if count > limit:
            break
    return count


def ids(members: Members) -> Iterator[str]:
    """Every member id in id order; memory holds one page."""
    request = _query(members, ProjectionExpression="#s", Limit=_ID_PAGE)
    for item in dynamo.items("query", request):
        yield keys.member_id(item[keys.SK])
