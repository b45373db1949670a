"""Safe client retries (Idempotency-Key) and the answers' safety headers, on moto."""

from __future__ import annotations

from typing import Any

from conftest import Api

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
    for answer_headers in (api.get(LEAD)[2], api.get(f"{LEAD}/not-a-uuid")[2], error_headers):
        assert answer_headers["Cache-Control"] == "no-store"
        assert answer_headers["X-Content-Type-Options"] == "nosniff"
