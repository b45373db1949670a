"""Webhooks through their handlers on moto: endpoint management (admins only, secret shown
once, contract errors, nothing stored on a refusal), events published only to endpoints that
listen, and signed deliveries to a receiver on loopback (allowed as the local runtime does)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from lead_list_helpers import BASE, assert_error, fields, new_list, person_input, snapshot
from webhook_receiver import Receiver

from conftest import ORG_A, Api, drain_queue
from leadlists.config import settings
from leadlists.repositories import saved_lists
from leadlists.services import refresh, webhook_urls
from leadlists_local.catalog import seed_catalog

PUBLIC_IP = "93.184.216.34"
HOOK = "https://hooks.example.com/leadlists"


@pytest.fixture
def public_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    """hooks.example.com resolves to a public address; intranet.example.com to a private one
    (no network needed)."""
    answers = {"hooks.example.com": [PUBLIC_IP], "intranet.example.com": ["10.0.3.7"]}
    monkeypatch.setattr(webhook_urls, "resolve", lambda host, port: answers.get(host, [host]))


@pytest.fixture
def receiver(aws: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    """A receiver on loopback, which only the local runtime's flag lets webhooks reach."""
    monkeypatch.setenv("WEBHOOK_ALLOW_LOOPBACK", "true")
    settings.cache_clear()
    server = Receiver({"/flaky": 1})
    yield server
    server.close()


def queued(aws: dict[str, Any]) -> int:
    sqs = boto3.client("sqs", region_name="us-east-1")
    url = aws["queues"]["WebhookQueue"]["url"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(
        attributes["ApproximateNumberOfMessagesDelayed"]
    )


def deliver(aws: dict[str, Any]) -> None:
    drain_queue(aws, "WebhookQueue", "WebhookDeliveryFunction")


def create(api: Api, url: str, events: list[str]) -> dict[str, Any]:
    status, body, _ = api.post("/webhooks", {"url": url, "events": events})
    assert status == 201, body
    return body


def test_admins_manage_endpoints_and_see_the_secret_once(api: Api, public_dns: None) -> None:
    events = ["list.refreshed", "list.deleted", "list.refreshed"]
    status, first, _ = api.post("/webhooks", {"url": HOOK, "events": events, "description": "CRM"})
    assert status == 201, first
    assert first["secret"].startswith("whsec_") and uuid.UUID(first["id"])
    assert first["events"] == ["list.refreshed", "list.deleted"]
    second = create(api, f"{HOOK}/2", ["leadlist.members_added"])

    status, page, _ = api.get("/webhooks", query="limit=1")
    assert status == 200 and len(page["webhooks"]) == 1 and page["nextToken"], page
    _, rest, _ = api.get("/webhooks", query=f"limit=1&nextToken={page['nextToken']}")
    listed = page["webhooks"] + rest["webhooks"]
    assert {w["id"] for w in listed} == {first["id"], second["id"]}
    assert all("secret" not in w for w in listed)

    member = api.as_(role=None)
    for method, path in [
        ("POST", "/webhooks"),
        ("GET", "/webhooks"),
        ("DELETE", f"/webhooks/{first['id']}"),
        ("POST", f"/webhooks/{first['id']}/test"),
        ("GET", f"/webhooks/{first['id']}/deliveries"),
    ]:
        body = {"url": HOOK, "events": ["list.deleted"]} if path == "/webhooks" else None
        status, answer, _ = member.call(method, path, body)
        assert_error(status, answer, 403, "FORBIDDEN")
    other_org = api.as_(org="org_beta")
    status, answer, _ = other_org.delete(f"/webhooks/{first['id']}")
    assert_error(status, answer, 404, "NOT_FOUND")

    status, _, _ = api.delete(f"/webhooks/{first['id']}")
    assert status == 200
    for method, path in [
        ("DELETE", f"/webhooks/{first['id']}"),
        ("POST", f"/webhooks/{first['id']}/test"),
        ("GET", f"/webhooks/{first['id']}/deliveries"),
    ]:
        status, answer, _ = api.call(method, path)
        assert_error(status, answer, 404, "NOT_FOUND")
    status, answer, _ = api.get("/webhooks/not-a-uuid/deliveries")
    assert_error(status, answer, 400, "BAD_REQUEST")
    assert fields(answer) == {"id"}


BAD_BODIES: dict[str, tuple[dict[str, Any], str]] = {
    "plain http": ({"url": "http://hooks.example.com/x", "events": ["list.deleted"]}, "url"),
    "private host": ({"url": "https://intranet.example.com/", "events": ["list.deleted"]}, "url"),
    "metadata": ({"url": "https://169.254.169.254/latest", "events": ["list.deleted"]}, "url"),
    "loopback": ({"url": "https://127.0.0.1:8443/", "events": ["list.deleted"]}, "url"),
    "too long": ({"url": HOOK + "/" + "a" * 2048, "events": ["list.deleted"]}, "url"),
    "no url": ({"events": ["list.deleted"]}, "url"),
    "unknown event": ({"url": HOOK, "events": ["list.created"]}, "events.0"),
    "test event": ({"url": HOOK, "events": ["webhook.test"]}, "events.0"),
    "no events": ({"url": HOOK, "events": []}, "events"),
    "events not a list": ({"url": HOOK, "events": "list.deleted"}, "events"),
    "unknown field": ({"url": HOOK, "events": ["list.deleted"], "secret": "x"}, "secret"),
}


def test_bad_endpoints_are_refused_and_nothing_is_stored(api: Api, public_dns: None) -> None:
    before = snapshot()
    for name, (body, field) in BAD_BODIES.items():
        status, answer, _ = api.post("/webhooks", body)
        assert_error(status, answer, 400, "BAD_REQUEST")
        assert field in fields(answer), (name, answer)
    assert snapshot() == before


def test_events_reach_only_the_endpoints_that_listen_signed(
    api: Api, aws: dict[str, Any], receiver: Receiver
) -> None:
    lead = new_list(api, "person")
    add = f"{BASE}/{lead['id']}/add-prospects"
    people = [str(uuid.uuid4()) for _ in range(3)]
    status, _, _ = api.post(add, {"persons": [person_input(people[0])]})
    assert status == 200 and queued(aws) == 0  # nobody listens yet: nothing is sent

    members = create(api, receiver.url("/members"), ["leadlist.members_added",
                                                     "leadlist.members_removed"])  # fmt: skip
    flaky = create(api, receiver.url("/flaky"), ["leadlist.members_added"])
    create(api, receiver.url("/deletes"), ["list.deleted"])
    status, body, _ = api.post(add, {"persons": [person_input(p) for p in people]})
    assert status == 200 and body["addedCount"] == 2
    status, body, _ = api.post(f"{add.rsplit('/', 1)[0]}/remove-prospects", {"personIds": people})
    assert status == 200 and body == {"removedCount": 3}
    deliver(aws)

    got = {(r.path, r.event["type"], r.status) for r in receiver.received}
    assert got == {
        ("/members", "leadlist.members_added", 200),
        ("/members", "leadlist.members_removed", 200),
        ("/flaky", "leadlist.members_added", 500),  # its retry waits 5 s: not delivered yet
    }
    added = next(r for r in receiver.received if r.path == "/members" and "added" in r.body)
    event = added.verify(members["secret"])
    assert {**event["data"], "ids": sorted(event["data"]["ids"])} == {
        "listId": lead["id"],
        "memberType": "person",
        "addedCount": 2,
        "ids": sorted(people[1:]),
    }
    with pytest.raises(Exception, match="signature"):
        added.verify(flaky["secret"])
    assert queued(aws) == 1  # the flaky endpoint's second attempt, delayed

    status, log, _ = api.get(f"/webhooks/{flaky['id']}/deliveries")
    assert status == 200, log
    (attempt,) = log["deliveries"]
    assert (
        attempt["eventId"]
        == next(r for r in receiver.received if r.path == "/flaky").headers["webhook-id"]
    )
    assert (attempt["attempt"], attempt["statusCode"], attempt["error"]) == (1, 500, "HTTP 500")
    assert attempt["eventType"] == "leadlist.members_added" and attempt["durationMs"] >= 0


def test_the_test_route_sends_one_event_to_that_endpoint(
    api: Api, aws: dict[str, Any], receiver: Receiver
) -> None:
    hook = create(api, receiver.url("/members"), ["list.deleted"])
    status, sent, _ = api.post(f"/webhooks/{hook['id']}/test")
    assert status == 202 and uuid.UUID(sent["eventId"]), sent
    deliver(aws)
    (request,) = receiver.received
    assert request.headers["webhook-id"] == sent["eventId"]
    assert request.verify(hook["secret"])["data"] == {"webhookId": hook["id"]}
    assert request.event["type"] == "webhook.test"


def test_saved_list_events(api: Api, aws: dict[str, Any], receiver: Receiver) -> None:
    seed_catalog(companies=6, persons=60, seed=7)
    hook = create(
        api, receiver.url("/lists"), ["list.refreshed", "list.refresh_failed", "list.deleted"]
    )
    body = {
        "organizationId": ORG_A,
        "listName": "US software",
        "contacts_found": 0,
        "filter": {"countries": ["United States"]},
    }
    _, saved, _ = api.post("/lists/save", body)
    status, refreshed, _ = api.post(f"/lists/refresh/{saved['id']}")
    assert status == 200 and refreshed["refreshStatus"] == "idle", refreshed
    refresh.fail(
        ORG_A, saved["id"], "not-the-current-run", "Refresh failed"
    )  # superseded: no event
    api.post("/lists/save", {**body, "id": saved["id"], "filter": {"countries": ["Germany"]}})
    run_id = saved_lists.require(ORG_A, saved["id"])["refreshRunId"]  # the new filter's run
    refresh.fail(ORG_A, saved["id"], run_id, "Refresh failed")
    status, _, _ = api.delete(f"/lists/{saved['id']}")
    assert status == 200
    deliver(aws)

    events = {r.event["type"]: r.verify(hook["secret"])["data"] for r in receiver.received}
    assert len(receiver.received) == 3
    assert set(events) == {"list.refreshed", "list.refresh_failed", "list.deleted"}
    assert events["list.refreshed"] == {
        "listId": saved["id"],
        "contactsNum": refreshed["contactsNum"],
        "matchedContactsNum": refreshed["matchedContactsNum"],
        "lastSyncedTime": refreshed["lastSyncedTime"],
        "addedCount": refreshed["contactsNum"],
        "removedCount": 0,
    }
    assert refreshed["contactsNum"] > 0
    error = refresh.failure_text("Refresh failed")  # the sentence the list shows
    assert events["list.refresh_failed"] == {"listId": saved["id"], "error": error}
    assert events["list.deleted"]["listId"] == saved["id"]
