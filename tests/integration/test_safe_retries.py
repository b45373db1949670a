"""Safe client retries (Idempotency-Key) and the answers' safety headers, on moto."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from botocore.exceptions import ClientError

from conftest import ORG_A, Api, claims

LEAD = "/api/v1/entities/leadlists"


def _lead(name: str = "Q1") -> dict[str, Any]:
    return {"name": name, "type": "company", "startDate": "2024-01-01", "endDate": "2024-03-31"}


def _names(api: Api) -> list[str]:
    return sorted(item["name"] for item in api.get(LEAD)[1]["leadLists"])


def test_idempotency_key_replays_the_first_answer_and_refuses_another_body(api: Api) -> None:
    key = {"Idempotency-Key": "create-q1"}
    status, first, headers = api.post(LEAD, _lead(), headers=key)
    assert status == 201 and "Idempotent-Replayed" not in headers
    # Same JSON in another spelling is the same payload: the first answer, not a second list.
    again = '{"endDate": "2024-03-31", "startDate": "2024-01-01", "type": "company", "name": "Q1"}'
    status, second, headers = api.call("POST", LEAD, raw=again, headers=key)
    assert (status, second) == (201, first)
    assert headers["Idempotent-Replayed"] == "true"
    status, body, _ = api.post(LEAD, _lead("Q2"), headers=key)
    assert status == 409 and body["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert _names(api) == ["Q1"]
    # Scoped to the caller: another user's same key is another request.
    status, _, headers = api.as_(user="user_2").post(LEAD, _lead("Q3"), headers=key)
    assert status == 201 and "Idempotent-Replayed" not in headers
    # Error answers are not stored: the same key runs again once the body is right.
    fix = {"Idempotency-Key": "after-fix"}
    assert api.post(LEAD, {**_lead("Q4"), "endDate": "2023-01-01"}, headers=fix)[0] == 400
    assert api.post(LEAD, _lead("Q4"), headers=fix)[0] == 201
    assert _names(api) == ["Q1", "Q3", "Q4"]


def test_malformed_keys_and_duplicate_json_keys_are_400_and_answers_carry_safety_headers(
    api: Api,
) -> None:
    for value in ["", "x" * 256, "tab\there", "caf\u00e9"]:
        status, body, _ = api.post(LEAD, _lead(), headers={"Idempotency-Key": value})
        assert status == 400 and body["details"][0]["field"] == "Idempotency-Key", value
    assert api.post(LEAD, _lead(), headers={"Idempotency-Key": "k" * 255})[0] == 201
    duplicate = '{"name": "a", "type": "company", "name": "b"}'
    status, body, error_headers = api.call("POST", LEAD, raw=duplicate)
    assert status == 400 and body["details"] == [{"field": "name", "message": "Duplicate key"}]
    assert _names(api) == ["Q1"]
    # An organization id with reserved and non-ASCII characters lists its own saved lists.
    odd = "org#\u00fc/x"
    them = Api(claims(org=odd))
    body = {"organizationId": odd, "listName": "odd", "contacts_found": 0,
            "filter": {"countries": ["France"]}}  # fmt: skip
    status, saved, _ = them.post("/lists/save", body)
    assert status == 200, saved
    status, listed, _ = them.get(f"/lists/{quote(odd, safe='')}")
    assert status == 200 and [x["id"] for x in listed] == [saved["id"]]
    for answer_headers in (api.get(LEAD)[2], api.get(f"{LEAD}/not-a-uuid")[2], error_headers):
        assert answer_headers["Cache-Control"] == "no-store"
        assert answer_headers["X-Content-Type-Options"] == "nosniff"


def test_failures_midway_leave_a_state_the_same_request_completes(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    from leadlists import queues

    # A save whose refresh cannot be queued is undone and answered 503; the retry works.
    save = {"organizationId": ORG_A, "listName": "Germany", "contacts_found": 0,
            "filter": {"countries": ["Germany"]}}  # fmt: skip
    key = {"Idempotency-Key": "save-germany"}

    def down(**_: Any) -> None:
        raise ClientError({"Error": {"Code": "ServiceUnavailable"}}, "SendMessage")

    with monkeypatch.context() as patch:
        patch.setattr(queues._client(), "send_message", down)
        status, body, _ = api.post("/lists/save", save, headers=key)
    assert status == 503 and body["code"] == "SERVICE_UNAVAILABLE"
    assert api.get(f"/lists/{ORG_A}")[1] == []
    status, saved, _ = api.post("/lists/save", save, headers=key)
    assert status == 200 and saved["refreshStatus"] == "queued"
    assert [x["id"] for x in api.get(f"/lists/{ORG_A}")[1]] == [saved["id"]]

    # Direct-mode data never rewrites a person the organization already holds.
    person = "5d1f6c8e-2b7a-4c3d-9e8f-0a1b2c3d4e5f"
    lists = [api.post(LEAD, {**_lead(n), "type": "person"})[1]["id"] for n in ("P1", "P2")]
    add = f"{LEAD}/{{}}/add-prospects"
    first = {"persons": [{"id": person, "fullName": "Dana Reyes"}]}
    assert api.post(add.format(lists[0]), first)[1] == {"addedCount": 1}
    other = api.as_(user="user_2", role="")
    rewrite = {"persons": [{"id": person, "fullName": "Mallory"}]}
    theirs = other.post(LEAD, {**_lead("P3"), "type": "person"})[1]["id"]
    status, body, _ = other.post(add.format(theirs), rewrite)
    assert (status, body) == (200, {"addedCount": 1, "ignoredIds": [person]})
    assert api.get(f"{LEAD}/{lists[0]}")[1]["persons"][0]["fullName"] == "Dana Reyes"
