"""Live lists: catalog changes reach auto-updated lists through the global table's stream
(CatalogStreamFunction), exactly, once, and without racing full refreshes."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from conftest import ORG_A, ORG_B
from leadlists.clock import now_iso
from leadlists.repositories import catalog, keys
from leadlists.repositories import saved_lists as repo
from leadlists.services import refresh
from leadlists_local import lambdas
from leadlists_local.pollers import stream_event, streams_client

GERMANY = {"countries": ["Germany"]}


def pid(n: int) -> str:
    return f"00000000-0000-4000-8000-{n:012d}"


def person(n: int, country: str = "Germany", **extra: Any) -> dict[str, Any]:
    return {
        "id": pid(n),
        "fullName": f"Person {n}",
        "title": "VP of Sales",
        "seniority": "VP",
        "department": "Sales",
        "country": country,
        "city": "Berlin" if country == "Germany" else "Paris",
        "industry": "Software",
        **extra,
    }


class Stream:
    """The global table's stream from now on, delivered to its function as Lambda would."""

    def __init__(self, aws: dict[str, Any]) -> None:
        table = aws["tables"]["GlobalTable"]
        self.arn = boto3.client("dynamodb").describe_table(TableName=table)["Table"][
            "LatestStreamArn"
        ]
        self.client = streams_client(boto3.Session())
        shard = self.client.describe_stream(StreamArn=self.arn)["StreamDescription"]["Shards"][0]
        self.iterator = self.client.get_shard_iterator(
            StreamArn=self.arn, ShardId=shard["ShardId"], ShardIteratorType="LATEST"
        )["ShardIterator"]

    def take(self) -> list[dict[str, Any]]:
        answer = self.client.get_records(ShardIterator=self.iterator, Limit=1000)
        self.iterator = answer["NextShardIterator"]
        return answer["Records"]

    def deliver(self, records: list[dict[str, Any]]) -> Any:
        return lambdas.invoke("CatalogStreamFunction", stream_event(records, self.arn))

    def flush(self) -> list[dict[str, Any]]:
        records = self.take()
        assert self.deliver(records) == {"batchItemFailures": []}
        return records


@pytest.fixture
def people(aws: dict[str, Any]) -> list[dict[str, Any]]:
    """Ten persons in Germany (ids 0-9) and ten in France (10-19)."""
    found = [person(n) for n in range(10)] + [person(n, "France") for n in range(10, 20)]
    catalog.put_records(keys.PERSON, found)
    catalog.set_stats(persons=len(found), companies=0)
    return found


@pytest.fixture
def stream(aws: dict[str, Any], people: list[dict[str, Any]]) -> Stream:
    return Stream(aws)


def save(api, name: str, flt: dict[str, Any], **extra: Any) -> dict[str, Any]:
    body = {
        "organizationId": extra.pop("org", ORG_A),
        "listName": name,
        "contacts_found": 0,
        "filter": flt,
        "autoUpdate": True,
        **extra,
    }
    client = api if body["organizationId"] == ORG_A else api.as_(org=body["organizationId"])
    status, saved, _ = client.post("/lists/save", body)
    assert status == 200, saved
    status, refreshed, _ = client.post(f"/lists/refresh/{saved['id']}")
    assert status == 200 and refreshed["refreshStatus"] == "idle", refreshed
    return refreshed


def members(org: str, list_id: str) -> list[str]:
    return sorted(repo.member_ids(org, list_id))


def write(*records: dict[str, Any]) -> None:
    catalog.put_records(keys.PERSON, records)  # the writer `leadlists import` uses


def assert_as_full_refresh(api, org: str, list_id: str) -> dict[str, Any]:
    """The list's members and counts are what a full refresh now computes."""
    live = repo.get(org, list_id)
    live_members = members(org, list_id)
    client = api if org == ORG_A else api.as_(org=org)
    status, fresh, _ = client.post(f"/lists/refresh/{list_id}")
    assert status == 200
    assert live_members == members(org, list_id)
    assert (live["contactsNum"], live["matchedContactsNum"]) == (
        fresh["contactsNum"],
        fresh["matchedContactsNum"],
    )
    return live


def test_changes_move_persons_in_and_out_of_exactly_the_lists_they_change_once(api, stream):
    germany = save(api, "Germany", GERMANY)
    vps = save(api, "Sales VPs", {"job_titles": ["VP Sales"]}, org=ORG_B)  # an unindexed filter
    assert members(ORG_A, germany["id"]) == [pid(n) for n in range(10)]
    before_vps = members(ORG_B, vps["id"])

    # 0-1 leave Germany for France, 12 moves to Germany, 30 is new in Germany, 5 is deleted;
    # 2 leaves, comes back and leaves again (its newest state counts).
    write(person(0, "France"), person(1, "France"), person(12), person(30))
    boto3.client("dynamodb").delete_item(
        TableName=catalog._table(), Key={"pk": {"S": f"PERSON#{pid(5)}"}}
    )
    write(person(2, "France"))
    write(person(2))
    write(person(2, "Spain"))
    records = stream.take()
    assert len(records) == 8
    # Newest first, then the older ones, then everything again: each applies once, the newest
    # of each person wins.
    assert stream.deliver([records[7], *records[:7]]) == {"batchItemFailures": []}
    assert stream.deliver(records + records) == {"batchItemFailures": []}

    wanted = sorted([pid(n) for n in (3, 4, 6, 7, 8, 9, 12, 30)])
    assert members(ORG_A, germany["id"]) == wanted
    live = assert_as_full_refresh(api, ORG_A, germany["id"])
    assert live["contactsNum"] == live["matchedContactsNum"] == len(wanted)
    assert live["lastChangeAppliedAt"] >= germany["lastSyncedTime"]
    # Person 5 left every list; the title-only list lost it and nothing else.
    assert members(ORG_B, vps["id"]) == sorted(set(before_vps) - {pid(5)} | {pid(30)})
    # Tenant copies follow: the moved-in person is readable through the list.
    status, page, _ = api.get(f"/lists/{germany['id']}/contacts", query="limit=100")
    assert status == 200 and pid(30) in {c["id"] for c in page["contacts"]}


def test_a_change_during_a_full_refresh_ends_as_a_refresh_after_it(api, stream, monkeypatch):
    germany = save(api, "Germany", GERMANY)
    scan = refresh._matching

    def scan_then_change(flt: Any, deadline: Any) -> Any:
        found = scan(flt, deadline)  # the run has read the catalog: these changes come after
        write(person(3, "France"), person(40))
        stream.flush()
        running = repo.get(ORG_A, germany["id"])
        assert running["refreshStatus"] == "running"
        assert pid(40) not in members(ORG_A, germany["id"])  # kept for the run, not applied
        return found

    monkeypatch.setattr(refresh, "_matching", scan_then_change)
    status, done, _ = api.post(f"/lists/refresh/{germany['id']}")
    assert status == 200 and done["refreshStatus"] == "idle"
    monkeypatch.setattr(refresh, "_matching", scan)
    assert pid(40) in members(ORG_A, germany["id"]) and pid(3) not in members(ORG_A, germany["id"])
    assert_as_full_refresh(api, ORG_A, germany["id"])


def test_max_contacts_caps_live_changes(api, stream):
    capped = save(api, "Capped", GERMANY, maxContacts=3)
    assert members(ORG_A, capped["id"]) == [pid(0), pid(1), pid(2)]
    write(person(50))  # sorts after the members: only counted
    stream.flush()
    record = repo.get(ORG_A, capped["id"])
    assert (record["contactsNum"], record["matchedContactsNum"]) == (3, 11)
    write(person(1, "France"))  # a member leaves: the next match by id fills it on the refresh
    stream.flush()
    record = repo.get(ORG_A, capped["id"])
    assert (record["contactsNum"], record["matchedContactsNum"]) == (2, 10)
    assert record["nextRefreshAt"] <= now_iso()  # due at the next scheduled cycle
    write(person(4, "France"))  # a match beyond the cap leaves: counted only
    stream.flush()
    record = repo.get(ORG_A, capped["id"])
    assert (record["contactsNum"], record["matchedContactsNum"]) == (2, 9)
    status, fresh, _ = api.post(f"/lists/refresh/{capped['id']}")
    assert status == 200 and (fresh["contactsNum"], fresh["matchedContactsNum"]) == (3, 9)
    assert members(ORG_A, capped["id"]) == [pid(0), pid(2), pid(3)]
    write(person(1))  # sorts before the last member: takes its place
    stream.flush()
    assert members(ORG_A, capped["id"]) == [pid(0), pid(1), pid(2)]
    assert_as_full_refresh(api, ORG_A, capped["id"])
