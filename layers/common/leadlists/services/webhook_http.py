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


class _PinnedHttp(http.client.HTTPConnection):
    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self._address = target.address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHttps(http.client.HTTPSConnection):
    def __init__(self, target: Target, timeout: float) -> None:
        self._tls = ssl.create_default_context()
        super().__init__(target.host, target.port, timeout=timeout, context=self._tls)
        self._address = target.address

    def connect(self) -> None:
        raw = socket.create_connection((self._address, self.port), self.timeout)
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
