"""Two fixes to moto's DynamoDB emulation (5.2.x) that concurrent, transactional code needs.

1. Thread safety. moto's backend is plain dicts without locks, and TransactWriteItems rolls back
   by restoring a deep copy of the whole table taken at its start, which silently erases every
   write other threads made meanwhile (and the copy itself fails with "dictionary changed size
   during iteration" while they write). DynamoDB is linearizable per item and transactions are
   serializable, so serializing moto's DynamoDB requests under one lock models it faithfully.
2. Speed. moto deep-copies the table once per *item* of a transaction (the copies are all taken
   before any item is applied, so all but the last are wasted): a 100-item transaction on a
   2,000-item table took ~20 s. One copy per table per transaction keeps the same rollback.
   And a Scan of the table deep-copies every item it reads before its FilterExpression drops
   most of them; only the items it returns are copied here (the answer is the same: the page
   still ends where the read items fill 1 MB, and nothing mutates the items before the copy).
   And a new item's 400 KB check re-sums the whole item after each attribute (quadratic: ~15 ms
   a catalog record, most of a test's set-up); it is summed once here, with the same limit.
3. Speed of answers. moto's JSON serializer walks the botocore shape of every attribute value
   of every returned item, trying each member's name aliases (~0.3 ms a catalog record: a
   BatchGetItem of 100 records took ~40 ms to serialize). Values of the plain kinds (S, N, SS,
   NS, M, L, NULL, BOOL) are copied as that walk would write them; binary ones still take it.

`install()` is idempotent; the test fixtures, the benchmarks and the local runtime call it.
"""

from __future__ import annotations

import copy
import threading
import types
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
                return call_action(self)

        DynamoHandler.call_action = serialized  # type: ignore[method-assign]

        transact = models.DynamoDBBackend.transact_write_items

        def transact_once(self: Any, transact_items: list[dict[str, Any]]) -> None:
            memo: dict[int, Any] = {}

            def deepcopy(value: Any, *args: Any) -> Any:
                if id(value) not in memo:
                    memo[id(value)] = copy.deepcopy(value, *args)
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
        _size_new_items_once()
        _copy_plain_attribute_values()
        _installed = True


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
                results, scanned, last_key = scan(self, *args, **kwargs)
            finally:
                tables.copy = saved
        return [copy.deepcopy(item) for item in results], scanned, last_key

    tables.Table.scan = scan_then_copy  # type: ignore[method-assign]


def _size_new_items_once() -> None:
    from moto.dynamodb.exceptions import ItemSizeTooLarge
    from moto.dynamodb.models import dynamo_type

    def init(self: Any, hash_key: Any, range_key: Any, attrs: dict[str, Any]) -> None:
        self.hash_key = hash_key
        self.range_key = range_key
        self.attrs = dynamo_type.LimitedSizeDict()
        # dict.update skips LimitedSizeDict.__setitem__ (its per-attribute check): the total
        # below is the sum its last check would have made, so the same items fail.
        dict.update(self.attrs, {k: dynamo_type.DynamoType(v) for k, v in attrs.items()})
        if self.size() > _MOTO_ITEM_LIMIT:
            raise ItemSizeTooLarge

    dynamo_type.Item.__init__ = init  # type: ignore[method-assign]


# moto's LimitedSizeDict limit: between AWS's measured 409 and 410 KB (moto's own comment).
_MOTO_ITEM_LIMIT = 405000


def _copy_plain_attribute_values() -> None:
    from moto.core.serialize import BaseJSONSerializer

    walk = BaseJSONSerializer._serialize_type_structure

    def copy_or_walk(self: Any, serialized: Any, value: Any, shape: Any, key: str) -> None:
        if key and shape.name == "AttributeValue":
            plain = _plain(value)
            if plain is not None:
                self._default_serialize(serialized, plain, shape, key)
                return
        walk(self, serialized, value, shape, key)

    BaseJSONSerializer._serialize_type_structure = copy_or_walk  # type: ignore[method-assign]


def _plain(value: Any) -> Any:
    """A DynamoDB JSON attribute value as moto's serializer writes it, or None when it holds
    anything but strings, lists, maps and booleans under the plain kinds' keys."""
    if type(value) is not dict or len(value) != 1:
        return None
    ((kind, inner),) = value.items()
    if kind in ("S", "N") and type(inner) is str:
        return {kind: inner}
    if kind in ("NULL", "BOOL") and type(inner) is bool:
        return {kind: inner}
    if kind in ("SS", "NS") and type(inner) is list and all(type(v) is str for v in inner):
        return {kind: list(inner)}
    if kind == "M" and type(inner) is dict:
        members = {k: _plain(v) for k, v in inner.items()}
        return None if any(v is None for v in members.values()) else {kind: members}
    if kind == "L" and type(inner) is list:
        items = [_plain(v) for v in inner]
        return None if any(v is None for v in items) else {kind: items}
    return None
