"""The local runtime over real HTTP: gateway checks, the saved-list flow, background work."""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import jwt
import pytest
import requests

from leadlists.repositories import catalog, keys
from leadlists_local import lambdas, pollers, state, template, tokens
from leadlists_local.runtime import LocalRuntime
from leadlists_local.server import MAX_BODY

ORG, USER = tokens.DEMO_ORG, tokens.DEMO_USER


@pytest.fixture(scope="module")
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalRuntime]:
    folder = tmp_path_factory.mktemp("state")
    rt = LocalRuntime(
        "127.0.0.1",
        0,
        seed_companies=30,
        seed_persons=300,
        state_dir=folder,
        parameters={"LogLevel": "WARNING"},
        visibility_timeout=1,  # failed messages come back fast enough to reach the DLQ here
    )
    rt.start()
    yield rt
    rt.stop()


@pytest.fixture(scope="module")
def client(runtime: LocalRuntime) -> Iterator[requests.Session]:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {runtime.token()}"
    yield session
    session.close()


def url(runtime: LocalRuntime, path: str) -> str:
    return f"{runtime.base_url}{path}"


def save(client: requests.Session, runtime: LocalRuntime, **extra: Any) -> dict[str, Any]:
    body = {
        "organizationId": ORG,
        "listName": f"US software {uuid.uuid4().hex[:8]}",
        "contacts_found": 3,
        "filter": {"countries": ["United States"]},
        **extra,
    }
    answer = client.post(url(runtime, "/lists/save"), json=body, timeout=30)
    assert answer.status_code == 200, answer.text
    return answer.json()


def wait_idle(client: requests.Session, runtime: LocalRuntime, list_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 20
    while True:
        answer = client.get(url(runtime, f"/lists/{list_id}"), timeout=30)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        if body["refreshStatus"] == "idle" or time.monotonic() > deadline:
            return body
        time.sleep(0.1)


def assert_error(answer: requests.Response, status: int, code: str) -> None:
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert body["code"] == code
    assert body["message"]
    assert body["requestId"] == answer.headers["Apigw-Requestid"]


# ---------------------------------------------------------------------- the saved-list flow


def test_saved_list_lifecycle(client: requests.Session, runtime: LocalRuntime) -> None:
    saved = save(client, runtime)
    assert saved["refreshStatus"] == "queued"
    list_id = saved["id"]
    wait_idle(client, runtime, list_id)  # the queued computation first, so refresh runs inline

    refreshed = client.post(url(runtime, f"/lists/refresh/{list_id}"), timeout=30)
    assert refreshed.status_code == 200, refreshed.text
    body = refreshed.json()
    assert body["refreshStatus"] == "idle"
    assert body["lastSyncedTime"]
    total = body["contactsNum"]
    assert total > 5

    got = client.get(url(runtime, f"/lists/{list_id}"), timeout=30)
    assert got.status_code == 200 and got.json()["id"] == list_id
    lists = client.get(url(runtime, f"/lists/{ORG}"), timeout=30)
    assert lists.status_code == 200
    assert list_id in {item["id"] for item in lists.json()}

    seen: list[str] = []
    query: dict[str, Any] = {"limit": 25}
    while True:
        page = client.get(url(runtime, f"/lists/{list_id}/contacts"), params=query, timeout=30)
        assert page.status_code == 200, page.text
        data = page.json()
        assert len(data["contacts"]) <= 25
        seen += [contact["id"] for contact in data["contacts"]]
        if not data.get("nextToken"):
            break
        query["nextToken"] = data["nextToken"]
    assert len(seen) == len(set(seen)) == total > 25  # more than one page

    deleted = client.delete(url(runtime, f"/lists/{list_id}"), timeout=30)
    assert deleted.status_code == 200, deleted.text
    assert_error(client.get(url(runtime, f"/lists/{list_id}"), timeout=30), 404, "NOT_FOUND")


def test_saved_list_is_computed_by_the_queue_poller(
    client: requests.Session, runtime: LocalRuntime
) -> None:
    saved = save(client, runtime, filter={"industries": ["Software", "Technology"]})
    assert saved["refreshStatus"] == "queued" and saved["lastSyncedTime"] is None
    done = wait_idle(client, runtime, saved["id"])
    assert done["refreshStatus"] == "idle", done
    assert done["lastSyncedTime"] is not None
    assert done["contactsNum"] == done["matchedContactsNum"] > 0


def test_chunked_body_reaches_the_function(client: requests.Session, runtime: LocalRuntime) -> None:
    body = json.dumps(
        {
            "organizationId": ORG,
            "listName": f"chunked {uuid.uuid4().hex[:8]}",
            "contacts_found": 0,
            "filter": {"countries": ["Germany"]},
        }
    ).encode()
    parts = iter([body[:10], body[10:]])  # a generator makes requests send it chunked
    answer = client.post(
        url(runtime, "/lists/save"),
        data=parts,
        headers={"Content-Type": "application/json"},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text


# ---------------------------------------------------------------------- the JWT authorizer


def _claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {
        "iss": tokens.ISSUER,
        "aud": tokens.AUDIENCE,
        "iat": now,
        "exp": now + 600,
        "sub": USER,
        "org_id": ORG,
        "org_role": "admin",
    }
    claims.update(overrides)
    return claims


def _bad_tokens(runtime: LocalRuntime) -> dict[str, str | None]:
    key = runtime._signing_key()
    return {
        "none": None,
        "garbage": "not-a-jwt",
        "alg-none": jwt.encode(_claims(), None, algorithm="none"),
        "wrong-key": jwt.encode(_claims(), "x" * 32, algorithm="HS256"),
        "expired": jwt.encode(_claims(exp=int(time.time()) - 5), key, algorithm="HS256"),
        "wrong-issuer": jwt.encode(_claims(iss="https://evil.example"), key, algorithm="HS256"),
        "wrong-audience": jwt.encode(_claims(aud="someone-else"), key, algorithm="HS256"),
        "no-exp": jwt.encode({k: v for k, v in _claims().items() if k != "exp"}, key, "HS256"),
        "hs512": jwt.encode(_claims(), key, algorithm="HS512"),
    }


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
@pytest.mark.parametrize(
    "case",
    [
        "none",
        "garbage",
        "alg-none",
        "wrong-key",
        "expired",
        "wrong-issuer",
        "wrong-audience",
        "no-exp",
        "hs512",
    ],
)
def test_gateway_rejects_bad_tokens(runtime: LocalRuntime, case: str) -> None:
    token = _bad_tokens(runtime)[case]
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    answer = requests.get(url(runtime, f"/lists/{ORG}"), headers=headers, timeout=30)
    assert_error(answer, 401, "UNAUTHORIZED")
    assert answer.headers["WWW-Authenticate"] == "Bearer"


def test_token_without_org_reaches_the_function_which_answers_401(runtime: LocalRuntime) -> None:
    headers = {"Authorization": f"Bearer {runtime.token(org=None)}"}
    answer = requests.get(url(runtime, f"/lists/{ORG}"), headers=headers, timeout=30)
    assert_error(answer, 401, "UNAUTHORIZED")
    assert "WWW-Authenticate" not in answer.headers  # the function's answer, not the gateway's


def test_bearer_prefix_is_optional(runtime: LocalRuntime) -> None:
    answer = requests.get(
        url(runtime, f"/lists/{ORG}"), headers={"Authorization": runtime.token()}, timeout=30
    )
    assert answer.status_code == 200, answer.text


# ---------------------------------------------------------------------- gateway answers


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/nope"), ("GET", "/lists"), ("PUT", "/lists/save"), ("PATCH", "/lists/x")],
)
def test_unknown_route_is_404(
    client: requests.Session, runtime: LocalRuntime, method, path
) -> None:
    assert_error(client.request(method, url(runtime, path), timeout=30), 404, "NOT_FOUND")


def test_openapi_is_served_without_a_token_and_matches_the_code(runtime: LocalRuntime) -> None:
    from leadlists_local import openapi

    answer = requests.get(url(runtime, "/openapi.json"), timeout=60)
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "application/json"
    spec = answer.json()
    # "Try it out" calls this server; the rest is the document CI checks in.
    assert spec.pop("servers") == [{"url": runtime.base_url}]
    assert spec == json.loads(openapi.render())


def test_swagger_ui_loads_its_assets_from_this_server(runtime: LocalRuntime) -> None:
    page = requests.get(url(runtime, "/docs"), timeout=30)
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    assert 'url: "/openapi.json"' in page.text
    assets = [part.split('"')[0] for part in page.text.split('="/docs/assets/')[1:]]
    assert {"swagger-ui.css", "swagger-ui-bundle.js"} <= set(assets)
    for asset in assets:
        answer = requests.get(url(runtime, f"/docs/assets/{asset}"), timeout=30)
        assert answer.status_code == 200, asset
        assert len(answer.content) > 1000


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/docs/assets/index.html"),  # in the wheel, not on the list
        ("GET", "/docs/assets/../../openapi.json"),
        ("GET", "/docs/assets/%2e%2e/LICENSE"),
        ("POST", "/openapi.json"),
        ("DELETE", "/docs"),
    ],
)
def test_docs_serve_only_their_own_files_and_methods(
    runtime: LocalRuntime, method: str, path: str
) -> None:
    # http.client sends the path as written, dot segments included.
    host, port = runtime.base_url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        connection.request(method, path)
        answer = connection.getresponse()
        assert answer.status == 404
        assert json.loads(answer.read())["code"] == "NOT_FOUND"
    finally:
        connection.close()


def test_head_gets_no_body(client: requests.Session, runtime: LocalRuntime) -> None:
    answer = client.head(url(runtime, f"/lists/{ORG}"), timeout=30)
    assert answer.status_code == 404
    assert answer.content == b""


def test_body_over_one_mib_is_413_without_invoking(
    client: requests.Session, runtime: LocalRuntime, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    real = lambdas.invoke
    monkeypatch.setattr(lambdas, "invoke", lambda fn, ev: calls.append(fn) or real(fn, ev))
    payload = b"x" * (MAX_BODY + 1)
    answer = client.post(
        url(runtime, "/lists/save"),
        data=payload,
        headers={"Content-Type": "application/json"},
        timeout=30,
    )
    assert_error(answer, 413, "PAYLOAD_TOO_LARGE")
    chunked = client.post(
        url(runtime, "/lists/save"),
        data=iter([payload[:MAX_BODY], payload[MAX_BODY:]]),
        headers={"Content-Type": "application/json"},
        timeout=30,
    )
    assert_error(chunked, 413, "PAYLOAD_TOO_LARGE")
    assert calls == []


def test_body_of_exactly_one_mib_reaches_the_function(
    client: requests.Session, runtime: LocalRuntime
) -> None:
    prefix, suffix = b'{"listName": "', b'"}'
    payload = prefix + b"a" * (MAX_BODY - len(prefix) - len(suffix)) + suffix
    assert len(payload) == MAX_BODY
    answer = client.post(
        url(runtime, "/lists/save"),
        data=payload,
        headers={"Content-Type": "application/json"},
        timeout=30,
    )
    assert_error(answer, 400, "BAD_REQUEST")  # the function's validation, not the gateway


@pytest.mark.parametrize("length", ["abc", "-1", "1, 2"])
def test_invalid_content_length_is_400(runtime: LocalRuntime, length: str) -> None:
    host, port = runtime.base_url.removeprefix("http://").rsplit(":", 1)
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        connection.putrequest("POST", "/lists/save")
        connection.putheader("Authorization", f"Bearer {runtime.token()}")
        connection.putheader("Content-Length", length)
        connection.endheaders()
        answer = connection.getresponse()
        assert answer.status == 400
        assert json.loads(answer.read())["code"] == "BAD_REQUEST"
    finally:
        connection.close()


def test_function_crash_is_500_without_internals(
    client: requests.Session, runtime: LocalRuntime, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(function: str, event: dict[str, Any]) -> Any:
        raise RuntimeError("secret internal detail at /some/path.py")

    monkeypatch.setattr(lambdas, "invoke", crash)
    answer = client.get(url(runtime, f"/lists/{ORG}"), timeout=30)
    assert_error(answer, 500, "INTERNAL_ERROR")
    assert "secret" not in answer.text and "Traceback" not in answer.text


def test_keep_alive_connection_serves_many_requests(
    client: requests.Session, runtime: LocalRuntime
) -> None:
    for _ in range(5):
        assert client.get(url(runtime, f"/lists/{ORG}"), timeout=30).status_code == 200


# ---------------------------------------------------------------------- background work


def test_failing_messages_end_in_the_dead_letter_queue(runtime: LocalRuntime) -> None:
    queue = runtime.created["queues"]["RefreshQueue"]
    dead = runtime.created["queues"]["RefreshDeadLetterQueue"]
    sqs = boto3.client("sqs")
    sqs.send_message(QueueUrl=queue["url"], MessageBody="not json")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        got = sqs.receive_message(QueueUrl=dead["url"], WaitTimeSeconds=1, VisibilityTimeout=0)
        if got.get("Messages"):
            assert got["Messages"][0]["Body"] == "not json"
            sqs.delete_message(
                QueueUrl=dead["url"], ReceiptHandle=got["Messages"][0]["ReceiptHandle"]
            )
            return
    pytest.fail("the failing message never reached the dead-letter queue")


def test_poller_deletes_only_successful_messages(runtime: LocalRuntime) -> None:
    sqs = boto3.client("sqs")
    scratch = sqs.create_queue(QueueName=f"scratch-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    for body in ("ok-1", "bad", "ok-2"):
        sqs.send_message(QueueUrl=scratch, MessageBody=body)
    messages = []
    while len(messages) < 3:
        messages += sqs.receive_message(QueueUrl=scratch, MaxNumberOfMessages=10)["Messages"]

    def invoke(function: str, event: dict[str, Any]) -> dict[str, Any]:
        failed = [r["messageId"] for r in event["Records"] if r["body"] == "bad"]
        return {"batchItemFailures": [{"itemIdentifier": i} for i in failed]}

    poller = pollers.QueuePoller(
        "ScratchFunction", scratch, "arn:scratch", 10, invoke, sqs, threading.Event()
    )
    poller.deliver(messages)
    attributes = sqs.get_queue_attributes(
        QueueUrl=scratch, AttributeNames=["ApproximateNumberOfMessagesNotVisible"]
    )["Attributes"]
    assert attributes["ApproximateNumberOfMessagesNotVisible"] == "1"
    sqs.delete_queue(QueueUrl=scratch)


def test_schedule_timer_fires_a_scheduled_event() -> None:
    fired: list[dict[str, Any]] = []
    stop = threading.Event()

    def invoke(function: str, event: dict[str, Any]) -> None:
        fired.append(event)
        if len(fired) == 2:
            stop.set()

    timer = pollers.ScheduleTimer("RefreshSchedulerFunction", "rule-x", 0.01, invoke, stop)
    timer.start()
    timer.join(timeout=5)
    assert len(fired) == 2
    assert fired[0]["detail-type"] == "Scheduled Event"
    assert fired[0]["source"] == "aws.events"
    assert fired[0]["resources"][0].endswith(":rule/rule-x")


def test_runtime_runs_one_poller_per_queue_event_source(runtime: LocalRuntime) -> None:
    sources = [(f.logical_id, q["queue"]) for f in template.functions().values() for q in f.queues]
    assert sorted(p.function for p in runtime.pollers) == sorted(f for f, _ in sources)
    scheduled = [f.logical_id for f in template.functions().values() for s in f.schedules]
    assert len(runtime.schedules) <= len(scheduled)


# ---------------------------------------------------------------------- the CLI against it


def test_import_cli_finds_the_running_runtime(runtime: LocalRuntime, tmp_path: Path) -> None:
    folder = tmp_path / "state"
    env = {**os.environ, state.STATE_ENV: str(folder)}
    records = tmp_path / "records.jsonl"
    person_id = str(uuid.uuid4())
    records.write_text(json.dumps({"kind": "person", "id": person_id, "fullName": "Ada L"}) + "\n")
    script = Path(sys.executable).with_name("leadlists")  # the installed console command
    launcher = [str(script)] if script.exists() else [sys.executable, "-m", "leadlists_local.cli"]
    command = [*launcher, "import", str(records)]

    folder.mkdir()
    # What `leadlists serve` publishes; this test process plays the running server.
    (folder / state.RUNTIME_FILE).write_text(
        json.dumps({"endpoint": runtime.endpoint, "pid": os.getpid()})
    )
    done = subprocess.run(  # noqa: S603
        command, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "Imported 0 companies and 1 persons" in done.stdout
    found = catalog.get_records(keys.PERSON, [person_id])
    assert found[person_id]["fullName"] == "Ada L"


def test_schedule_expressions_of_both_event_types() -> None:
    rule = template._schedule("Nightly", {"Schedule": "rate(5 minutes)"})
    assert (rule["rate_seconds"], rule["enabled"], rule["input"]) == (300, True, None)
    v2 = template._schedule("Hourly", {"ScheduleExpression": "rate(1 hour)", "State": "DISABLED"})
    assert (v2["rate_seconds"], v2["enabled"]) == (3600, False)
    assert template._schedule("Cron", {"Schedule": "cron(0 3 * * ? *)"})["rate_seconds"] is None


def test_runtime_fires_template_schedules(monkeypatch: pytest.MonkeyPatch) -> None:
    schedule = template._schedule("Every", {"Schedule": "rate(1 day)", "Input": '{"x": 1}'})
    function = template.Function("TickFunction", Path(), "app.handler", {}, [], [], [schedule])
    monkeypatch.setattr(template, "functions", lambda: {"TickFunction": function})
    rt = LocalRuntime(port=0, schedule_every=0.01)
    fired = threading.Event()
    events: list[tuple[str, Any]] = []
    monkeypatch.setattr(rt, "invoke", lambda fn, ev: events.append((fn, ev)) or fired.set())
    rt._start_background({"queues": {}})
    try:
        assert fired.wait(5)
    finally:
        rt.stop()
    assert events[0] == ("TickFunction", {"x": 1})  # a rule's Input replaces the event
