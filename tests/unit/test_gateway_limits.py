"""The local gateway's body framing and limits, and the API adapter's byte limit, without AWS."""

from __future__ import annotations

import base64
import json
import socket
from collections.abc import Iterator
from typing import Any

import pytest

from leadlists.api import create_app, handler
from leadlists_local import docs, template
from leadlists_local.lambdas import context_for
from leadlists_local.server import MAX_BODY, ApiServer

ROUTE = "/api/v1/entities/leadlists"


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[ApiServer, list[Any]]]:
    calls: list[Any] = []

    def invoke(function: str, event: dict[str, Any]) -> dict[str, Any]:
        if function == template.authorizer_function():
            calls.append("authorize")  # the authorizer lets everyone in
            return {"isAuthorized": True, "context": {}}
        calls.append(event)
        return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": "{}"}

    api = ApiServer("127.0.0.1", 0, invoke)
    api.start()
    yield api, calls
    api.stop()


@pytest.fixture
def gateway(
    server: tuple[ApiServer, list[Any]], monkeypatch: pytest.MonkeyPatch
) -> tuple[ApiServer, list[Any]]:
    monkeypatch.setattr(docs, "_spec", {"openapi": "3.1.0"})  # no need to build the real one
    server[1].clear()
    return server


def _send(server: ApiServer, head: str, body: bytes = b"") -> tuple[int, bytes]:
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        try:
            conn.sendall(head.encode() + b"\r\n" + body)
            conn.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # the gateway answered and closed before reading it all
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    status_line, _, rest = answer.partition(b"\r\n")
    return int(status_line.split()[1]), rest.partition(b"\r\n\r\n")[2]


def _post(extra: str) -> str:
    return f"POST {ROUTE} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t\r\n{extra}"


@pytest.mark.parametrize("size", [b"-1", b"-5", b"0x5", b"zz", b"+5", b""])
def test_malformed_chunk_sizes_are_400_before_auth_or_function(gateway, size: bytes) -> None:
    server, calls = gateway
    status, body = _send(server, _post("Transfer-Encoding: chunked\r\n"), size + b"\r\nabcde\r\n")
    assert status == 400 and json.loads(body)["code"] == "BAD_REQUEST"
    assert calls == []


def test_chunk_without_its_crlf_is_400(gateway) -> None:
    server, calls = gateway
    status, _ = _send(server, _post("Transfer-Encoding: chunked\r\n"), b"3\r\nabcdef\r\n0\r\n\r\n")
    assert status == 400 and calls == []


def test_the_limit_counts_bytes_of_chunked_and_plain_bodies(gateway) -> None:
    server, calls = gateway
    accented = json.dumps("\u00e9" * (MAX_BODY // 2 + 1), ensure_ascii=False).encode()
    assert len(accented.decode()) < MAX_BODY < len(accented)  # fewer characters than bytes
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in (accented[:9], accented[9:]))
    status, _ = _send(server, _post("Transfer-Encoding: chunked\r\n"), chunks + b"0\r\n\r\n")
    assert status == 413
    status, _ = _send(server, _post(f"Content-Length: {len(accented)}\r\n"), accented)
    assert status == 413 and calls == []
    exact = json.dumps("\u00e9" * ((MAX_BODY - 2) // 2), ensure_ascii=False).encode()
    assert len(exact) == MAX_BODY
    framed = b"%x\r\n%s\r\n0\r\n\r\n" % (len(exact), exact)
    status, _ = _send(server, _post("Transfer-Encoding: chunked\r\n"), framed)
    assert status == 200 and calls[-1]["body"] == exact.decode()


def test_404_and_the_spec_do_not_echo_what_the_client_sent(gateway) -> None:
    server, _ = gateway
    status, body = _send(
        server, "GET /no/<b>zq9x</b> HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t\r\n"
    )
    assert status == 404 and b"zq9x" not in body
    status, body = _send(server, "GET /openapi.json HTTP/1.1\r\nHost: evil.example\r\n")
    assert status == 200 and json.loads(body)["servers"] == [{"url": server.url}]


def test_the_adapter_counts_decoded_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    app = create_app()

    @app.post("/echo")
    def echo() -> dict[str, int]:
        return {"bytes": len((app.current_event.body or "").encode())}

    run = handler(app)

    def event(body: str, encoded: bool) -> dict[str, Any]:
        verdict = {"userId": "u", "orgId": "o"}  # the authorizer's context
        return {
            "version": "2.0",
            "rawPath": "/echo",
            "rawQueryString": "",
            "headers": {"content-type": "application/json"},
            "requestContext": {
                "http": {"method": "POST", "path": "/echo"},
                "stage": "$default",
                "requestId": "r",
                "authorizer": {"lambda": verdict},
            },
            "body": body,
            "isBase64Encoded": encoded,
        }

    near = json.dumps("\u00e9" * ((MAX_BODY - 2) // 2), ensure_ascii=False)
    # Base64 of a body just under the limit is longer than the limit: still accepted.
    b64 = base64.b64encode(near.encode()).decode()
    assert len(b64) > MAX_BODY
    answer = run(event(b64, True), context_for("Echo"))
    assert answer["statusCode"] == 200 and json.loads(answer["body"]) == {"bytes": MAX_BODY}
    over = json.dumps("\u00e9" * (MAX_BODY // 2), ensure_ascii=False)
    assert len(over) < MAX_BODY
    assert run(event(over, False), context_for("Echo"))["statusCode"] == 413
    assert (
        run(event(base64.b64encode(over.encode()).decode(), True), context_for("Echo"))[
            "statusCode"
        ]
        == 413
    )
