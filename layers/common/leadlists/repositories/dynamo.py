"""The DynamoDB client and the batch, paging and serialization helpers every repository uses."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from functools import lru_cache
from typing import Any, cast

from botocore.config import Config
from botocore.exceptions import ClientError

from leadlists import aws_clients, tokens
from leadlists.repositories.attribute_values import deserialize, serialize

BATCH_GET_MAX = 100
BATCH_WRITE_MAX = 25
TRANSACT_MAX = 100
_RETRY_DELAYS = (0.05, 0.1, 0.2, 0.4, 0.8, 1.6, 3.2)
# Cancellation reasons (and whole-call errors) that pass if the transaction is simply run again.
RETRYABLE_REASONS = frozenset(
    {"TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded", "None"}
)
_RETRYABLE_ERRORS = frozenset(
    {
        "TransactionConflictException",
        "ThrottlingException",
        "ProvisionedThroughputExceededException",
    }
)


@lru_cache(maxsize=1)
def client() -> Any:
    # Adaptive retries absorb throttling; AWS_ENDPOINT_URL (set by the local runtime) redirects it.
    return aws_clients.client(
        "dynamodb", config=Config(retries={"mode": "adaptive", "max_attempts": 8})
    )


def to_item(data: Mapping[str, Any]) -> dict[str, Any]:
    return {k: serialize(v) for k, v in data.items() if v is not None}


def from_item(item: Mapping[str, Any]) -> dict[str, Any]:
    """Plain values: numbers as int or float, so models and JSON see ordinary numbers."""
    return {k: deserialize(v) for k, v in item.items()}


def values(mapping: Mapping[str, Any]) -> dict[str, Any]:
    return {k: serialize(v) for k, v in mapping.items()}


def chunks(seq: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(seq), size):
        yield seq[start : start + size]


def _until_processed(
    call: Callable[..., dict[str, Any]], pending: dict[str, Any], unprocessed: str, what: str
) -> Iterator[dict[str, Any]]:
    """One batch call and its retries of what DynamoDB left unprocessed, with capped jittered
    backoff; yields every answer."""
    for attempt in range(len(_RETRY_DELAYS) + 1):
        answer = call(RequestItems=pending)
        yield answer
        pending = answer.get(unprocessed) or {}
        if not pending:
            return
        if attempt == len(_RETRY_DELAYS):
            raise RuntimeError(f"{what} left items unprocessed after retries")
        time.sleep(backoff(attempt))


def backoff(attempt: int) -> float:
    """Full jitter under a capped exponential delay: retries of many writers spread out."""
    # Jitter, not a secret: the random module is the right tool.
    return random.uniform(0, _RETRY_DELAYS[min(attempt, len(_RETRY_DELAYS) - 1)])  # noqa: S311  # nosec B311


def batch_get(
    table: str,
    keys: list[dict[str, Any]],
    projection: str | None = None,
    consistent: bool = False,
) -> list[dict[str, Any]]:
    """Read many items, 100 keys a call, retrying unprocessed keys with backoff."""
    found: list[dict[str, Any]] = []
    for chunk in chunks(keys, BATCH_GET_MAX):
        request: dict[str, Any] = {"Keys": [to_item(k) for k in chunk]}
        if projection:
            request["ProjectionExpression"] = projection
        if consistent:
            request["ConsistentRead"] = True
        call = client().batch_get_item
        for answer in _until_processed(call, {table: request}, "UnprocessedKeys", "BatchGetItem"):
            found.extend(from_item(i) for i in answer.get("Responses", {}).get(table, []))
    return found


def batch_write(
    table: str,
    puts: Iterable[Mapping[str, Any]] = (),
    deletes: Iterable[Mapping[str, Any]] = (),
) -> int:
    """Write many items, 25 a call, retrying unprocessed items. Returns the calls made."""
    requests = [{"PutRequest": {"Item": to_item(p)}} for p in puts]
    requests += [{"DeleteRequest": {"Key": to_item(k)}} for k in deletes]
    calls = 0
    for chunk in chunks(requests, BATCH_WRITE_MAX):
        call = client().batch_write_item
        for _ in _until_processed(call, {table: chunk}, "UnprocessedItems", "BatchWriteItem"):
            calls += 1
    return calls


def get(table: str, key: Mapping[str, Any]) -> dict[str, Any] | None:
    """An item by key, strongly consistent; None when absent."""
    answer = client().get_item(TableName=table, Key=to_item(key), ConsistentRead=True)
    return from_item(answer["Item"]) if "Item" in answer else None


def get_unexpired(table: str, key: Mapping[str, Any], now_epoch: int) -> dict[str, Any] | None:
    """An item by key, or None when absent or past its TTL attribute `expiresAt`: DynamoDB
    deletes expired items only eventually, so readers treat them as gone."""
    item = get(table, key)
    return None if item is None or int(item.get("expiresAt", 0)) <= now_epoch else item


def partition_query(
    table: str, attribute: str, value: str, index: str | None = None, limit: int | None = None
) -> dict[str, Any]:
    """A Query request for one partition (of the table or of `index`); callers add to it."""
    request: dict[str, Any] = {
        "TableName": table,
        "KeyConditionExpression": "#p = :p",
        "ExpressionAttributeNames": {"#p": attribute},
        "ExpressionAttributeValues": values({":p": value}),
    }
    if index:
        request["IndexName"] = index
    if limit:
        request["Limit"] = limit
    return request


def put_if_absent(table: str, item: Mapping[str, Any]) -> bool:
    """PutItem unless an item has its key already (whose table's key begins with `pk`)."""
    try:
        client().put_item(
            TableName=table, Item=to_item(item), ConditionExpression="attribute_not_exists(pk)"
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            return False
        raise
    return True


def update_if(request: dict[str, Any]) -> dict[str, Any] | None:
    """One UpdateItem answering the item's new attributes, or None when its condition fails
    (retried while it conflicts with a transaction on the item)."""
    try:
        answer = with_retries(lambda: client().update_item(ReturnValues="ALL_NEW", **request))
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            return None
        raise
    return from_item(answer["Attributes"])


def set_while(table: str, key: Mapping[str, Any], fields: Mapping[str, Any], status: str) -> bool:
    """SET `fields` on the item at `key` while its `status` is still `status`; False when it is
    not (moved on by an earlier delivery, or gone)."""
    names = {f"#f{i}": name for i, name in enumerate(fields)}
    vals = {f":f{i}": value for i, value in enumerate(fields.values())}
    request = {
        "TableName": table,
        "Key": to_item(key),
        "UpdateExpression": "SET " + ", ".join(f"{n} = :{n[1:]}" for n in names),
        "ConditionExpression": "attribute_exists(pk) AND #status = :while",
        "ExpressionAttributeNames": {**names, "#status": "status"},
        "ExpressionAttributeValues": values({**vals, ":while": status}),
    }
    return update_if(request) is not None


class TransactionCancelled(Exception):
    """A transaction DynamoDB cancelled for a reason retrying does not cure; `reasons` holds one
    code per item ("None" for the items that were fine), for the caller to tell apart: a failed
    condition is usually the client's 409, anything else stays an error (a 5xx)."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__(f"Transaction cancelled: {', '.join(reasons)}")
        self.reasons = reasons


def cancellation_reasons(exc: ClientError) -> list[str]:
    return [r.get("Code") or "None" for r in exc.response.get("CancellationReasons", [])]


def retryable(exc: ClientError) -> bool:
    """A conflict or throttling, not a failed condition: the same request may pass later (the
    SDK retries throttled plain calls itself, but not these)."""
    code = exc.response["Error"]["Code"]
    if code == "TransactionCanceledException":
        reasons = set(cancellation_reasons(exc))
        return reasons <= RETRYABLE_REASONS and reasons != {"None"}
    return code in _RETRYABLE_ERRORS


# Retries since the process started, by error code: what a test injecting conflicts measures.
RETRIES: dict[str, int] = {}


def with_retries(call: Callable[[], Any]) -> Any:
    """`call()`, again after capped jittered backoff while it fails with a conflict or
    throttling; the last failure (or any other) is raised."""
    for attempt in range(len(_RETRY_DELAYS) + 1):
        try:
            return call()
        except ClientError as exc:
            if attempt == len(_RETRY_DELAYS) or not retryable(exc):
                raise
            code = exc.response["Error"]["Code"]
            RETRIES[code] = RETRIES.get(code, 0) + 1
        time.sleep(backoff(attempt))
    raise AssertionError("unreachable")  # pragma: no cover


def transact(items: list[dict[str, Any]]) -> None:
    """One TransactWriteItems, run again after capped jittered backoff while conflicts or
    throttling cancel it; any other cancellation raises TransactionCancelled."""
    try:
        with_retries(lambda: client().transact_write_items(TransactItems=items))
    except ClientError as exc:
        # Conflicts that outlast the retries stay a ClientError (a 5xx), as any other error.
        if exc.response["Error"]["Code"] == "TransactionCanceledException" and not retryable(exc):
            raise TransactionCancelled(cancellation_reasons(exc)) from exc
        raise


def delete_if(request: dict[str, Any]) -> bool:
    """One conditional DeleteItem; False when its condition fails."""
    try:
        client().delete_item(**request)
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            return False
        raise
    return True


def encode_token(last_key: Mapping[str, Any] | None) -> str | None:
    return tokens.encode(last_key) if last_key else None


def decode_token(
    token: str | None, attributes: Collection[str], expected: Mapping[str, str]
) -> dict[str, Any] | None:
    """Decode a nextToken into a start key: exactly the key `attributes` of the query's table and
    index, each a string, inside the partition the caller may read (`expected`)."""
    if not token:
        return None
    key = tokens.decode(token)
    if (
        not isinstance(key, dict)
        or set(key) != set(attributes)
        or not all(isinstance(v, dict) and set(v) == {"S"} for v in key.values())
        or not all(isinstance(v["S"], str) for v in key.values())
    ):
        raise tokens.invalid()
    for name, expected_value in expected.items():
        if key[name] != {"S": expected_value}:
            raise tokens.invalid()
    return key


def _call(operation: str, request: dict[str, Any], client_start: bool) -> dict[str, Any]:
    """One Query or Scan call. A start key DynamoDB rejects is the client's bad nextToken when it
    came from the client (`client_start`); one DynamoDB handed back itself is our own failure."""
    try:
        return cast(dict[str, Any], getattr(client(), operation)(**request))
    except ClientError as exc:
        if (
            client_start
            and exc.response["Error"]["Code"] == "ValidationException"
            and "ExclusiveStartKey" in request
        ):
            raise tokens.invalid() from None
        raise


def pages(operation: str, request: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """Every answer of a Query or Scan ("query" / "scan"), following LastEvaluatedKey; a start
    key already in `request` is the client's."""
    request = dict(request)
    first = True
    while True:
        answer = _call(operation, request, client_start=first)
        first = False
        yield answer
        if "LastEvaluatedKey" not in answer:
            return
        request["ExclusiveStartKey"] = answer["LastEvaluatedKey"]


def items(operation: str, request: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """Every item of a Query or Scan, deserialized, streamed page by page."""
    for answer in pages(operation, request):
        yield from (from_item(i) for i in answer.get("Items", []))


def page(
    request: Mapping[str, Any],
    token: str | None,
    attributes: Collection[str],
    expected: Mapping[str, str],
) -> tuple[list[dict[str, Any]], str | None]:
    """One Query page from a client's nextToken, and the token of the page after it."""
    start = decode_token(token, attributes, expected)
    answer = _call("query", {**request, **({"ExclusiveStartKey": start} if start else {})}, True)
    found = [from_item(i) for i in answer.get("Items", [])]
    return found, encode_token(answer.get("LastEvaluatedKey"))
