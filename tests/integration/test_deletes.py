"""Deletes in constant time: DELETE removes the list item at once, whatever the list's size, and
the cleanup queue removes its member items, unused tenant copies, refresh runs and exports."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError
from lead_list_helpers import BASE, tenant_items

from conftest import ORG_A, Api, drain_queue
from leadlists import queues
from leadlists.config import settings
from leadlists.models.messages import DeleteListMessage
from leadlists.repositories import cleanup as cleanup_repo
from leadlists.repositories import dynamo, exports, keys, refresh_runs, tenant_records
from leadlists.repositories import saved_lists as saved_repo
from leadlists.services import cleanup
from leadlists_local import lambdas

US_SOFTWARE = {"countries": ["United States"], "industries": ["Software"]}


@pytest.fixture
def no_grace(monkeypatch: pytest.MonkeyPatch) -> None:
    """No grace period: the cleanup message is not delayed and every copy written before the
    cleanup runs is past its grace (the grace itself has its own test)."""
    monkeypatch.setattr(cleanup, "GRACE_SECONDS", 0)


class Counting:
    """Stands in for the DynamoDB client and records each API call's name."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.calls: list[str] = []

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.real, name)
        if not callable(attr):
            return attr

        def call(*args: Any, **kwargs: Any) -> Any:
            self.calls.append(name)
            return attr(*args, **kwargs)

        return call


def dynamo_calls(monkeypatch: pytest.MonkeyPatch, action: Callable[[], Any]) -> tuple[Any, list]:
    original = dynamo.client
    counting = Counting(original())
    monkeypatch.setattr(dynamo, "client", lambda: counting)
    try:
        result = action()
    finally:
        monkeypatch.setattr(dynamo, "client", original)
    return result, counting.calls


def saved_list(api: Api, name: str, refresh: bool = True) -> dict[str, Any]:
    body = {"organizationId": ORG_A, "listName": name, "contacts_found": 0, "filter": US_SOFTWARE}
    status, created, _ = api.post("/lists/save", body)
    assert status == 200, created
    if refresh:
        status, refreshed, _ = api.post(f"/lists/refresh/{created['id']}")
        assert status == 200 and refreshed["contactsNum"] > 3, refreshed
        return refreshed
    return created


def items_under(prefix: str) -> list[tuple[str, str]]:
    return sorted(
        (i["pk"]["S"], i["sk"]["S"]) for i in tenant_items() if i["pk"]["S"].startswith(prefix)
    )


def copy_ids(kind: str) -> set[str]:
    marker = f"#{kind.upper()}#"
    return {
        i["pk"]["S"].rpartition(marker)[2]
        for i in tenant_items()
        if marker in i["pk"]["S"] and i["sk"]["S"] == keys.META
    }


def export_keys(list_id: str) -> list[str]:
    s3 = boto3.client("s3", region_name="us-east-1")
    prefix = exports.object_key(ORG_A, list_id, "").rpartition("/")[0] + "/"
    found = s3.list_objects_v2(Bucket=settings().export_bucket, Prefix=prefix)
    return [o["Key"] for o in found.get("Contents", [])]


def cleanup_messages(aws: dict[str, Any]) -> list[dict[str, Any]]:
    sqs = boto3.client("sqs", region_name="us-east-1")
    url_ = aws["queues"]["CleanupQueue"]["url"]
    got = sqs.receive_message(QueueUrl=url_, MaxNumberOfMessages=10, VisibilityTimeout=0)
    return [json.loads(m["Body"]) for m in got.get("Messages", [])]


def drain(aws: dict[str, Any]) -> None:
    drain_queue(aws, "CleanupQueue", "CleanupFunction", rounds=50)


# Saved lists ------------------------------------------------------------------------------------


def test_saved_delete_costs_the_same_calls_for_2000_and_10_members(
    api, catalog, aws, no_grace, monkeypatch
):
    # Cleanup pages of 50 instead of 500: the big list's cleanup still takes 40 pages (as 20,000
    # members did), at a tenth of the writes.
    monkeypatch.setattr(cleanup_repo, "PAGE", 50)
    big, small = saved_list(api, "Big", refresh=False), saved_list(api, "Small", refresh=False)
    saved_repo.write_members(ORG_A, big["id"], add=[f"p{n:06d}" for n in range(2_000)], remove=())
    saved_repo.write_members(ORG_A, small["id"], add=[f"p{n:06d}" for n in range(10)], remove=())
    answers, calls = [], []
    for created in (big, small):
        answer, made = dynamo_calls(monkeypatch, lambda c=created: api.delete(f"/lists/{c['id']}"))
        answers.append(answer[0])
        calls.append(made)
        assert api.get(f"/lists/{created['id']}")[0] == 404  # gone for readers at once
    assert answers == [200, 200]
    # The list and its name claim go in one transaction; the Query asks whether a webhook
    # listens to list.deleted (nothing is sent when none does).
    assert calls[0] == calls[1] == ["get_item", "transact_write_items", "query"]
    assert len(items_under(keys.saved_list(ORG_A, big["id"])[keys.PK])) == 2_000  # not yet
    drain(aws)
    for created in (big, small):
        assert items_under(keys.saved_list(ORG_A, created["id"])[keys.PK]) == []


def test_cleanup_removes_members_runs_exports_and_only_unused_copies(api, catalog, aws, no_grace):
    doomed = saved_list(api, "Doomed")
    members = sorted(saved_repo.member_ids(ORG_A, doomed["id"]))
    assert members and set(members) <= copy_ids(keys.PERSON)
    # Another saved list holds two of them, a lead list a third one.
    other = saved_list(api, "Other", refresh=False)
    saved_repo.write_members(ORG_A, other["id"], add=members[:2], remove=())
    lead = api.post(BASE, {"name": "Leads", "type": "person",
                           "startDate": "2024-01-01T00:00:00.000Z",
                           "endDate": "2024-03-31T23:59:59.000Z"})[1]  # fmt: skip
    status, _, _ = api.post(f"{BASE}/{lead['id']}/add-prospects", {"persons": [{"id": members[2]}]})
    assert status == 200
    # A refresh run's items and an export file of the doomed list.
    run_id = doomed["refreshRunId"] = "run-1"
    saved_repo.update_fields(ORG_A, doomed["id"], {"refreshRunId": run_id})
    refresh_runs.create(ORG_A, doomed["id"], run_id, {"segmentsTotal": 1})
    refresh_runs.put_members(ORG_A, doomed["id"], run_id, members)
    assert api.post(f"/lists/{doomed['id']}/export")[0] == 200
    assert export_keys(doomed["id"])

    assert api.delete(f"/lists/{doomed['id']}")[0] == 200
    assert api.get(f"/lists/{doomed['id']}")[0] == 404
    assert [m["runIds"] for m in cleanup_messages(aws)] == [[run_id]]
    drain(aws)

    assert items_under(keys.saved_list(ORG_A, doomed["id"])[keys.PK]) == []  # members and run
    assert export_keys(doomed["id"]) == []
    left = copy_ids(keys.PERSON) & set(members)
    assert left == set(members[:3])
    # The lists that hold them still read them.
    status, page, _ = api.get(f"/lists/{other['id']}/contacts")
    assert status == 200 and {c["id"] for c in page["contacts"]} == set(members[:2])

    # A redelivered message changes nothing more.
    before = sorted(map(repr, tenant_items()))
    queues.send_cleanup(
        DeleteListMessage(
            organizationId=ORG_A, listId=doomed["id"], listKind="saved", runIds=[run_id]
        )
    )
    drain(aws)
    assert sorted(map(repr, tenant_items())) == before


def test_lists_deleted_together_do_not_keep_each_others_copies(api, catalog, aws, no_grace):
    first, second = saved_list(api, "First"), saved_list(api, "Second")
    members = saved_repo.member_ids(ORG_A, first["id"])
    assert members == saved_repo.member_ids(ORG_A, second["id"])
    assert api.delete(f"/lists/{first['id']}")[0] == 200
    assert api.delete(f"/lists/{second['id']}")[0] == 200
    drain(aws)
    assert copy_ids(keys.PERSON) & members == set()


def test_copy_written_during_the_grace_period_is_kept(api, catalog, aws, no_grace, monkeypatch):
    doomed = saved_list(api, "Doomed")
    members = sorted(saved_repo.member_ids(ORG_A, doomed["id"]))
    later = tenant_records.now_ms() + 600_000
    # An add elsewhere rewrote one copy just now; its member item is not visible yet.
    monkeypatch.setattr(tenant_records, "now_ms", lambda: later)
    tenant_records.put_copies(ORG_A, keys.PERSON, [{"id": members[0], "fullName": "Again"}])
    monkeypatch.setattr(cleanup, "GRACE_SECONDS", 60)
    monkeypatch.setattr(queues, "send_cleanup", _undelayed(queues.send_cleanup))
    assert api.delete(f"/lists/{doomed['id']}")[0] == 200
    drain(aws)
    assert copy_ids(keys.PERSON) & set(members) == {members[0]}


def _undelayed(send: Callable[..., None]) -> Callable[..., None]:
    def undelayed(message: DeleteListMessage, delay_seconds: int = 0) -> None:
        send(message)

    return undelayed


def test_delete_message_is_delayed_by_the_grace_period(api, catalog, aws, monkeypatch):
    sent: list[tuple[DeleteListMessage, int]] = []
    monkeypatch.setattr(
        queues, "send_cleanup", lambda m, delay_seconds=0: sent.append((m, delay_seconds))
    )
    created = saved_list(api, "Delayed", refresh=False)
    assert api.delete(f"/lists/{created['id']}")[0] == 200
    assert [(m.listId, m.listKind, d) for m, d in sent] == [
        (created["id"], "saved", cleanup.GRACE_SECONDS)
    ]
    assert cleanup.GRACE_SECONDS >= 60


def test_cleanup_continues_in_new_messages_when_its_budget_runs_out(
    api, catalog, aws, no_grace, monkeypatch
):
    created = saved_list(api, "Paged", refresh=False)
    saved_repo.write_members(
        ORG_A, created["id"], add=[f"p{n:05d}" for n in range(1_200)], remove=()
    )
    monkeypatch.setattr(cleanup, "BUDGET_SECONDS", 0)  # one page a message
    assert api.delete(f"/lists/{created['id']}")[0] == 200
    batches = drain_queue(aws, "CleanupQueue", "CleanupFunction", rounds=20)
    assert batches >= 3  # 1,200 members in pages of 500
    assert items_under(keys.saved_list(ORG_A, created["id"])[keys.PK]) == []


def test_cleanup_of_a_live_list_changes_nothing(api, catalog, aws, no_grace):
    live = saved_list(api, "Live")
    before = sorted(map(repr, tenant_items()))
    queues.send_cleanup(
        DeleteListMessage(organizationId=ORG_A, listId=live["id"], listKind="saved")
    )
    drain(aws)
    assert sorted(map(repr, tenant_items())) == before


def test_failing_cleanup_gives_up_and_reaches_the_dead_letter_queue(
    api, catalog, aws, no_grace, monkeypatch
):
    created = saved_list(api, "Broken")
    logged: list[str] = []

    def broken(partition: str) -> list:
        raise RuntimeError("table unavailable")

    monkeypatch.setattr(cleanup.repo, "partition_page", broken)
    monkeypatch.setattr(cleanup.logger, "error", lambda msg, **kw: logged.append(msg))
    assert api.delete(f"/lists/{created['id']}")[0] == 200
    sqs = boto3.client("sqs", region_name="us-east-1")
    queue, dead = aws["queues"]["CleanupQueue"], aws["queues"]["CleanupDeadLetterQueue"]
    for attempt in range(settings().max_receive_count):
        got = sqs.receive_message(
            QueueUrl=queue["url"], VisibilityTimeout=0, AttributeNames=["All"]
        )["Messages"]
        # A batch whose every message failed is reported by raising: all of it comes back.
        with pytest.raises(BatchProcessingError):
            lambdas.invoke("CleanupFunction", lambdas.sqs_event(got, queue["arn"]))
        assert len(logged) == (1 if attempt == settings().max_receive_count - 1 else 0)
    assert logged == ["Cleanup of a deleted list gave up"]
    # The redrive policy moves it on the receive after its last allowed one.
    assert "Messages" not in sqs.receive_message(QueueUrl=queue["url"], VisibilityTimeout=0)
    moved = sqs.receive_message(QueueUrl=dead["url"], MaxNumberOfMessages=10)["Messages"]
    assert [json.loads(m["Body"])["listId"] for m in moved] == [created["id"]]
    # The members wait for a redrive; nothing a client sees is left behind.
    assert items_under(keys.saved_list(ORG_A, created["id"])[keys.PK])
    assert api.get(f"/lists/{created['id']}")[0] == 404


# Lead lists -------------------------------------------------------------------------------------


def new_lead_list(api: Api, name: str) -> dict[str, Any]:
    body = {"name": name, "type": "company", "startDate": "2024-01-01T00:00:00.000Z",
            "endDate": "2024-03-31T23:59:59.000Z"}  # fmt: skip
    status, created, _ = api.post(BASE, body)
    assert status == 201, created
    return created


def test_lead_list_delete_is_constant_and_cleans_members_and_unused_copies(
    api, catalog, aws, no_grace, monkeypatch
):
    companies = [c["id"] for c in catalog["companies"]]
    big, small, keeper = (new_lead_list(api, n) for n in ("Big", "Small", "Keeper"))
    assert api.post(f"{BASE}/{big['id']}/add-companies", {"companyIds": companies[:50]})[0] == 200
    assert api.post(f"{BASE}/{small['id']}/add-companies", {"companyIds": companies[:3]})[0] == 200
    assert api.post(f"{BASE}/{keeper['id']}/add-companies", {"companyIds": companies[:2]})[0] == 200
    calls = []
    for created in (big, small):
        answer, made = dynamo_calls(monkeypatch, lambda c=created: api.delete(f"{BASE}/{c['id']}"))
        assert answer[0] == 200
        assert api.get(f"{BASE}/{created['id']}")[0] == 404
        calls.append(made)
    assert calls[0] == calls[1]
    drain(aws)
    for created in (big, small):
        assert items_under(keys.lead_list(ORG_A, created["id"])[keys.PK]) == []
    assert copy_ids(keys.COMPANY) & set(companies[:50]) == set(companies[:2])
    status, kept, _ = api.get(f"{BASE}/{keeper['id']}")
    assert status == 200 and kept["id"] == keeper["id"]


def _wait(condition: Callable[[], bool], seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True
