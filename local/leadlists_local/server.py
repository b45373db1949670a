"""The HTTP API on loopback: what API Gateway does in front of the functions.

Per request: body limits, route lookup from template.yaml, the API's Lambda authorizer (the
template's AuthorizerFunction, invoked with the REQUEST event API Gateway sends it), then the
route's function with the payload v2 event carrying the authorizer's context, its answer written
back. Errors the gateway itself
answers carry the contract's error body; a client never sees a stack trace.
"""

from __future__ import annotations

import base64
import json
import logging
import re
import socket
import threading
import time
import uuid
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlsplit

from leadlists.api import SECURITY_HEADERS, error_body
from leadlists.errors import DomainError, Invalid, NotFound, PayloadTooLarge
from leadlists_local import docs, lambdas, template

MAX_BODY = 1024 * 1024  # the contract's request body limit
DRAIN_LIMIT = 64 * 1024 * 1024  # beyond this an oversized body is cut off, not read and dropped
JSON = "application/json"
# A chunk-size line: hex digits only (no sign, no 0x), with optional extensions after ";".
_CHUNK_SIZE = re.compile(rb"[0-9A-Fa-f]{1,16}")

logger = logging.getLogger("leadlists_local")

Invoke = Callable[[str, dict[str, Any]], Any]


class GatewayError(Exception):
    """An answer the gateway gives without invoking a function: a domain error (None: a 500),
    answered with the functions' own status mapping and error body (`leadlists.api`)."""

    def __init__(self, error: DomainError | None, close: bool = False) -> None:
        super().__init__(error.message if error else "Internal error")
        self.error, self.close = error, close


class GatewayAnswer(Exception):
    """An answer in API Gateway's own shape (`{"message": ...}`), for what the gateway itself
    decides about an authorizer's verdict."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like the real endpoint
    server: _Server
    server_version = "leadlists-local"

    def version_string(self) -> str:
        return self.server_version

    def __getattr__(self, name: str) -> Any:
        # Every method reaches the route table, which answers 404 for the ones it lacks.
        if name.startswith("do_"):
            return self._handle
        raise AttributeError(name)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # one concise line per request is logged by _handle

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Protocol-level errors (bad request line, oversized headers) in the contract's shape."""
        self.close_connection = True
        # The status's own phrase: the library's message may echo the request line.
        phrase = HTTPStatus(code).phrase
        _, text = error_body(NotFound(phrase) if code == 404 else Invalid(phrase), "")
        body = text.encode()
        self.send_response(code)
        self.send_header("Content-Type", JSON)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _handle(self) -> None:
        started = time.perf_counter()
        request_id = str(uuid.uuid4())
        status = 500
        try:
            status = self._serve(request_id)
        except GatewayError as error:
            status = self._reply_error(error, request_id)
        except GatewayAnswer as answer:
            body = json.dumps({"message": answer.message})
            headers = {"Content-Type": JSON}
            status = self._reply(
                {"statusCode": answer.status, "headers": headers, "body": body}, request_id
            )
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception:
            logger.exception("Local gateway error (request %s)", request_id)
            self._reply_error(GatewayError(None, close=True), request_id)
        elapsed = (time.perf_counter() - started) * 1000
        logger.info("%s %s %s %.0f ms", self.command, self.path, status, elapsed)

    def _serve(self, request_id: str) -> int:
        body = self._read_body()
        split = urlsplit(self.path)
        path = split.path or "/"
        docs_page = docs.page(self.command, path, self._own_url())
        if docs_page is not None:
            return self._reply_page(docs_page)
        found = lambdas.find_route(self.command, path)
        if found is None:
            raise GatewayError(NotFound("No such route"))  # the path is not echoed
        route, params = found
        headers = self._event_headers()
        path_params = {k: unquote(v) for k, v in params.items()}
        request = lambdas.Request(self.command, path, route, path_params, headers, split.query)
        verdict = self._authorize(request)
        event = lambdas.http_event(request, None, body, authorizer=verdict)
        event["requestContext"]["requestId"] = request_id
        cookies = headers.get("cookie")
        if cookies:
            event["cookies"] = [c.strip() for c in cookies.split(";") if c.strip()]
            event["headers"].pop("cookie", None)
        answer = self.server.invoke(route.function, event)
        return self._reply(answer, request_id)

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            return self._read_chunked()
        values = self.headers.get_all("Content-Length") or []
        if not values:
            return b""
        if len(set(values)) != 1 or not values[0].strip().isdigit():
            raise GatewayError(Invalid("Invalid Content-Length header"), close=True)
        length = int(values[0])
        if length > self.server.max_body:
            self._drain(length)
            raise self._too_large()
        return self.rfile.read(length)

    def _read_chunked(self) -> bytes:
        """Reads a chunked body, stopping as soon as its bytes pass the limit; any framing but
        hex sizes, whole chunks and their CRLFs is a 400 before anything else is done."""
        data = bytearray()
        while True:
            line = self.rfile.readline(1024).split(b";", 1)[0].strip()
            if not _CHUNK_SIZE.fullmatch(line):
                raise self._bad_framing()
            size = int(line, 16)
            if size == 0:
                while self.rfile.readline(1024).strip():
                    pass  # trailers
                return bytes(data)
            if len(data) + size > self.server.max_body:
                raise self._too_large()
            chunk = self.rfile.read(size)
            if len(chunk) != size or self.rfile.readline(8) != b"\r\n":
                raise self._bad_framing()
            data += chunk

    @staticmethod
    def _bad_framing() -> GatewayError:
        return GatewayError(Invalid("Malformed chunked body"), close=True)

    def _too_large(self) -> GatewayError:
        return GatewayError(PayloadTooLarge(self.server.max_body), close=True)

    def _drain(self, length: int) -> None:
        """Read and drop an oversized body (never buffered) so the client can read our 413
        instead of a reset connection; a huge one is cut off."""
        if length > DRAIN_LIMIT:
            return
        self.connection.settimeout(5)
        remaining = length
        try:
            while remaining > 0:
                chunk = self.rfile.read(min(remaining, 65536))
                if not chunk:
                    break
                remaining -= len(chunk)
        except OSError:
            pass

    def _authorize(self, request: lambdas.Request) -> dict[str, Any]:
        """The Lambda authorizer (simple responses), as API Gateway runs it: its context when it
        allows the request; 403 when it does not, 500 when it fails or answers nonsense, each
        in API Gateway's own body."""
        function = template.authorizer_function()
        if function is None:
            raise GatewayError(None)
        event = lambdas.authorizer_event(request)
        try:
            answer = self.server.invoke(function, event)
        except Exception:
            logger.exception("Authorizer failed")
            raise GatewayAnswer(500, "Internal Server Error") from None
        if not isinstance(answer, dict) or not isinstance(answer.get("isAuthorized"), bool):
            raise GatewayAnswer(500, "Internal Server Error")
        if not answer["isAuthorized"]:
            raise GatewayAnswer(403, "Forbidden")
        context = answer.get("context") or {}
        return dict(context) if isinstance(context, dict) else {}

    def _event_headers(self) -> dict[str, str]:
        headers: dict[str, str] = {}
        for key, value in self.headers.items():
            name = key.lower()
            headers[name] = f"{headers[name]},{value}" if name in headers else value
        headers.setdefault("x-forwarded-for", self.client_address[0])
        headers.setdefault("x-forwarded-proto", "http")
        return headers

    def _reply(self, answer: Any, request_id: str) -> int:
        """Write a function's answer back as API Gateway does (payload format 2.0)."""
        if isinstance(answer, dict) and "statusCode" in answer:
            status = int(answer["statusCode"])
            headers = {str(k): str(v) for k, v in (answer.get("headers") or {}).items()}
            raw = answer.get("body") or ""
            body = base64.b64decode(raw) if answer.get("isBase64Encoded") else str(raw).encode()
            cookies = [str(c) for c in answer.get("cookies") or []]
        else:
            # Without a statusCode the gateway infers 200 with the JSON-encoded result.
            status, headers, cookies = 200, {"Content-Type": JSON}, []
            body = json.dumps(answer).encode()
        self.send_response(status)
        skip = {"content-length", "connection", "transfer-encoding"}
        for key, value in headers.items():
            if key.lower() not in skip:
                self.send_header(key, value)
        for cookie in cookies:
            self.send_header("Set-Cookie", cookie)
        self.send_header("Apigw-Requestid", request_id)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        return status

    def _own_url(self) -> str:
        """Where this server listens (never the request's Host header, which a client sets)."""
        address, port = self.server.server_address[:2]
        host = f"[{address}]:{port}" if ":" in str(address) else f"{address}:{port}"
        return f"http://{host}"

    def _reply_page(self, page: docs.Page) -> int:
        self.send_response(page.status)
        self.send_header("Content-Type", page.content_type)
        self.send_header("Content-Length", str(len(page.body)))
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(page.body)
        return page.status

    def _reply_error(self, error: GatewayError, request_id: str) -> int:
        status, text = error_body(error.error, request_id)
        body = text.encode()
        if error.close:
            self.close_connection = True
        self.send_response(status)
        self.send_header("Content-Type", JSON)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Apigw-Requestid", request_id)
        for name, value in SECURITY_HEADERS.items():
            self.send_header(name, value)
        if status == 401:
            self.send_header("WWW-Authenticate", "Bearer")
        if error.close:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        return status


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # open keep-alive connections never block shutdown
    invoke: Invoke
    max_body: int


class ApiServer:
    """The HTTP API of the template's routes on host:port (port 0 picks a free one)."""

    def __init__(self, host: str, port: int, invoke: Invoke, max_body: int = MAX_BODY) -> None:
        server_class = _Server
        if ":" in host:  # an IPv6 literal such as ::1
            server_class = type("_Server6", (_Server,), {"address_family": socket.AF_INET6})
        self._server = server_class((host, port), _Handler)
        self._server.invoke = invoke
        self._server.max_body = max_body
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        host = f"[{host}]" if ":" in str(host) else host
        return f"http://{host}:{port}"

    def start(self) -> str:
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="leadlists-http", daemon=True
        )
        self._thread.start()
        return self.url

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._server.server_close()
