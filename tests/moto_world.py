"""The template's tables, queues and buckets (and the test catalog) in a fresh moto state, built
fast for every test.

`resources.create_all` makes ~50 API calls (CreateTable and its waiter, CreateQueue and
GetQueueAttributes for 17 queues...), each through botocore's serializer and moto's request
parser: ~0.5 s a test, a third of the integration suite. The first build in a process goes
through the API and records the calls it reaches moto's backends with; every later build replays
those backend calls with the same arguments (what moto's request handlers do with the parsed
request), so each test still starts from resources made by moto itself, none shared. `seeded`
does the same for data every test writes alike (the catalog fixture's 660 records: ~0.5 s a test
through the API).
"""

from __future__ import annotations

import pickle
import threading
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import Any

import boto3
from moto.dynamodb.models import DynamoDBBackend, dynamodb_backends
from moto.s3.models import S3Backend, s3_backends
from moto.sqs.models import SQSBackend, sqs_backends

from leadlists_local import resources

# The backend methods create_all reaches (notifications off): the only ones that change state.
_CREATING: list[tuple[type, str, Any]] = [
    (DynamoDBBackend, "create_table", dynamodb_backends),
    (DynamoDBBackend, "update_time_to_live", dynamodb_backends),
    (SQSBackend, "create_queue", sqs_backends),
    (S3Backend, "create_bucket", s3_backends),
]

# Every DynamoDB item write (BatchWriteItem's handler calls put_item and delete_item).
_WRITING: list[tuple[type, str, Any]] = [
    (DynamoDBBackend, name, dynamodb_backends)
    for name in ("put_item", "update_item", "delete_item", "transact_write_items")
]

# (backends, account, region, method name, pickled (args, kwargs)): pickle copies plain data
# several times faster than copy.deepcopy, and moto keeps (and may change) what it is given.
_Call = tuple[Any, str, str, str, bytes]
_recorded: dict[Hashable, tuple[bytes, list[_Call]]] = {}


def create_all() -> dict[str, Any]:
    """What `resources.create_all(session, notifications=False)` makes and returns."""
    make = lambda: resources.create_all(boto3.Session(), notifications=False)  # noqa: E731
    created = seeded("create_all", make, _CREATING)
    # Secrets are made through the API every time: moto gives each one an ARN with a random
    # suffix, so a replayed create would not answer the ARN recorded with the first build.
    created["secrets"] = resources.create_secrets(boto3.Session().client("secretsmanager"))
    return created


def seeded(key: Hashable, write: Callable[[], Any], methods: list[Any] = _WRITING) -> Any:
    """`write()`'s answer and state: its own the first time for this key, then replayed."""
    if key not in _recorded:
        with _recording(methods) as calls:
            made = write()
        _recorded[key] = (pickle.dumps(made), calls)
        return made
    answer, calls = _recorded[key]
    for backends, account, region, name, arguments in calls:
        method: Callable[..., Any] = getattr(backends[account][region], name)
        args, kwargs = pickle.loads(arguments)  # noqa: S301 - bytes pickled above, in this process
        method(*args, **kwargs)
    return pickle.loads(answer)  # noqa: S301 - bytes pickled above, in this process


@contextmanager
def _recording(methods: list[tuple[type, str, Any]]) -> Iterator[list[_Call]]:
    """The calls of `methods` made meanwhile that returned, outermost only (arguments as given)."""
    calls: list[_Call] = []
    depth = [0]
    thread = threading.get_ident()  # a runtime's pollers may write meanwhile: not recorded
    originals = [(cls, name, getattr(cls, name)) for cls, name, _ in methods]

    def recorder(original: Callable[..., Any], name: str, backends: Any) -> Callable[..., Any]:
        def record(self: Any, *args: Any, **kwargs: Any) -> Any:
            if threading.get_ident() != thread:
                return original(self, *args, **kwargs)
            region = next(r for r, b in backends[self.account_id].items() if b is self)
            saved = pickle.dumps((args, kwargs))
            depth[0] += 1
            try:
                result = original(self, *args, **kwargs)
            finally:
                depth[0] -= 1
            if depth[0] == 0:
                calls.append((backends, self.account_id, region, name, saved))
            return result

        return record

    for (cls, name, backends), (_, _, original) in zip(methods, originals, strict=True):
        setattr(cls, name, recorder(original, name, backends))
    try:
        yield calls
    finally:
        for cls, name, original in originals:
            setattr(cls, name, original)
