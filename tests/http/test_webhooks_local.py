"""Webhooks over HTTP on the local runtime: a receiver on this machine's loopback (which only
the local runtime allows) gets `list.refreshed` after a refresh and `leadlist.members_added`
after an add, each signed with its endpoint's secret; a failing receiver is retried with the same
`webhook-id` until it answers, on a short retry schedule the runtime passes to the functions."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from http_target import ADMIN, Target
from webhook_receiver import Received, Receiver

from leadlists_local.runtime import LocalRuntime

pytestmark = pytest.mark.local_only("the receiver listens on this machine's loopback")

LEADS = "/api/v1/entities/leadlists"
DATES = {"startDate": "2024-01-01T00:00:00.000Z", "endDate": "2024-03-31T23:59:59.000Z"}


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    """A runtime of its own with a small catalog, whose functions retry deliveries 1 s apart
    (WEBHOOK_RETRY_SCHEDULE, set before it starts: the functions read it from then on)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("WEBHOOK_RETRY_SCHEDULE", "1,1,1")
        runtime = LocalRuntime(
            "127.0.0.1",
            0,
            seed_companies=10,
            seed_persons=40,
            state_dir=tmp_path_factory.mktemp("state"),
            parameters={"LogLevel": "WARNING"},
            visibility_timeout=1,
        )
        runtime.start()
        try:
            yield Target(base_url=runtime.base_url, runtime=runtime)
        finally:
            runtime.stop()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver({"/flaky": 2})
    yield server
    server.close()


def post(client: requests.Session, target: Target, path: str, body: Any = None) -> Any:
    answer = client.post(target.url(path), json=body, timeout=30)
    assert answer.status_code in (200, 201, 202), answer.text
    return answer.json()


def test_loopback_receiver_gets_signed_events_and_retries(
    target: Target, receiver: Receiver
) -> None:
    client = requests.Session()
    org = target.org("hooks")
    client.headers.update(target.identity(org, "user_admin", ADMIN).headers)
    events = ["list.refreshed", "leadlist.members_added"]
    hook = post(client, target, "/webhooks", {"url": receiver.url("/hooks"), "events": events})
    flaky = post(client, target, "/webhooks", {"url": receiver.url("/flaky"), "events": events[1:]})

    saved = post(
        client,
        target,
        "/lists/save",
        {
            "organizationId": org,
            "listName": f"US {uuid.uuid4().hex[:8]}",
            "contacts_found": 0,
            "filter": {"countries": ["United States"]},
        },
    )
    post(client, target, f"/lists/refresh/{saved['id']}")
    lead = post(client, target, LEADS, {"name": "accounts", "type": "company", **DATES})
    search = {"filter": {"countries": ["United States"]}, "pageSize": 2}
    ids = [c["id"] for c in post(client, target, "/api/v1/search/companies", search)["results"]]
    post(client, target, f"{LEADS}/{lead['id']}/add-companies", {"companyIds": ids})

    def at(path: str, seen: list[Received]) -> list[Received]:
        return [r for r in seen if r.path == path]

    def done(seen: list[Received]) -> bool:
        types = {r.event["type"] for r in at("/hooks", seen)}
        return set(events) <= types and any(r.status == 200 for r in at("/flaky", seen))

    seen = receiver.wait_for(done, timeout=30)
    payloads = {}
    for request in at("/hooks", seen):
        payload = request.verify(hook["secret"])
        payloads[payload["type"]] = payload["data"]
    assert payloads["list.refreshed"]["listId"] == saved["id"]
    assert payloads["list.refreshed"]["contactsNum"] > 0
    added = payloads["leadlist.members_added"]
    assert (added["listId"], added["addedCount"], sorted(added["ids"])) == (
        lead["id"], 2, sorted(ids)
    )  # fmt: skip

    # The failing endpoint: the same event, the same webhook-id, each attempt signed anew.
    attempts = at("/flaky", seen)
    assert [r.status for r in attempts] == [500, 500, 200]
    assert len({r.headers["webhook-id"] for r in attempts}) == 1
    assert all(r.verify(flaky["secret"])["type"] == "leadlist.members_added" for r in attempts)
    log = client.get(target.url(f"/webhooks/{flaky['id']}/deliveries"), timeout=30).json()
    assert [(d["attempt"], d["statusCode"]) for d in log["deliveries"]] == [
        (3, 200),
        (2, 500),
        (1, 500),
    ]
    assert {d["eventId"] for d in log["deliveries"]} == {attempts[0].headers["webhook-id"]}
