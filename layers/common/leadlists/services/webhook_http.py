"""One webhook POST to a checked target, connected to the very address that passed the check
(a DNS answer that changes between check and connect cannot redirect it). TLS still verifies
the certificate against the URL's host name; redirects are not followed."""

from __future__ import annotations

import http.client
import socket
import ssl
from collections.abc import Mapping

from leadlists.services.webhook_urls import Target

# The endpoint's answer body is not used: read at most this much of it before closing.
MAX_ANSWER_BYTES = 64 * 1024


def _connect(target: Target, timeout: float | None) -> socket.socket:
    """A connection to the first checked address that accepts one (localhost may list ::1
    before 127.0.0.1); the last failure when none does."""
    failure: OSError = ConnectionRefusedError("No address to connect to")
    for address in target.addresses:
        try:
            return socket.create_connection((address, target.port), timeout)
        except TimeoutError:
            raise
        except OSError as exc:
            failure = exc
    raise failure


class _PinnedHttp(http.client.HTTPConnection):
    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self._target = target

    def connect(self) -> None:
        self.sock = _connect(self._target, self.timeout)


class _PinnedHttps(http.client.HTTPSConnection):
    def __init__(self, target: Target, timeout: float) -> None:
        self._tls = ssl.create_default_context()
        super().__init__(target.host, target.port, timeout=timeout, context=self._tls)
        self._target = target

    def connect(self) -> None:
        raw = _connect(self._target, self.timeout)
        self.sock = self._tls.wrap_socket(raw, server_hostname=self.host)


def post(target: Target, body: bytes, headers: Mapping[str, str], timeout: float) -> int:
    """POST `body`; the answer's status code. Network failures raise OSError (TimeoutError,
    ConnectionRefusedError, ssl.SSLError...) or http.client.HTTPException."""
    kind = _PinnedHttps if target.scheme == "https" else _PinnedHttp
    connection = kind(target, timeout)
    try:
        connection.request("POST", target.path, body=body, headers=dict(headers))
        answer = connection.getresponse()
        answer.read(MAX_ANSWER_BYTES)
        return answer.status
    finally:
        connection.close()
