"""Webhook delivery without an emulator: signatures a Standard Webhooks receiver verifies, the
SSRF rules of target URLs, and the retry schedule (fakes for the queue, table and network)."""

from __future__ import annotations

import contextlib
import ipaddress
import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from leadlists.config import settings
from leadlists.models.messages import Delivery, WebhookMessage
from leadlists.services import webhook_delivery, webhook_registration, webhook_urls
from leadlists.services.webhook_urls import UnsafeUrl, check


def resolver(table: dict[str, list[str]]) -> webhook_urls.Resolver:
    def resolve(host: str, port: int) -> list[str]:
        with contextlib.suppress(ValueError):
            return [str(ipaddress.ip_address(host))]  # literals resolve to themselves
        if host not in table:
            raise OSError("no such host")
        return table[host]

    return resolve


def message(**extra: Any) -> WebhookMessage:
    fields: dict[str, Any] = {
        "organizationId": "org_a",
        "webhookIds": ["w1"],
        "eventId": "5f0c3f5e-9e8f-4c54-8f6c-1d2e3f4a5b6c",
        "eventType": "list.refreshed",
        "timestamp": "2024-01-02T10:30:00.000Z",
        "data": {"listId": "l1", "contactsNum": 3},
        **extra,
    }
    return WebhookMessage(**fields)


# Signing ----------------------------------------------------------------------------------------


def test_each_attempt_is_signed_as_the_standard_says() -> None:
    secret = webhook_registration.new_secret()
    assert secret.startswith("whsec_")
    event = message()
    body = webhook_delivery.payload(event)
    headers = webhook_delivery.signed_headers(secret, event.eventId, datetime.now(UTC), body)

    verified = Webhook(secret).verify(body, headers)
    assert verified == {"type": "list.refreshed", "timestamp": event.timestamp, "data": event.data}
    assert headers["webhook-id"] == event.eventId
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body.replace("3", "4"), headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(webhook_registration.new_secret()).verify(body, headers)


# SSRF -------------------------------------------------------------------------------------------

REFUSED = {
    "loopback": "127.0.0.1",
    "private": "10.1.2.3",
    "private-172": "172.16.0.9",
    "private-192": "192.168.1.1",
    "carrier-nat": "100.64.0.1",
    "link-local": "169.254.10.10",
    "metadata": "169.254.169.254",
    "metadata-v6": "fd00:ec2::254",
    "unspecified": "0.0.0.0",  # noqa: S104  # a target to refuse, not a bind
    "multicast": "224.0.0.1",
    "reserved": "240.0.0.1",
    "v6-loopback": "::1",
    "v4-mapped-loopback": "::ffff:127.0.0.1",
    "nat64-private": "64:ff9b::a00:1",
}


@pytest.mark.parametrize("address", REFUSED.values(), ids=REFUSED.keys())
def test_hosts_resolving_to_internal_addresses_are_refused(address: str) -> None:
    resolve = resolver({"hooks.example.com": [address]})
    with pytest.raises(UnsafeUrl, match="private, loopback or reserved"):
        check("https://hooks.example.com/in", allow_loopback=False, resolver=resolve)


def test_only_public_https_targets_pass_on_aws() -> None:
    resolve = resolver(
        {
            "hooks.example.com": ["93.184.216.34", "2606:2800:220:1::1"],
            "mixed.example.com": ["93.184.216.34", "10.0.0.7"],
        }
    )
    target = check("https://hooks.example.com:8443/in?x=1", False, resolve)
    assert (target.host, target.port, target.path, target.addresses) == (
        "hooks.example.com", 8443, "/in?x=1", ("93.184.216.34", "2606:2800:220:1::1")
    )  # fmt: skip
    reasons = {
        "http://hooks.example.com/in": "https",
        "ftp://hooks.example.com/in": "https",
        "https://user:pw@hooks.example.com/": "credentials",
        "https://nowhere.example.com/": "does not resolve",
        "https://mixed.example.com/": "private",  # one bad answer is enough to refuse
        "https://hooks.example.com:99999/": "valid URL",
        "https:///no-host": "https",
    }
    for url, reason in reasons.items():
        with pytest.raises(UnsafeUrl, match=reason):
            check(url, False, resolve)


def test_the_local_runtime_allows_loopback_over_http_only_there() -> None:
    resolve = resolver({"localhost": ["127.0.0.1", "::1"], "intranet": ["10.0.0.1"]})
    assert check("http://127.0.0.1:8123/hook", True, resolve).addresses == ("127.0.0.1",)
    assert check("http://localhost:8123/hook", True, resolve).port == 8123
    with pytest.raises(UnsafeUrl):
        check("http://localhost:8123/hook", False, resolve)
    with pytest.raises(UnsafeUrl):  # loopback only: the local flag opens nothing else
        check("https://intranet/hook", True, resolve)


# Retries ----------------------------------------------------------------------------------------


def test_default_schedule_retries_for_more_than_a_day_in_sqs_sized_hops() -> None:
    schedule = webhook_delivery.settings().webhook_retry_schedule
    assert sum(schedule) >= 24 * 3600
    assert [webhook_delivery.retry_wait(n) for n in range(1, len(schedule) + 2)] == [
        *schedule,
        None,
    ]


class Fakes:
    """The queue, the table and the network of the delivery step."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, answers: list[int | Exception]) -> None:
        self.sent: list[tuple[WebhookMessage, int]] = []
        self.dead: list[WebhookMessage] = []
        self.recorded: list[dict[str, Any]] = []
        self.posts: list[dict[str, str]] = []
        self.answers = answers
        endpoint = {"id": "w1", "url": "https://hooks.example.com/in", "secret": "whsec_c2VjcmV0"}
        monkeypatch.setattr(webhook_delivery.repo, "get", lambda org, wid: endpoint)
        monkeypatch.setattr(
            webhook_delivery.repo,
            "put_delivery",
            lambda org, wid, attempt, expires: self.recorded.append(attempt),
        )
        monkeypatch.setattr(
            webhook_delivery.queues, "send_webhook", lambda m, d=0: self.sent.append((m, d))
        )
        monkeypatch.setattr(webhook_delivery.queues, "send_webhook_dead_letter", self.dead.append)
        monkeypatch.setattr(webhook_urls, "resolve", lambda host, port: ["93.184.216.34"])
        monkeypatch.setattr(webhook_delivery.webhook_http, "post", self.post)

    def post(self, target: Any, body: bytes, headers: dict[str, str], timeout: float) -> int:
        self.posts.append(headers)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


@pytest.fixture
def short_schedule(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("WEBHOOK_RETRY_SCHEDULE", "30,2000")
    settings.cache_clear()
    yield
    settings.cache_clear()


def run(event: WebhookMessage) -> None:
    webhook_delivery.step(event, Delivery("m1", 1))


def test_failed_attempts_follow_the_schedule_then_end_in_the_dead_letter_queue(
    monkeypatch: pytest.MonkeyPatch, short_schedule: None
) -> None:
    fakes = Fakes(monkeypatch, [500, TimeoutError(), ConnectionRefusedError()])
    run(message())
    ((retry, delay),) = fakes.sent
    assert (retry.attempt, delay) == (2, 30)
    assert retry.notBefore == pytest.approx(time.time() + 30, abs=2)

    # Not due yet: the same attempt again, within SQS's 900 s cap, nothing posted.
    fakes.sent.clear()
    run(retry.model_copy(update={"notBefore": time.time() + 2000}))
    assert [(m.attempt, d) for m, d in fakes.sent] == [(2, 900)] and len(fakes.posts) == 1

    fakes.sent.clear()
    run(retry.model_copy(update={"notBefore": 0}))
    ((third, delay),) = fakes.sent
    assert (third.attempt, delay) == (3, 900)  # 2,000 s: the first 900 s hop
    fakes.sent.clear()
    run(third.model_copy(update={"notBefore": 0}))
    assert fakes.sent == [] and [m.attempt for m in fakes.dead] == [3]

    assert [(r["attempt"], r["statusCode"], r["error"]) for r in fakes.recorded] == [
        (1, 500, "HTTP 500"),
        (2, None, "Timed out after 10 s"),
        (3, None, "Connection refused"),
    ]
    # Every attempt carries the event's id; each is signed at its own time.
    assert {h["webhook-id"] for h in fakes.posts} == {message().eventId}


def test_a_success_is_recorded_and_not_retried(monkeypatch: pytest.MonkeyPatch) -> None:
    fakes = Fakes(monkeypatch, [204])
    run(message())
    assert fakes.sent == [] and fakes.dead == []
    assert fakes.recorded[0]["statusCode"] == 204 and fakes.recorded[0]["error"] is None


def test_an_event_for_several_endpoints_is_split(monkeypatch: pytest.MonkeyPatch) -> None:
    split: list[list[str]] = []
    monkeypatch.setattr(
        webhook_delivery.queues,
        "send_webhooks",
        lambda messages: split.extend(m.webhookIds for m in messages),
    )
    run(message(webhookIds=["w1", "w2", "w3"]))
    assert split == [["w1"], ["w2"], ["w3"]]


def test_a_target_that_now_resolves_inside_is_refused_at_delivery(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fakes = Fakes(monkeypatch, [])
    monkeypatch.setattr(webhook_urls, "resolve", lambda host, port: ["169.254.169.254"])
    run(message())
    assert fakes.posts == []
    assert fakes.recorded[0]["error"].startswith("Refused:")
    assert json.loads(fakes.sent[0][0].model_dump_json())["attempt"] == 2
