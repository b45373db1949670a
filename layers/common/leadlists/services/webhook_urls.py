"""Where webhooks may go: https URLs whose host resolves only to public addresses, so an
endpoint can never point the service at itself, the VPC or the instance metadata service (SSRF).

Checked when an endpoint is created and again before every delivery (DNS answers change); the
delivery then connects to the address that passed, never to a second lookup's answer. The local
runtime (WEBHOOK_ALLOW_LOOPBACK) also allows loopback hosts, over http too, so a developer can
receive events on their machine.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from ipaddress import IPv4Address, IPv6Address, ip_address, ip_network
from typing import NamedTuple
from urllib.parse import urlsplit

Address = IPv4Address | IPv6Address
Resolver = Callable[[str, int], list[str]]

# The EC2/Lambda metadata service (IPv4 and IPv6) and NAT64, whose addresses embed IPv4 ones.
METADATA = frozenset({ip_address("169.254.169.254"), ip_address("fd00:ec2::254")})
NAT64 = ip_network("64:ff9b::/96")


class UnsafeUrl(Exception):
    """A URL webhooks may not be sent to; the message says why, for the client."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class Target(NamedTuple):  # not a dataclass: cheaper to define at a cold start
    """A checked URL: where to connect (`addresses`, in order, and `port`) and what to ask for
    there."""

    scheme: str
    host: str
    port: int
    path: str
    addresses: tuple[str, ...]


def resolve(host: str, port: int) -> list[str]:
    """Every address the host resolves to (IPv4 and IPv6)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def public(address: Address) -> bool:
    """Whether the service may connect there: globally routable unicast, not metadata."""
    if isinstance(address, IPv6Address):
        embedded = address.ipv4_mapped
        if embedded is None and address in NAT64:
            embedded = IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            return public(embedded)
    return (
        address.is_global
        and not (address.is_multicast or address.is_reserved)
        and address not in METADATA
    )


def check(url: str, allow_loopback: bool, resolver: Resolver | None = None) -> Target:
    """The target of `url`, or UnsafeUrl saying why webhooks may not go there (`resolver`:
    `resolve` unless given)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise UnsafeUrl("Not a valid URL") from None
    scheme, host = parts.scheme.lower(), parts.hostname
    if scheme not in ("https", "http") or not host:
        raise UnsafeUrl("Must be an https URL")
    if parts.username is not None or parts.password is not None:
        raise UnsafeUrl("Must not carry credentials")
    port = port or (443 if scheme == "https" else 80)
    try:
        addresses = [ip_address(a.split("%", 1)[0]) for a in (resolver or resolve)(host, port)]
    except (OSError, UnicodeError, ValueError):
        raise UnsafeUrl("The host does not resolve") from None
    if not addresses:
        raise UnsafeUrl("The host does not resolve")
    local = allow_loopback and all(a.is_loopback for a in addresses)
    if not local:
        if scheme != "https":
            raise UnsafeUrl("Must be an https URL")
        if not all(public(a) for a in addresses):
            raise UnsafeUrl("The host resolves to a private, loopback or reserved address")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(scheme, host, port, path, tuple(str(a) for a in addresses))
