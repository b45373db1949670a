"""Two fixes to moto's DynamoDB emulation (5.2.x) that concurrent, transactional code needs.

1. Thread safety. moto's backend is plain dicts without locks, and TransactWriteItems rolls back
   by restoring a deep copy of the whole table taken at its start, which silently erases every
   write other threads made meanwhile (and the copy itself fails with "dictionary changed size
   during iteration" while they write). DynamoDB is linearizable per item and transactions are
   serializable, so serializing moto's DynamoDB requests under one lock models it faithfully.
2. Speed. moto deep-copies the table once per *item* of a transaction (the copies are all taken
   before any item is applied, so all but the last are wasted): a 100-item transaction on a
   2,000-item table took ~20 s. One snapshot per table per transaction keeps the same rollback,
   and it copies only what the transaction can change: the item containers, its stream's
   records, and the items it names (an update changes its item in place); every other item is
   shared with the live table, which the transaction does not touch.
   And a Scan of the table deep-copies every item it reads before its FilterExpression drops
   most of them; only the items it returns are copied here (the answer is the same: the page
   still ends where the read items fill 1 MB, and nothing mutates the items before the copy).
3. Table walks. Every Query and every Scan page starts from moto's `all_items()`, which sorts
   the whole table by comparing its key objects in Python (each comparison converts both
   values): a query of a ten-item partition sorted the whole tenant table. The sort here takes
   each item's key values once (the same order), and a query of the base table walks only its
   partition (moto keeps only that partition's items of the walk anyway). A Scan's sorted walk
   is kept, like item sizes (4.), until a request may write to its table.
4. Item sizes. A Scan or Query page adds up each item's size (for its 1 MB limit), walking
   every attribute each time: a third of the emulator's CPU under the local runtime's load,
   which scans the same catalog for each search. A size is kept on its item for the walks of
   its table until the next request that may write to that table.
5. Item building. moto builds a stored item attribute by attribute, re-measuring the whole
   item at each one to enforce the 400 KB limit (quadratic in its attributes); the same limit
   is checked once here on the whole item, which is what the last of those checks decides.
6. Serialization. moto writes every answer through a serializer that walks botocore's output
   shape value by value: over a third of the emulator's CPU under load. The answers of the
   data-plane operations are already DynamoDB JSON once moto has converted its types (only
   binary values are raw bytes), so they are written with `json.dumps` (bytes as base64, as
   the serializer writes blobs); anything else keeps moto's serializer.

`install()` is idempotent; the test fixtures, the benchmarks and the local runtime call it.
"""

from __future__ import annotations

import base64
import bisect
import contextlib
import copy
import json
import threading
import types
from collections.abc import Iterator
from typing import Any

_LOCK = threading.RLock()
_installed = False


def install() -> None:
    global _installed
    with _LOCK:
        if _installed:
            return
        from moto.dynamodb import models
        from moto.dynamodb.responses import DynamoHandler

        call_action = DynamoHandler.call_action

        def serialized(self: Any) -> Any:
            with _LOCK:
                _written(self._get_action(), getattr(self, "params", None) or {})
                return call_action(self)

        DynamoHandler.call_action = serialized  # type: ignore[method-assign]

        transact = models.DynamoDBBackend.transact_write_items

        def transact_once(self: Any, transact_items: list[dict[str, Any]]) -> None:
            memo: dict[int, Any] = {}
            touched = _touched_keys(transact_items)

            def deepcopy(value: Any, *args: Any) -> Any:
                if not isinstance(value, models.Table):
                    return copy.deepcopy(value, *args)  # an item (update_item keeps its old image)
                if id(value) not in memo:
                    memo[id(value)] = _snapshot(value, touched.get(value.name, []))
                return memo[id(value)]

            # moto looks `copy.deepcopy` up through its module's `copy` global at call time.
            shim = types.SimpleNamespace(deepcopy=deepcopy)
            with _LOCK:
                saved, models.copy = models.copy, shim  # type: ignore[assignment]
                try:
                    transact(self, transact_items)
                finally:
                    models.copy = saved

        models.DynamoDBBackend.transact_write_items = transact_once  # type: ignore[method-assign]
        _copy_only_returned_items()
        _walk_less(models.Table)
        _sizes_kept()
        _items_built_once()
        _write_data_answers_as_json(DynamoHandler)
        _installed = True


def _touched_keys(transact_items: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """The wire-format keys (or whole items, for puts) each table's items are named by."""
    keys: dict[str, list[dict[str, Any]]] = {}
    for entry in transact_items:
        for op in entry.values():
            if isinstance(op, dict) and "TableName" in op:
                keys.setdefault(op["TableName"], []).append(op.get("Key") or op.get("Item") or {})
    return keys


def _snapshot(table: Any, keys: list[dict[str, Any]]) -> Any:
    """A copy of `table` that rollback can put back, as moto's deep copy would be."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    snap = copy.copy(table)
    snap.items = type(table.items)(table.items.default_factory)
    for hash_key, value in table.items.items():
        snap.items[hash_key] = dict(value) if isinstance(value, dict) else value
    for key in keys:
        hash_value = key.get(table.hash_key_attr)
        if hash_value is None or DynamoType(hash_value) not in table.items:
            continue
        hash_key = DynamoType(hash_value)
        if table.range_key_attr is None:
            snap.items[hash_key] = copy.deepcopy(table.items[hash_key])
            continue
        range_value = key.get(table.range_key_attr)
        stored = table.items[hash_key]
        if range_value is not None and DynamoType(range_value) in stored:
            range_key = DynamoType(range_value)
            snap.items[hash_key][range_key] = copy.deepcopy(stored[range_key])
    if table.stream_shard is not None:
        snap.stream_shard = copy.copy(table.stream_shard)
        snap.stream_shard.items = list(table.stream_shard.items)
        snap.stream_shard.table = snap
    return snap


def _copy_only_returned_items() -> None:
    from moto.dynamodb.models import table as tables

    scan = tables.Table.scan
    keep = types.SimpleNamespace(deepcopy=lambda value, *_: value)

    def scan_then_copy(self: Any, *args: Any, **kwargs: Any) -> Any:
        index = kwargs.get("index_name", args[4] if len(args) > 4 else None)
        if index:
            return scan(self, *args, **kwargs)  # an index projects its copies in place
        with _LOCK:
            saved, tables.copy = tables.copy, keep  # type: ignore[assignment]
            try:
                start = args[2] if len(args) > 2 else kwargs.get("exclusive_start_key")
                if not start:
                    with _sized(self):
                        results, scanned, last_key = scan(self, *args, **kwargs)
                else:
                    # moto would walk and compare every item up to the page's start key.
                    if len(args) > 2:
                        args = (*args[:2], None, *args[3:])
                    else:
                        kwargs = {**kwargs, "exclusive_start_key": None}
                    with _sized(self), _walking(self, _after(self, start)):
                        results, scanned, last_key = scan(self, *args, **kwargs)
            finally:
                tables.copy = saved
        return [copy.deepcopy(item) for item in results], scanned, last_key

    tables.Table.scan = scan_then_copy  # type: ignore[method-assign]


def _sort_key(item: Any) -> Any:
    if item.range_key:
        return (item.hash_key.cast_value, item.range_key.cast_value)
    return item.hash_key.cast_value


# Requests that only read; any other request may write (a table it names, or any table).
READS = frozenset(
    {"GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems", "DescribeTable", "ListTables"}
)
_epochs: dict[str, int] = {}  # table name -> writes seen; "" -> writes to tables unknown
_sizing: list[Any] = [None]  # the walk under way: its table's epoch mark (under _LOCK)


def _written(action: str, params: dict[str, Any]) -> None:
    if action in READS:
        return
    names = [params["TableName"]] if "TableName" in params else []
    names += list(params.get("RequestItems") or {})
    for entry in params.get("TransactItems") or []:
        names += [op["TableName"] for op in entry.values() if isinstance(op, dict)]
    for name in names or [""]:
        _epochs[name] = _epochs.get(name, 0) + 1


@contextlib.contextmanager
def _sized(table: Any) -> Iterator[None]:
    """Item sizes computed during this walk are kept for the next walks of `table` until a
    request may have written to it."""
    _sizing[0] = (table.name, _epochs.get(table.name, 0), _epochs.get("", 0))
    try:
        yield
    finally:
        _sizing[0] = None


def _sizes_kept() -> None:
    from moto.dynamodb.models.dynamo_type import Item

    size = Item.size

    def kept(self: Any) -> int:
        mark = _sizing[0]
        if mark is None:
            return int(size(self))
        known = self.__dict__.get("_kept_size")
        if known is not None and known[0] == mark:
            return int(known[1])
        value = int(size(self))
        self._kept_size = (mark, value)
        return value

    Item.size = kept  # type: ignore[method-assign]


def _items_built_once() -> None:
    from moto.dynamodb.exceptions import ItemSizeTooLarge
    from moto.dynamodb.models import dynamo_type
    from moto.dynamodb.models.utilities import bytesize

    def build(self: Any, hash_key: Any, range_key: Any, attrs: dict[str, Any]) -> None:
        self.hash_key, self.range_key = hash_key, range_key
        built = dynamo_type.LimitedSizeDict()
        for key, value in attrs.items():
            dict.__setitem__(built, key, dynamo_type.DynamoType(value))
        # moto's own limit (between DynamoDB's documented 400 KB and what it accepts).
        if sum(bytesize(key) + value.size() for key, value in built.items()) > 405000:
            raise ItemSizeTooLarge
        self.attrs = built

    dynamo_type.Item.__init__ = build  # type: ignore[method-assign]


@contextlib.contextmanager
def _walking(table: Any, items: list[Any]) -> Iterator[None]:
    """moto's walk of `table` (under the lock) yields `items` for one call."""
    table.all_items = lambda: items
    try:
        yield
    finally:
        del table.all_items


def _after(table: Any, start: dict[str, Any]) -> list[Any]:
    """The table's items in key order after `start` (a page's ExclusiveStartKey)."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    items = table.all_items()
    key = DynamoType(start[table.hash_key_attr]).cast_value
    if table.range_key_attr:
        key = (key, DynamoType(start[table.range_key_attr]).cast_value)
    return items[bisect.bisect_right(items, key, key=_sort_key) :]


def _walk_less(table_class: Any) -> None:
    def all_items(self: Any) -> list[Any]:
        mark = _sizing[0]
        kept = self.__dict__.get("_kept_walk")
        if mark is not None and mark[0] == self.name and kept is not None and kept[0] == mark:
            return list(kept[1])  # no request wrote to the table since this walk was sorted
        items: list[Any] = []
        for stored in self.items.values():
            if self.range_key_attr:
                items.extend(stored.values())
            else:
                items.append(stored)
        items.sort(key=_sort_key)
        if mark is not None and mark[0] == self.name:
            self._kept_walk = (mark, items)
            return list(items)
        return items

    table_class.all_items = all_items
    query = table_class.query

    def query_partition(self: Any, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        index = kwargs.get("index_name", args[6] if len(args) > 6 else None)
        if index or hash_key is None:
            return query(self, hash_key, *args, **kwargs)
        stored = self.items.get(hash_key)  # .get: the items dict must not grow a partition
        partition = list(stored.values()) if isinstance(stored, dict) else [stored]
        with _walking(self, [item for item in partition if item is not None]), _sized(self):
            return query(self, hash_key, *args, **kwargs)

    table_class.query = query_partition


# Operations whose answers hold only strings, numbers, booleans, AttributeValues and their
# binary values: nothing the output shape would rename, drop or format (no timestamps).
DATA_PLANE = frozenset(
    {
        "GetItem",
        "PutItem",
        "UpdateItem",
        "DeleteItem",
        "Query",
        "Scan",
        "BatchGetItem",
        "BatchWriteItem",
        "TransactGetItems",
        "TransactWriteItems",
    }
)
JSON_1_0 = "application/x-amz-json-1.0"


def _blob(value: Any) -> str:
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    raise TypeError(type(value).__name__)  # not plain DynamoDB JSON: moto's serializer writes it


def _write_data_answers_as_json(handler: Any) -> None:
    serialized = handler.serialized

    def fast(self: Any, action_result: Any) -> Any:
        result = action_result.result
        if isinstance(result, dict) and self._get_action() in DATA_PLANE:
            try:
                body = json.dumps(result, default=_blob, separators=(",", ":"))
            except TypeError:
                return serialized(self, action_result)
            headers = {"Content-Type": JSON_1_0, **self.response_headers}
            return 200, headers, body
        return serialized(self, action_result)

    handler.serialized = fast
