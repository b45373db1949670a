"""The global catalog table: companies and persons shared by every organization (read-only to
tenants). Persons carry their company's facets so one item answers a whole filter (scans matching a
filter: `catalog_scans`)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from leadlists.config import settings
from leadlists.filters.facets import EXACT_FIELDS, KEYWORD_FACET, as_filterable, facet, keyword_text
from leadlists.repositories import dynamo, keys

_FACETED = (*EXACT_FIELDS.values(), "title")
_INTERNAL = {keys.GLOBAL_PK, keys.KIND, KEYWORD_FACET, *(facet(a) for a in _FACETED)}


def _table() -> str:
    return settings().global_table


def to_catalog_item(kind: str, record: Mapping[str, Any]) -> dict[str, Any]:
    item = {**record, **keys.catalog_record(kind, record["id"]), keys.KIND: kind}
    for attribute in _FACETED:
        value = record.get(attribute)
        if isinstance(value, str):
            item[facet(attribute)] = value.casefold()
    # Judged the way `matches` reads the record (a company through its person-side names).
    item[KEYWORD_FACET] = keyword_text(as_filterable(record) if kind == keys.COMPANY else record)
    return item


def strip_internal(item: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k not in _INTERNAL}


def put_records(kind: str, records: Iterable[Mapping[str, Any]]) -> int:
    """Write catalog records (seeding and import only). Returns the DynamoDB calls made."""
    return dynamo.batch_write(_table(), [to_catalog_item(kind, r) for r in records])


def write_records(kind: str, records: Iterable[Mapping[str, Any]], deleted: Iterable[str]) -> int:
    """Upsert whole records (each replaces any earlier version of its id, facets included) and
    delete the `deleted` ids of `kind`; each id at most once. Returns the DynamoDB calls made."""
    puts = [to_catalog_item(kind, r) for r in records]
    return dynamo.batch_write(_table(), puts, [keys.catalog_record(kind, i) for i in deleted])


def existing_ids(kind: str, ids: Iterable[str]) -> set[str]:
    """Which of these ids the catalog holds as `kind` (strongly consistent)."""
    wanted = [keys.catalog_record(kind, i) for i in dict.fromkeys(ids)]
    found = dynamo.batch_get(_table(), wanted, projection="id", consistent=True)
    return {item["id"] for item in found}


def get_records(kind: str, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Catalog records by id (BatchGetItem, 100 keys a call); unknown ids are simply absent."""
    found = dynamo.batch_get(_table(), [keys.catalog_record(kind, i) for i in dict.fromkeys(ids)])
    return {item["id"]: strip_internal(item) for item in found if item.get(keys.KIND) == kind}


def scan_segment(
    kind: str, segment: int, total_segments: int, pushdown: Mapping[str, Any] | None = None
) -> Iterator[dict[str, Any]]:
    """Every item of one parallel-scan segment that passes the pushdown expression."""
    request: dict[str, Any] = {
        "TableName": _table(),
        "Segment": segment,
        "TotalSegments": total_segments,
        **(pushdown or {}),
    }
    if "FilterExpression" in request:
        request["ExpressionAttributeValues"] = dynamo.values(request["ExpressionAttributeValues"])
    else:
        request.update(
            FilterExpression="#k = :k",
            ExpressionAttributeNames={"#k": keys.KIND},
            ExpressionAttributeValues=dynamo.values({":k": kind}),
        )
    for item in dynamo.items("scan", request):
        yield strip_internal(item)


def set_stats(persons: int, companies: int) -> None:
    dynamo.client().put_item(
        TableName=_table(),
        Item=dynamo.to_item({**keys.CATALOG_STATS, "persons": persons, "companies": companies}),
    )


def add_stats(persons: int, companies: int) -> None:
    """Count records added (or, negative, removed) without reading the counts first."""
    dynamo.client().update_item(**stats_update(persons, companies))


def stats_update(persons: int, companies: int) -> dict[str, Any]:
    """The UpdateItem (or transaction Update) that adds to the catalog's counts."""
    return {
        "TableName": _table(),
        "Key": dynamo.to_item(keys.CATALOG_STATS),
        "UpdateExpression": "ADD persons :p, companies :c",
        "ExpressionAttributeValues": dynamo.values({":p": persons, ":c": companies}),
    }


def stats() -> dict[str, int]:
    item = dynamo.client().get_item(TableName=_table(), Key=dynamo.to_item(keys.CATALOG_STATS))
    data = dynamo.from_item(item.get("Item", {}))
    return {"persons": int(data.get("persons", 0)), "companies": int(data.get("companies", 0))}
