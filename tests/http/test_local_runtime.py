"""The HTTP suite: the saved-list and lead-list flows, tenancy, the gateway's answers and the
background work, over real HTTP.

By default it runs against a LocalRuntime the `http_target` fixture starts (conftest.py); with
LEADLISTS_BASE_URL and LEADLISTS_TOKEN_CMD set (`make e2e`) the same tests run against that API,
a deployed stack included (tests/http_target.py). Tests marked `local_only` look inside the
runtime (its queues, its signing key, its code) and are skipped only in that case.
"""

from __future__ import annotations

import csv
import http.client
import io
import json
import logging
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import jwt
import pytest
import requests
from http_target import ADMIN, MEMBER, Target

from leadlists.repositories import catalog, keys
from leadlists_local import cli, lambdas, pollers, state, template, tokens
from leadlists_local.runtime import LocalRuntime
from leadlists_local.server import MAX_BODY

LEADS = "/api/v1/entities/leadlists"
DATES = {"startDate": "2024-01-01T00:00:00.000Z", "endDate": "2024-03-31T23:59:59.000Z"}
# Background work on a deployed stack includes cold starts and SQS polling.
BACKGROUND_SECONDS = 90


@pytest.fixture(scope="module")
def target(http_target: Target) -> Target:
    return http_target


@pytest.fixture(scope="module")
def runtime(http_target: Target) -> LocalRuntime:
    """The in-process runtime, for tests that look inside it (they are marked local_only)."""
    if http_target.runtime is None:
        pytest.fail("this test uses the in-process runtime: mark it local_only with a reason")
    return http_target.runtime


@pytest.fixture(scope="module")
def org(target: Target) -> str:
    return target.org("a")


@pytest.fixture(scope="module")
def client(target: Target, org: str) -> Iterator[requests.Session]:
    session = requests.Session()
    session.headers.update(target.identity(org, "user_owner", ADMIN).headers)
    yield session
    session.close()


def url(target: Target, path: str) -> str:
    return target.url(path)


def save(client: requests.Session, target: Target, org: str, **extra: Any) -> dict[str, Any]:
    body = {
        "organizationId": org,
        "listName": f"US software {uuid.uuid4().hex[:8]}",
        "contacts_found": 3,
        "filter": {"countries": ["United States"]},
        **extra,
    }
    answer = client.post(url(target, "/lists/save"), json=body, timeout=30)
    assert answer.status_code == 200, answer.text
    return answer.json()


def wait_idle(client: requests.Session, target: Target, list_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + BACKGROUND_SECONDS
    while True:
        answer = client.get(url(target, f"/lists/{list_id}"), timeout=30)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        if body["refreshStatus"] == "idle" or time.monotonic() > deadline:
            return body
        time.sleep(0.2)


def assert_error(answer: requests.Response, status: int, code: str) -> None:
    """The contract's error body, from a function (or the local gateway, which answers so)."""
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert body["code"] == code
    assert body["message"]
    assert body["requestId"] == answer.headers["Apigw-Requestid"]


# What API Gateway itself answers when no function runs: HTTP APIs cannot change these bodies.
AWS_GATEWAY_BODIES = {401: {"message": "Unauthorized"}, 404: {"message": "Not Found"}}


def assert_gateway_error(answer: requests.Response, status: int, code: str) -> None:
    """An answer the gateway gives before any function: the contract's body from the local
    runtime, or API Gateway's own fixed body from a deployed stack; the status is the same."""
    assert answer.status_code == status, answer.text
    body = answer.json()
    if "code" in body:
        assert_error(answer, status, code)
    else:
        assert body == AWS_GATEWAY_BODIES[status], body


# ---------------------------------------------------------------------- the saved-list flow


def test_saved_list_lifecycle(client: requests.Session, target: Target, org: str) -> None:
    saved = save(client, target, org)
    assert saved["refreshStatus"] == "queued"
    list_id = saved["id"]
    wait_idle(client, target, list_id)  # the queued computation first, so refresh runs inline

    refreshed = client.post(url(target, f"/lists/refresh/{list_id}"), timeout=30)
    assert refreshed.status_code == 200, refreshed.text
    body = refreshed.json()
    assert body["refreshStatus"] == "idle"
    assert body["lastSyncedTime"]
    total = body["contactsNum"]
    assert total > 5

    got = client.get(url(target, f"/lists/{list_id}"), timeout=30)
    assert got.status_code == 200 and got.json()["id"] == list_id
    lists = client.get(url(target, f"/lists/{org}"), timeout=30)
    assert lists.status_code == 200
    assert list_id in {item["id"] for item in lists.json()}

    seen: list[str] = []
    query: dict[str, Any] = {"limit": 25}
    while True:
        page = client.get(url(target, f"/lists/{list_id}/contacts"), params=query, timeout=30)
        assert page.status_code == 200, page.text
        data = page.json()
        assert len(data["contacts"]) <= 25
        seen += [contact["id"] for contact in data["contacts"]]
        if not data.get("nextToken"):
            break
        query["nextToken"] = data["nextToken"]
    assert len(seen) == len(set(seen)) == total > 25  # more than one page

    deleted = client.delete(url(target, f"/lists/{list_id}"), timeout=30)
    assert deleted.status_code == 200, deleted.text
    assert_error(client.get(url(target, f"/lists/{list_id}"), timeout=30), 404, "NOT_FOUND")


def test_saved_list_is_computed_in_the_background(
    client: requests.Session, target: Target, org: str
) -> None:
    saved = save(client, target, org, filter={"industries": ["Software", "Technology"]})
    assert saved["refreshStatus"] == "queued" and saved["lastSyncedTime"] is None
    done = wait_idle(client, target, saved["id"])
    assert done["refreshStatus"] == "idle", done
    assert done["lastSyncedTime"] is not None
    assert done["contactsNum"] == done["matchedContactsNum"] > 0
    client.delete(url(target, f"/lists/{saved['id']}"), timeout=30)


@pytest.mark.local_only("the local server's own chunked-body parsing; API Gateway buffers bodies")
def test_chunked_body_reaches_the_function(
    client: requests.Session, runtime: LocalRuntime, target: Target, org: str
) -> None:
    body = json.dumps(
        {
            "organizationId": org,
            "listName": f"chunked {uuid.uuid4().hex[:8]}",
            "contacts_found": 0,
            "filter": {"countries": ["Germany"]},
        }
    ).encode()
    parts = iter([body[:10], body[10:]])  # a generator makes requests send it chunked
    answer = client.post(
        url(target, "/lists/save"),
        data=parts,
        headers={"Content-Type": "application/json"},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text


# ---------------------------------------------------------------------- the lead-list flow


def _companies(client: requests.Session, target: Target, count: int) -> list[str]:
    body = {"filter": {"countries": ["United States"]}, "pageSize": count}
    answer = client.post(url(target, "/api/v1/search/companies"), json=body, timeout=30)
    assert answer.status_code == 200, answer.text
    ids = [company["id"] for company in answer.json()["results"]]
    assert len(ids) == count, answer.json()
    return ids


def test_lead_list_lifecycle_and_sharing(
    client: requests.Session, target: Target, org: str
) -> None:
    shared = target.identity(org, "user_shared", MEMBER)
    outsider = target.identity(org, "user_outsider", MEMBER)
    body = {"name": f"accounts {uuid.uuid4().hex[:8]}", "type": "company", **DATES}
    body["userIds"] = [shared.user_id]
    created = client.post(url(target, LEADS), json=body, timeout=30)
    assert created.status_code == 201, created.text
    lead = created.json()
    assert shared.user_id in lead["userIds"]
    path = url(target, f"{LEADS}/{lead['id']}")

    ids = _companies(client, target, 3)
    added = client.post(f"{path}/add-companies", json={"companyIds": [*ids, ids[0]]}, timeout=30)
    assert added.status_code == 200, added.text
    assert sorted(added.json()["companyIds"]) == sorted(ids)
    again = client.post(f"{path}/add-companies", json={"companyIds": ids[:1]}, timeout=30)
    assert again.status_code == 200 and again.json() == {"addedCount": 0}, again.text

    # A member named in userIds may use it; another member of the organization may not.
    seen = requests.get(path, headers=shared.headers, timeout=30)
    assert seen.status_code == 200, seen.text
    assert {c["id"] for c in seen.json()["companies"]} == set(ids)
    assert_error(requests.get(path, headers=outsider.headers, timeout=30), 403, "FORBIDDEN")
    visible = requests.get(url(target, LEADS), headers=outsider.headers, timeout=30)
    assert visible.status_code == 200, visible.text
    assert lead["id"] not in {x["id"] for x in visible.json()["leadLists"]}

    renamed = client.patch(path, json={"name": f"{body['name']} v2"}, timeout=30)
    assert renamed.status_code == 200 and renamed.json()["name"] == f"{body['name']} v2"
    removed = client.post(f"{path}/remove-companies", json={"companyIds": ids[:1]}, timeout=30)
    assert removed.status_code == 200 and removed.json() == {"removedCount": 1}, removed.text

    assert client.delete(path, timeout=30).status_code == 200
    assert_error(client.get(path, timeout=30), 404, "NOT_FOUND")


# ---------------------------------------------------------------------- tenancy over HTTP


def test_another_organization_sees_and_changes_nothing(
    client: requests.Session, target: Target, org: str
) -> None:
    saved = save(client, target, org)
    lead = client.post(
        url(target, LEADS), json={"name": "secret accounts", "type": "company", **DATES}, timeout=30
    )
    assert lead.status_code == 201, lead.text
    lead_id = lead.json()["id"]
    other = target.identity(target.org("b"), "user_other_admin", ADMIN)

    def call(method: str, path: str, body: Any = None) -> requests.Response:
        return requests.request(
            method, url(target, path), json=body, headers=other.headers, timeout=30
        )

    # Another tenant's resources do not exist for the caller (404, never 403)...
    for method, path, body in [
        ("GET", f"/lists/{saved['id']}", None),
        ("GET", f"/lists/{org}", None),
        ("GET", f"/lists/{saved['id']}/contacts", None),
        ("POST", f"/lists/refresh/{saved['id']}", None),
        ("DELETE", f"/lists/{saved['id']}", None),
        ("GET", f"{LEADS}/{lead_id}", None),
        ("PATCH", f"{LEADS}/{lead_id}", {"name": "taken over"}),
        ("POST", f"{LEADS}/{lead_id}/add-companies", {"companyIds": _companies(client, target, 1)}),
        ("DELETE", f"{LEADS}/{lead_id}", None),
    ]:
        answer = call(method, path, body)
        assert_error(answer, 404, "NOT_FOUND")
        assert "secret" not in answer.text and saved["name"] not in answer.text
    # ...and naming the other organization in a body is forbidden.
    foreign = {**_save_body(org), "listName": "not mine"}
    assert_error(call("POST", "/lists/save", foreign), 403, "FORBIDDEN")
    their_lists = call("GET", f"/lists/{target.org('b')}")
    assert their_lists.status_code == 200 and their_lists.json() == []
    their_leads = call("GET", LEADS)
    assert their_leads.status_code == 200 and their_leads.json()["leadLists"] == []

    # Nothing changed for the owner.
    mine = client.get(url(target, f"/lists/{saved['id']}"), timeout=30)
    assert mine.status_code == 200 and mine.json()["version"] >= saved["version"]
    assert mine.json()["name"] == saved["name"]
    still = client.get(url(target, f"{LEADS}/{lead_id}"), timeout=30)
    assert still.status_code == 200 and still.json()["name"] == "secret accounts"
    assert still.json()["companyIds"] == []
    client.delete(url(target, f"{LEADS}/{lead_id}"), timeout=30)
    client.delete(url(target, f"/lists/{saved['id']}"), timeout=30)


def _save_body(org: str) -> dict[str, Any]:
    return {"organizationId": org, "contacts_found": 0, "filter": {"countries": ["France"]}}


# ---------------------------------------------------------------------- the JWT authorizer


def _claims(target: Target, org: str, **overrides: Any) -> dict[str, Any]:
    """A real token's claims (whatever issuer and audience the target has), with overrides."""
    real = target.token_for(org, "user_owner", ADMIN)
    claims = jwt.decode(real, options={"verify_signature": False})
    claims.update(overrides)
    return claims


def _forged_tokens(target: Target, org: str) -> dict[str, str | None]:
    """Tokens any target must refuse: no one can make them without its key."""
    real = target.token_for(org, "user_owner", ADMIN)
    head, payload, signature = real.split(".")
    tampered = jwt.utils.base64url_encode(
        json.dumps({**_claims(target, org), "org_id": "org_someone_else"}).encode()
    ).decode()
    return {
        "none": None,
        "garbage": "not-a-jwt",
        "alg-none": jwt.encode(_claims(target, org), None, algorithm="none"),
        "wrong-key": jwt.encode(_claims(target, org), "x" * 32, algorithm="HS256"),
        "tampered-claims": f"{head}.{tampered}.{signature}",
        "no-signature": f"{head}.{payload}.",
    }


def _signed_with_the_runtime_key(runtime: LocalRuntime, case: str) -> str:
    key = runtime._signing_key()
    now = int(time.time())
    claims = {"iss": tokens.ISSUER, "aud": tokens.AUDIENCE, "iat": now, "exp": now + 600,
              "sub": "user_owner", "org_id": "org_x", "org_role": "admin"}  # fmt: skip
    tokens_by_case = {
        "expired": jwt.encode({**claims, "exp": now - 5}, key, algorithm="HS256"),
        "wrong-issuer": jwt.encode({**claims, "iss": "https://evil.example"}, key, "HS256"),
        "wrong-audience": jwt.encode({**claims, "aud": "someone-else"}, key, algorithm="HS256"),
        "no-exp": jwt.encode({k: v for k, v in claims.items() if k != "exp"}, key, "HS256"),
        "hs512": jwt.encode(claims, key, algorithm="HS512"),
        # Issue 11's probe: claims that are not usable ids (a 2 KB org id was a 500).
        "null-org": jwt.encode({**claims, "org_id": None}, key, algorithm="HS256"),
        "2kb-org": jwt.encode({**claims, "org_id": "o" * 2048}, key, algorithm="HS256"),
        "number-user": jwt.encode({**claims, "sub": 42}, key, algorithm="HS256"),
        "string-exp": jwt.encode({**claims, "exp": str(now + 600)}, key, algorithm="HS256"),
    }
    return tokens_by_case[case]


def _assert_refused(answer: requests.Response) -> None:
    assert_gateway_error(answer, 401, "UNAUTHORIZED")
    if "code" in answer.json():  # the local gateway; API Gateway's header is its own
        assert answer.headers["WWW-Authenticate"] == "Bearer"


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
@pytest.mark.parametrize(
    "case", ["none", "garbage", "alg-none", "wrong-key", "tampered-claims", "no-signature"]
)
def test_gateway_rejects_forged_tokens(target: Target, org: str, case: str) -> None:
    token = _forged_tokens(target, org)[case]
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    _assert_refused(requests.get(url(target, f"/lists/{org}"), headers=headers, timeout=30))


@pytest.mark.local_only("mints tokens with the runtime's own signing key")
@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
@pytest.mark.parametrize(
    "case",
    ["expired", "wrong-issuer", "wrong-audience", "no-exp", "hs512", "null-org", "2kb-org",
     "number-user", "string-exp"],
)  # fmt: skip
def test_gateway_rejects_tokens_it_would_sign_but_not_accept(
    runtime: LocalRuntime, target: Target, case: str
) -> None:
    headers = {"Authorization": f"Bearer {_signed_with_the_runtime_key(runtime, case)}"}
    _assert_refused(requests.get(url(target, "/lists/org_x"), headers=headers, timeout=30))


def test_token_without_org_reaches_the_function_which_answers_401(target: Target, org: str) -> None:
    headers = target.identity("", "user_orgless", ADMIN).headers
    answer = requests.get(url(target, f"/lists/{org}"), headers=headers, timeout=30)
    assert_error(answer, 401, "UNAUTHORIZED")
    # The Lambda authorizer lets every request through with its verdict; the function answers.
    assert answer.headers["WWW-Authenticate"] == "Bearer"


def test_bearer_prefix_is_optional(target: Target, org: str) -> None:
    token = target.token_for(org, "user_owner", ADMIN)
    headers = {"Authorization": token}
    answer = requests.get(url(target, f"/lists/{org}"), headers=headers, timeout=30)
    assert answer.status_code == 200, answer.text


# ---------------------------------------------------------------------- gateway answers


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/nope"), ("GET", "/lists"), ("PUT", "/lists/save"), ("PATCH", "/lists/x")],
)
def test_unknown_route_is_404(client: requests.Session, target: Target, method, path) -> None:
    answer = client.request(method, url(target, path), timeout=30)
    assert_gateway_error(answer, 404, "NOT_FOUND")


@pytest.mark.local_only("the local runtime serves the API's documentation; a stack does not")
def test_openapi_is_served_without_a_token_and_matches_the_code(runtime: LocalRuntime) -> None:
    from leadlists_local import openapi

    answer = requests.get(f"{runtime.base_url}/openapi.json", timeout=60)
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "application/json"
    spec = answer.json()
    # "Try it out" calls this server; the rest is the document CI checks in.
    assert spec.pop("servers") == [{"url": runtime.base_url}]
    assert spec == json.loads(openapi.render())


@pytest.mark.local_only("the local runtime serves the API's documentation; a stack does not")
def test_swagger_ui_loads_its_assets_from_this_server(runtime: LocalRuntime) -> None:
    page = requests.get(f"{runtime.base_url}/docs", timeout=30)
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    assert 'url: "/openapi.json"' in page.text
    assets = [part.split('"')[0] for part in page.text.split('="/docs/assets/')[1:]]
    assert {"swagger-ui.css", "swagger-ui-bundle.js"} <= set(assets)
    for asset in assets:
        answer = requests.get(f"{runtime.base_url}/docs/assets/{asset}", timeout=30)
        assert answer.status_code == 200, asset
        assert len(answer.content) > 1000


@pytest.mark.local_only("the local runtime's documentation routes; a stack has none")
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


def test_head_gets_no_body(client: requests.Session, target: Target, org: str) -> None:
    answer = client.head(url(target, f"/lists/{org}"), timeout=30)
    assert answer.status_code == 404
    assert answer.content == b""


def test_body_over_one_mib_is_413(client: requests.Session, target: Target) -> None:
    answer = client.post(
        url(target, "/lists/save"),
        data=b"x" * (MAX_BODY + 1),
        headers={"Content-Type": "application/json"},
        timeout=60,
    )
    assert_error(answer, 413, "PAYLOAD_TOO_LARGE")


@pytest.mark.local_only("counts the runtime's function invocations; sends a chunked body")
def test_body_over_one_mib_is_413_without_invoking(
    client: requests.Session,
    runtime: LocalRuntime,
    target: Target,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[str] = []
    real = lambdas.invoke
    monkeypatch.setattr(lambdas, "invoke", lambda fn, ev: calls.append(fn) or real(fn, ev))
    payload = b"x" * (MAX_BODY + 1)
    answer = client.post(
        url(target, "/lists/save"),
        data=payload,
        headers={"Content-Type": "application/json"},
        timeout=30,
    )
    assert_error(answer, 413, "PAYLOAD_TOO_LARGE")
    chunked = client.post(
        url(target, "/lists/save"),
        data=iter([payload[:MAX_BODY], payload[MAX_BODY:]]),
        headers={"Content-Type": "application/json"},
        timeout=30,
    )
    assert_error(chunked, 413, "PAYLOAD_TOO_LARGE")
    assert calls == []


def test_body_of_exactly_one_mib_reaches_the_function(
    client: requests.Session, target: Target
) -> None:
    prefix, suffix = b'{"listName": "', b'"}'
    payload = prefix + b"a" * (MAX_BODY - len(prefix) - len(suffix)) + suffix
    assert len(payload) == MAX_BODY
    answer = client.post(
        url(target, "/lists/save"),
        data=payload,
        headers={"Content-Type": "application/json"},
        timeout=60,
    )
    assert_error(answer, 400, "BAD_REQUEST")  # the function's validation, not the gateway


@pytest.mark.local_only("the local server's own HTTP parsing; API Gateway's front end has its own")
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


@pytest.mark.local_only("replaces the runtime's function invoker to make a function crash")
def test_function_crash_is_500_without_internals(
    client: requests.Session,
    runtime: LocalRuntime,
    target: Target,
    org: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = lambdas.invoke

    def crash(function: str, event: dict[str, Any]) -> Any:
        if function == template.authorizer_function():
            return real(function, event)  # the route's function crashes, not the authorizer
        raise RuntimeError("secret internal detail at /some/path.py")

    monkeypatch.setattr(lambdas, "invoke", crash)
    answer = client.get(url(target, f"/lists/{org}"), timeout=30)
    assert_error(answer, 500, "INTERNAL_ERROR")
    assert "secret" not in answer.text and "Traceback" not in answer.text


def test_keep_alive_connection_serves_many_requests(
    client: requests.Session, target: Target, org: str
) -> None:
    for _ in range(5):
        assert client.get(url(target, f"/lists/{org}"), timeout=30).status_code == 200


# ---------------------------------------------------------------------- background work


@pytest.mark.local_only("sends to and reads the emulator's queues")
def test_failing_messages_end_in_the_dead_letter_queue(runtime: LocalRuntime) -> None:
    # The cleanup's DLQ keeps its messages (the others have a consumer that fails their runs).
    queue = runtime.created["queues"]["CleanupQueue"]
    dead = runtime.created["queues"]["CleanupDeadLetterQueue"]
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


@pytest.mark.local_only("drives the local queue poller against the emulator")
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


@pytest.mark.local_only("the local schedule timer's own code")
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


@pytest.mark.local_only("reads the runtime's pollers")
def test_runtime_runs_one_poller_per_queue_event_source(runtime: LocalRuntime) -> None:
    sources = [(f.logical_id, q["queue"]) for f in template.functions().values() for q in f.queues]
    assert sorted(p.function for p in runtime.pollers) == sorted(f for f, _ in sources)
    scheduled = [f.logical_id for f in template.functions().values() for s in f.schedules]
    assert len(runtime.schedules) <= len(scheduled)


# ---------------------------------------------------------------------- the CLI against it


@pytest.mark.local_only("imports into the emulator's catalog and reads it back")
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
    assert "Imported 0 companies, 1 person into" in done.stdout
    found = catalog.get_records(keys.PERSON, [person_id])
    assert found[person_id]["fullName"] == "Ada L"


@pytest.mark.local_only("the local template reader's own code")
def test_schedule_expressions_of_both_event_types() -> None:
    rule = template._schedule("Nightly", {"Schedule": "rate(5 minutes)"})
    assert (rule["rate_seconds"], rule["enabled"], rule["input"]) == (300, True, None)
    v2 = template._schedule("Hourly", {"ScheduleExpression": "rate(1 hour)", "State": "DISABLED"})
    assert (v2["rate_seconds"], v2["enabled"]) == (3600, False)
    assert template._schedule("Cron", {"Schedule": "cron(0 3 * * ? *)"})["rate_seconds"] is None


@pytest.mark.local_only("the local runtime's schedule wiring")
def test_runtime_fires_template_schedules(monkeypatch: pytest.MonkeyPatch) -> None:
    schedule = template._schedule("Every", {"Schedule": "rate(1 day)", "Input": '{"x": 1}'})
    function = template.Function("TickFunction", Path(), "app.handler", {}, [], [], [schedule])
    monkeypatch.setattr(template, "functions", lambda: {"TickFunction": function})
    monkeypatch.setattr(template, "stream_sources", lambda: [])  # only the schedule here
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


@pytest.mark.local_only("reads the runtime's tenant table to see the background cleanup")
def test_delete_over_http_cleans_up_in_the_background(
    client: requests.Session,
    runtime: LocalRuntime,
    target: Target,
    org: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from leadlists.services import cleanup

    monkeypatch.setattr(cleanup, "GRACE_SECONDS", 0)
    created = save(client, target, org, filter={"countries": ["United States"]})
    list_id = created["id"]
    refreshed = client.post(url(target, f"/lists/refresh/{list_id}"), timeout=30)
    assert refreshed.status_code in (200, 202), refreshed.text
    partition = keys.saved_list(org, list_id)[keys.PK]
    table = runtime.created["tables"]["TenantTable"]
    assert _eventually(lambda: len(_partition_items(table, partition)) > 1)
    deleted = client.delete(url(target, f"/lists/{list_id}"), timeout=30)
    assert deleted.status_code == 200, deleted.text
    assert client.get(url(target, f"/lists/{list_id}"), timeout=30).status_code == 404
    assert _eventually(lambda: _partition_items(table, partition) == [])


def _partition_items(table: str, partition: str) -> list[dict[str, Any]]:
    answer = boto3.client("dynamodb").query(
        TableName=table,
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": partition}},
    )
    return list(answer["Items"])


def _eventually(check: Callable[[], bool], seconds: float = BACKGROUND_SECONDS) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.5)
    return False


@pytest.mark.local_only("sets the runtime's synchronous budget in its process")
def test_background_export_over_http(
    client: requests.Session,
    runtime: LocalRuntime,
    target: Target,
    org: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from export_helpers import set_budget

    from leadlists.repositories import saved_lists as saved_repo

    saved = wait_idle(client, target, save(client, target, org)["id"])
    members = sorted(saved_repo.member_ids(saved["organizationId"], saved["id"]))
    assert saved["contactsNum"] == len(members) > 1
    set_budget(monkeypatch, len(members) - 1)  # the runtime's functions run in this process

    answer = client.post(url(target, f"/lists/{saved['id']}/export"), timeout=30)
    assert answer.status_code == 202, answer.text
    export_id = answer.json()["exportId"]
    status_url = url(target, f"/lists/{saved['id']}/exports/{export_id}")
    deadline = time.monotonic() + BACKGROUND_SECONDS
    while (body := client.get(status_url, timeout=30).json())["status"] == "running":
        assert time.monotonic() < deadline, "the export queue's poller never wrote the export"
        time.sleep(0.2)
    assert body["status"] == "complete" and body["rows"] == len(members), body

    download = requests.get(body["url"], timeout=30)  # the presigned link points at the emulator
    assert download.status_code == 200
    rows = list(csv.DictReader(io.StringIO(download.content.decode("utf-8"))))
    assert [r["id"] for r in rows] == members

    unknown = client.get(url(target, f"/lists/{saved['id']}/exports/{saved['id']}"), timeout=30)
    assert unknown.status_code == 404 and unknown.json()["code"] == "NOT_FOUND"


@pytest.mark.local_only("puts a file into the emulator's catalog bucket")
def test_a_file_put_into_the_catalog_bucket_is_imported(
    runtime: LocalRuntime, target: Target, client: requests.Session
) -> None:
    """The runtime applies the bucket's S3 notification: incoming/ -> queue -> functions."""
    company, person, domain = str(uuid.uuid4()), str(uuid.uuid4()), f"{uuid.uuid4().hex}.test"
    lines = [
        {"kind": "person", "id": person, "firstName": "Ada", "companyId": company},
        {"kind": "company", "id": company, "name": "Bucket Co", "domain": domain},
    ]
    s3, bucket = boto3.client("s3"), runtime.aws.created["buckets"]["CatalogBucket"]
    body = "".join(json.dumps(line) + "\n" for line in lines).encode()
    s3.put_object(Bucket=bucket, Key="incoming/http-test.jsonl", Body=body)
    deadline = time.monotonic() + 30
    while True:
        try:
            got = s3.get_object(Bucket=bucket, Key="reports/http-test.jsonl.json")
            report = json.loads(got["Body"].read())
        except s3.exceptions.NoSuchKey:
            report = {"status": "absent"}
        if report["status"] not in ("absent", "running") or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert report["status"] == "complete", report
    assert report["upserted"] == {"companies": 1, "persons": 1}
    found = client.post(
        url(target, "/api/v1/search/prospects"), json={"filter": {"domains": [domain]}}, timeout=30
    ).json()
    deadline = time.monotonic() + 30
    while "results" not in found and "searchId" in found and time.monotonic() < deadline:
        time.sleep(0.2)  # a catalog beyond the synchronous budget is searched in the background
        found = client.get(url(target, f"/api/v1/search/{found['searchId']}"), timeout=30).json()
    assert [p["id"] for p in found["results"]] == [person], found  # the company's domain


# ---------------------------------------------------------------------- safe client retries


def test_idempotency_key_gives_one_effect_and_owner_rules_hold(
    client: requests.Session, target: Target, org: str
) -> None:
    shared = target.identity(org, "user_retry_shared", MEMBER)
    body = {"name": f"retried {uuid.uuid4().hex[:8]}", "type": "company", **DATES}
    body["userIds"] = [shared.user_id]
    key = {"Idempotency-Key": f"create-{uuid.uuid4()}"}
    first = client.post(url(target, LEADS), json=body, headers=key, timeout=30)
    second = client.post(url(target, LEADS), json=body, headers=key, timeout=30)
    assert first.status_code == second.status_code == 201, second.text
    assert second.json() == first.json() and second.headers["Idempotent-Replayed"] == "true"
    assert first.headers["Cache-Control"] == "no-store"
    assert first.headers["X-Content-Type-Options"] == "nosniff"
    listed = client.get(url(target, LEADS), params={"limit": 100}, timeout=30).json()["leadLists"]
    assert [x["id"] for x in listed if x["name"] == body["name"]] == [first.json()["id"]]
    other = client.post(url(target, LEADS), json={**body, "name": "other"}, headers=key, timeout=30)
    assert_error(other, 409, "IDEMPOTENCY_KEY_REUSED")

    path = url(target, f"{LEADS}/{first.json()['id']}")
    ids = _companies(client, target, 2)
    add_key = {"Idempotency-Key": f"add-{uuid.uuid4()}"}
    for _ in range(2):
        added = client.post(f"{path}/add-companies", json={"companyIds": ids}, headers=add_key)
        assert added.status_code == 200 and added.headers["X-Added-Count"] == "2", added.text

    # A user the list is shared with uses it, but neither reshapes its sharing nor deletes it.
    use = requests.get(path, headers=shared.headers, timeout=30)
    assert use.status_code == 200 and use.json()["ownerId"] == "user_owner"
    takeover = {"userIds": [shared.user_id]}
    assert_error(
        requests.patch(path, json=takeover, headers=shared.headers, timeout=30), 403, "FORBIDDEN"
    )
    assert_error(requests.delete(path, headers=shared.headers, timeout=30), 403, "FORBIDDEN")
    renamed = requests.patch(path, json={"name": "renamed"}, headers=shared.headers, timeout=30)
    assert renamed.status_code == 200, renamed.text
    kept = client.patch(path, json={"userIds": ["user_new"]}, timeout=30)
    assert kept.status_code == 200 and set(kept.json()["userIds"]) == {"user_new", "user_owner"}
    assert client.delete(path, timeout=30).status_code == 200


# ---------------------------------------------------------------------- API keys
# The local runtime runs the template's Lambda authorizer for every route, as API Gateway does:
# scopes, revocation, per-key rate limits with their headers, and a secret that shows once.

RATE_HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")


def _create_key(target: Any, org: str, scopes: list[str], **extra: Any) -> dict[str, Any]:
    admin = {"Authorization": f"Bearer {target.token_for(org, 'key-admin')}"}
    body = {"name": f"{'+'.join(scopes)} key", "scopes": scopes, **extra}
    answer = requests.post(target.url("/api-keys"), json=body, headers=admin, timeout=30)
    assert answer.status_code == 201, answer.text
    created: dict[str, Any] = answer.json()
    assert created["key"].startswith("ll_live_") and created["key"].startswith(created["prefix"])
    return created


def _limited_run(target: Any, org: str) -> tuple[list[requests.Response], requests.Response]:
    """Six requests with a fresh key limited to 5 a minute, all in one window (a run that
    straddles a minute's end is repeated once with another key), and another key's request
    between the fifth and the sixth."""
    for _ in range(2):
        limited = _create_key(target, org, ["read"], rateLimitPerMinute=5)
        other = _create_key(target, org, ["read"])
        headers = {"X-API-Key": limited["key"]}
        answers = [
            requests.get(target.url(f"/lists/{org}"), headers=headers, timeout=30) for _ in range(5)
        ]
        unaffected = requests.get(
            target.url(f"/lists/{org}"), headers={"X-API-Key": other["key"]}, timeout=30
        )
        answers.append(requests.get(target.url(f"/lists/{org}"), headers=headers, timeout=30))
        if len({a.headers.get("X-RateLimit-Reset") for a in answers}) == 1:
            return answers, unaffected
    pytest.fail("two runs of six requests each straddled a minute's end")


def test_api_keys_scopes_revocation_rate_limits_and_secrecy(
    http_target: Any, capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    org = http_target.org("keys")
    read = _create_key(http_target, org, ["read"])
    key = {"X-API-Key": read["key"]}

    # A read key lists the organization's lists and is refused a save; both answers carry the
    # key's rate-limit headers.
    listed = requests.get(http_target.url(f"/lists/{org}"), headers=key, timeout=30)
    assert listed.status_code == 200, listed.text
    save = {"organizationId": org, "listName": "by key", "contacts_found": 0,
            "filter": {"countries": ["France"]}}  # fmt: skip
    refused = requests.post(http_target.url("/lists/save"), json=save, headers=key, timeout=30)
    assert refused.status_code == 403, refused.text
    assert refused.json()["code"] == "FORBIDDEN"
    for answer in (listed, refused):
        assert answer.headers["X-RateLimit-Limit"] == "1000"
        assert all(h in answer.headers for h in RATE_HEADERS)
    assert int(refused.headers["X-RateLimit-Remaining"]) == 998

    # The 6th request of a key limited to 5 a minute is 429; another key is not affected.
    answers, unaffected = _limited_run(http_target, org)
    assert [a.status_code for a in answers] == [200] * 5 + [429], [a.text for a in answers]
    assert [a.headers["X-RateLimit-Remaining"] for a in answers] == ["4", "3", "2", "1", "0", "0"]
    over = answers[-1]
    assert over.json()["code"] == "RATE_LIMITED"
    assert 1 <= int(over.headers["Retry-After"]) <= 60
    assert unaffected.status_code == 200 and unaffected.headers["X-RateLimit-Remaining"] == "999"

    # The listing shows prefixes and use, never a secret.
    admin = {"Authorization": f"Bearer {http_target.token_for(org, 'key-admin')}"}
    page = requests.get(http_target.url("/api-keys"), headers=admin, timeout=30)
    assert page.status_code == 200, page.text
    shown = {k["id"]: k for k in page.json()["apiKeys"]}
    assert shown[read["id"]]["prefix"] == read["prefix"] and shown[read["id"]]["lastUsedAt"]
    assert "key" not in shown[read["id"]]

    # Revoked: 401 on its very next request.
    revoked = requests.delete(http_target.url(f"/api-keys/{read['id']}"), headers=admin, timeout=30)
    assert revoked.status_code == 200, revoked.text
    gone = requests.get(http_target.url(f"/lists/{org}"), headers=key, timeout=30)
    assert gone.status_code == 401 and gone.json()["code"] == "UNAUTHORIZED", gone.text

    # No answer after the create, and no log line, shows the secret.
    later = [listed, refused, *answers, unaffected, page, revoked, gone]
    texts = [a.text + json.dumps(dict(a.headers)) for a in later]
    out, err = capfd.readouterr()
    for secret in (read["key"],):
        assert not any(secret in t for t in texts)
        assert secret not in out and secret not in err and secret not in caplog.text


@pytest.mark.local_only("the CLI mints an admin token with the local runtime's signing key")
def test_cli_key_create_prints_a_working_key(
    http_target: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(state.STATE_ENV, str(http_target.runtime.state_dir))
    org = http_target.org("cli")
    argv = ["key", "create", "--org", org, "--scopes", "read,write", "--url", http_target.base_url]
    assert cli.main(argv) == 0
    secret = capsys.readouterr().out.strip()
    saved = requests.post(
        http_target.url("/lists/save"),
        json={
            "organizationId": org,
            "listName": "by cli key",
            "contacts_found": 0,
            "filter": {"countries": ["France"]},
        },
        headers={"X-API-Key": secret},
        timeout=30,
    )
    assert saved.status_code == 200, saved.text
    assert saved.json()["organizationId"] == org


# ---------------------------------------------------------------------- live lists


@pytest.mark.local_only("writes the runtime's catalog with the writer `leadlists import` uses")
def test_catalog_import_updates_auto_lists_without_a_refresh(
    client: requests.Session, target: Target, org: str, tmp_path: Path
) -> None:
    from leadlists_local.catalog import import_file

    place = f"Liveland {uuid.uuid4().hex[:8]}"

    def persons(ids: list[str], country: str) -> list[dict[str, Any]]:
        return [{"kind": "person", "id": i, "fullName": i[:8], "country": country} for i in ids]

    def import_records(records: list[dict[str, Any]]) -> None:
        path = tmp_path / f"{uuid.uuid4().hex}.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in records))
        import_file(path)

    first = [str(uuid.uuid4()) for _ in range(8)]
    import_records(persons(first, place))
    saved = save(client, target, org, filter={"countries": [place]}, autoUpdate=True)
    refreshed = wait_idle(client, target, saved["id"])  # its first computation
    assert refreshed["contactsNum"] == 8 and refreshed["lastChangeAppliedAt"] is None

    # Five members move away, three new persons arrive; no refresh is asked for.
    newcomers = [str(uuid.uuid4()) for _ in range(3)]
    import_records(persons(first[:5], "Elsewhere") + persons(newcomers, place))
    wanted = sorted(first[5:] + newcomers)
    deadline = time.monotonic() + 90  # seconds when idle; a loaded CI machine polls slower
    while True:
        page = client.get(url(target, f"/lists/{saved['id']}/contacts?limit=100"), timeout=30)
        got = sorted(c["id"] for c in page.json()["contacts"])
        if got == wanted or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert got == wanted
    body = client.get(url(target, f"/lists/{saved['id']}"), timeout=30).json()
    assert body["contactsNum"] == body["matchedContactsNum"] == len(wanted)
    assert body["lastSyncedTime"] == refreshed["lastSyncedTime"]  # no refresh ran
    assert body["lastChangeAppliedAt"] > refreshed["lastSyncedTime"]
