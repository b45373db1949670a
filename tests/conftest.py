"""Shared fixtures: moto-backed AWS with the template's resources, and an API client through the
handlers (API Gateway v2 events, exactly as the local runtime and AWS build them)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")

import moto_world

from leadlists.config import settings
from leadlists.repositories import dynamo
from leadlists_local import lambdas, moto_shims, resources
from leadlists_local.catalog import seed_catalog

ORG_A, ORG_B = "org_alpha", "org_beta"


def _share_botocore_models() -> None:
    """moto gives every test a new default boto3 session, and each new session's clients parse
    the service models and endpoint rules from JSON again (~0.1 s a test); one process-wide
    cache serves them (the files cannot change during a run)."""
    from botocore import loaders

    for name in (
        "list_available_services",
        "determine_latest_version",
        "list_api_versions",
        "load_service_model",
        "load_data_with_path",
    ):
        _cache_across_loaders(loaders.Loader, name)


def _cache_across_loaders(cls: type, name: str) -> None:
    method = getattr(cls, name)
    found: dict[tuple[Any, ...], Any] = {}

    def cached(self: Any, *args: Any, **kwargs: Any) -> Any:
        key = (tuple(self.search_paths), args, tuple(sorted(kwargs.items())))
        if key not in found:
            found[key] = method(self, *args, **kwargs)
        return found[key]

    setattr(cls, name, cached)


_share_botocore_models()


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """Fresh moto state with every table and queue of template.yaml, and the union of every
    function's environment (each test may call any function's code)."""
    moto_shims.install()  # thread-safe, fast transactions (see leadlists_local/moto_shims.py)
    with mock_aws():
        # Without S3 notifications (~50 ms a test): the tests of a bucket flow add them.
        created = moto_world.create_all()
        env = resources.environment_all(created, parameters={})
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        settings.cache_clear()
        dynamo.client.cache_clear()
        _clear_queue_clients()
        yield created
        settings.cache_clear()
        dynamo.client.cache_clear()
        _clear_queue_clients()


def _clear_queue_clients() -> None:
    from leadlists import queues

    queues._client.cache_clear()


@pytest.fixture
def catalog(aws: dict[str, Any]) -> dict[str, Any]:
    """A small deterministic catalog: 60 companies, 600 persons."""
    key = ("catalog", settings().global_table)
    return moto_world.seeded(key, lambda: seed_catalog(companies=60, persons=600, seed=7))


def claims(org: str = ORG_A, user: str = "user_1", role: str | None = "admin") -> dict[str, str]:
    out = {"sub": user, "org_id": org}
    if role:
        out["org_role"] = role
    return out


class Api:
    """Calls a route's handler the way API Gateway would, returning (status, json body, headers)."""

    def __init__(
        self, claims: dict[str, str] | None, authorizer: dict[str, Any] | None = None
    ) -> None:
        self.claims = claims
        # The Lambda authorizer's context as it answered (API keys); None: built from `claims`.
        self.authorizer = authorizer

    def as_(self, **kwargs: Any) -> Api:
        return Api(claims(**kwargs))

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        raw: bytes | str | None = None,
        headers: dict[str, str] | None = None,
        query: str = "",
    ) -> tuple[int, Any, dict[str, str]]:
        found = lambdas.find_route(method, path)
        assert found is not None, f"no route for {method} {path}"
        route, params = found
        payload = raw if raw is not None else (json.dumps(body) if body is not None else None)
        hdrs = {"content-type": "application/json", **(headers or {})}
        request = lambdas.Request(method, path, route, params, hdrs, query)
        event = lambdas.http_event(request, self.claims, payload, authorizer=self.authorizer)
        answer = lambdas.invoke(route.function, event)
        try:
            data = lambdas.response_json(answer)
        except json.JSONDecodeError:
            data = answer.get("body")
        return answer["statusCode"], data, answer.get("headers") or {}

    def get(self, path: str, **kw: Any) -> tuple[int, Any, dict[str, str]]:
        return self.call("GET", path, **kw)

    def post(self, path: str, body: Any = None, **kw: Any) -> tuple[int, Any, dict[str, str]]:
        return self.call("POST", path, body, **kw)

    def delete(self, path: str, **kw: Any) -> tuple[int, Any, dict[str, str]]:
        return self.call("DELETE", path, **kw)


@pytest.fixture
def api(aws: dict[str, Any]) -> Api:
    return Api(claims())


def drain_queue(aws: dict[str, Any], queue: str, function: str, rounds: int = 10) -> int:
    """Deliver a queue's messages to its consumer like an event source mapping; returns batches."""
    sqs = boto3.client("sqs", region_name="us-east-1")
    url, arn = aws["queues"][queue]["url"], aws["queues"][queue]["arn"]
    batches = 0
    for _ in range(rounds):
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0)
        messages = got.get("Messages", [])
        if not messages:
            break
        result = lambdas.invoke(function, lambdas.sqs_event(messages, arn))
        failed = {f["itemIdentifier"] for f in (result or {}).get("batchItemFailures", [])}
        for m in messages:
            if m["MessageId"] not in failed:
                sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        batches += 1
    return batches


# The HTTP suite's target: a LocalRuntime started here, or LEADLISTS_BASE_URL (tests/http_target.py)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "local_only(reason): needs the in-process runtime (its tables, queues or code); skipped "
        "only when the HTTP suite runs against LEADLISTS_BASE_URL",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    from http_target import BASE_URL_ENV, remote_base_url

    if remote_base_url() is None:
        return  # `make test`: every test runs
    for item in items:
        marker = item.get_closest_marker("local_only")
        if marker is not None:
            reason = marker.args[0] if marker.args else marker.kwargs.get("reason", "")
            assert reason, f"{item.nodeid}: local_only needs a reason"
            item.add_marker(pytest.mark.skip(reason=f"local only ({BASE_URL_ENV} set): {reason}"))


@pytest.fixture(scope="module")
def http_target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The API the HTTP tests call: LEADLISTS_BASE_URL with LEADLISTS_TOKEN_CMD when set,
    otherwise a LocalRuntime started for the module (with its own state folder and key)."""
    from http_target import Target, remote_base_url, remote_target

    if remote_base_url() is not None:
        yield remote_target()
        return
    from leadlists_local.runtime import LocalRuntime

    runtime = LocalRuntime(
        "127.0.0.1",
        0,
        seed_companies=30,
        seed_persons=300,
        state_dir=tmp_path_factory.mktemp("state"),
        parameters={"LogLevel": "WARNING"},
        visibility_timeout=1,  # failed messages come back fast enough to reach the DLQ in tests
    )
    runtime.start()
    try:
        yield Target(base_url=runtime.base_url, runtime=runtime)
    finally:
        runtime.stop()


@pytest.fixture(scope="module")
def base_url(http_target: Any) -> str:
    return http_target.base_url


@pytest.fixture(scope="module")
def token_for(http_target: Any) -> Any:
    """token_for(org, user, role="admin") -> a bearer token the target accepts."""
    return http_target.token_for
