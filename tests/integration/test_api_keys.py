"""API keys and rate limits on moto: the authorizer's verdicts, exact counting under concurrency,
one write per counted request and none over the limit, and the key routes' rules."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from lead_list_helpers import assert_error

from conftest import ORG_A, ORG_B, Api
from leadlists.repositories import dynamo, keys, rate_limits
from leadlists.services.authorizer import authorize

NOW = datetime(2026, 3, 2, 10, 30, 15, tzinfo=UTC)


def _create(api: Api, **body: Any) -> dict[str, Any]:
    status, created, _ = api.post("/api-keys", {"scopes": ["read"], **body})
    assert status == 201, created
    return created


def test_a_key_is_counted_against_its_own_limit_stamped_and_refused_once_revoked(api: Api) -> None:
    key = _create(api, rateLimitPerMinute=2)["key"]
    verdicts = [authorize({"X-API-Key": key}, NOW) for _ in range(3)]
    assert [v.get("rateRemaining") for v in verdicts] == [1, 0, 0]
    assert [v.get("rateLimited") for v in verdicts] == [False, False, True]
    assert verdicts[0]["orgId"] == ORG_A and verdicts[0]["scopes"] == "read"
    assert verdicts[0]["rateReset"] == int(NOW.timestamp()) // 60 * 60 + 60
    assert verdicts[2]["retryAfter"] == 45
    # The next minute is a new window.
    later = authorize({"X-API-Key": key}, NOW + timedelta(minutes=1))
    assert later["rateRemaining"] == 1 and later["rateLimited"] is False
    status, page, _ = api.get("/api-keys")
    assert status == 200 and page["apiKeys"][0]["lastUsedAt"] == "2026-03-02T10:31:15.000Z"
    assert "key" not in page["apiKeys"][0] and key not in str(page)
    # Revoked, tampered with, or expired: refused, with one reason for all.
    revoked = _create(api)
    status, _, _ = api.delete(f"/api-keys/{revoked['id']}")
    assert status == 200
    expiring = _create(api, expiresAt="2999-01-01T00:00:00Z")
    good = _create(api)
    for secret, when in [
        (revoked["key"], NOW),
        (good["key"][:-2] + "zz", NOW),
        (good["key"] + "x", NOW),
        (expiring["key"], datetime(3000, 1, 1, tzinfo=UTC)),
    ]:
        verdict = authorize({"x-api-key": secret}, when)
        assert verdict == {"error": "Unknown, revoked or expired API key"}, secret
    assert "orgId" in authorize({"x-api-key": good["key"]}, NOW)


def test_counting_is_exact_under_concurrency_and_writes_once_a_request(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    limit, callers = 7, 20
    item = _create(api, rateLimitPerMinute=limit)
    writes: list[int] = []
    real = dynamo.update_if

    def counted(request: dict[str, Any]) -> dict[str, Any] | None:
        answer = real(request)
        if answer is not None:
            writes.append(1)
        return answer

    monkeypatch.setattr(dynamo, "update_if", counted)
    verdicts: list[dict[str, Any]] = []
    start = threading.Barrier(callers)

    def call() -> None:
        start.wait()
        verdicts.append(authorize({"x-api-key": item["key"]}, NOW))

    threads = [threading.Thread(target=call) for _ in range(callers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    admitted = [v for v in verdicts if not v["rateLimited"]]
    assert len(admitted) == limit
    assert sorted(v["rateRemaining"] for v in admitted) == list(range(limit))
    assert len(writes) == limit  # one write per admitted request, none for the refused ones
    stored = dynamo.get(_table(), keys.api_key(item["id"]))
    assert stored is not None and stored[rate_limits.COUNT] == limit


def _table() -> str:
    from leadlists.config import settings

    return settings().tenant_table


def test_jwt_traffic_is_counted_per_organization(api: Api, monkeypatch) -> None:
    from leadlists.services import authorizer

    monkeypatch.setattr(authorizer, "verifier", lambda: _Claims())
    monkeypatch.setenv("JWT_RATE_LIMIT_PER_MINUTE", "2")
    from leadlists.config import settings

    settings.cache_clear()
    a1 = authorize({"Authorization": "Bearer alpha-1"}, NOW)
    a2 = authorize({"Authorization": "Bearer alpha-2"}, NOW)
    b1 = authorize({"Authorization": "Bearer beta-1"}, NOW)
    a3 = authorize({"Authorization": "Bearer alpha-3"}, NOW)
    assert [a1["rateRemaining"], a2["rateRemaining"], b1["rateRemaining"]] == [1, 0, 1]
    assert a3["rateLimited"] is True and b1["orgId"] == ORG_B
    counter = dynamo.get(_table(), keys.jwt_rate_counter(ORG_A))
    assert counter is not None and counter["expiresAt"] > NOW.timestamp()


class _Claims:
    """A verifier stand-in: "alpha-*" tokens are org A's users, "beta-*" org B's."""

    def verify(self, token: str) -> dict[str, Any]:
        org = ORG_A if token.startswith("alpha") else ORG_B
        return {"sub": token, "org_id": org}


def test_key_routes_need_an_admin_stay_in_their_organization_and_page(api: Api) -> None:
    created = _create(api, name="CRM", scopes=["write", "read"], rateLimitPerMinute=60)
    assert created["scopes"] == ["read", "write"] and created["prefix"] == created["key"][:16]
    member = api.as_(org=ORG_A, user="m", role="member")
    status, body, _ = member.get("/api-keys")
    assert_error(status, body, 403, "FORBIDDEN")
    status, body, _ = member.post("/api-keys", {"scopes": ["read"]})
    assert_error(status, body, 403, "FORBIDDEN")
    foreign = api.as_(org=ORG_B, user="b", role="admin")
    status, body, _ = foreign.delete(f"/api-keys/{created['id']}")
    assert_error(status, body, 404, "NOT_FOUND")
    status, body, _ = foreign.get("/api-keys")
    assert status == 200 and body["apiKeys"] == []
    for bad in [{"scopes": []}, {"scopes": ["root"]}, {"scopes": ["read"], "rateLimitPerMinute": 0},
                {"scopes": ["read"], "expiresAt": "2001-01-01T00:00:00Z"},
                {"scopes": ["read"], "key": "ll_live_mine"}]:  # fmt: skip
        status, body, _ = api.post("/api-keys", bad)
        assert_error(status, body, 400, "BAD_REQUEST")
    status, body, _ = api.delete("/api-keys/not-a-uuid")
    assert_error(status, body, 400, "BAD_REQUEST")
    # Paged with a nextToken in the body.
    made = {created["id"]} | {_create(api, name=f"k{i}")["id"] for i in range(2)}
    seen, token, pages = set(), None, 0
    while True:
        query = "limit=2" + (f"&nextToken={token}" if token else "")
        status, page, _ = api.get("/api-keys", query=query)
        assert status == 200, page
        seen |= {k["id"] for k in page["apiKeys"]}
        pages += 1
        token = page["nextToken"]
        if not token:
            break
    assert seen == made and pages == 2
    status, body, _ = api.get("/api-keys", query="nextToken=garbage")
    assert_error(status, body, 400, "BAD_REQUEST")


def test_lead_lists_a_key_reaches(api: Api) -> None:
    """A key without the admin scope reaches only the lead lists that name its principal; an
    admin-scoped key reaches them all, as an admin does."""
    read, admin = _create(api, scopes=["read"]), _create(api, scopes=["admin"])
    dates = {"startDate": "2024-01-01", "endDate": "2024-02-01"}
    lists = {}
    for name, users in [("private", ["u1"]), ("shared", [f"apikey:{read['id']}"])]:
        status, body, _ = api.post(
            "/api/v1/entities/leadlists",
            {"name": name, "type": "company", "userIds": users, **dates},
        )
        assert status == 201, body
        lists[name] = body["id"]
    as_read, as_admin = (
        Api(None, authorizer=authorize({"x-api-key": k["key"]}, NOW)) for k in (read, admin)
    )
    status, body, _ = as_read.get(f"/api/v1/entities/leadlists/{lists['private']}")
    assert_error(status, body, 403, "FORBIDDEN")
    status, body, _ = as_read.get(f"/api/v1/entities/leadlists/{lists['shared']}")
    assert status == 200 and body["name"] == "shared", body
    status, page, _ = as_read.get("/api/v1/entities/leadlists")
    assert [x["name"] for x in page["leadLists"]] == ["shared"], page
    for list_id in lists.values():
        status, body, _ = as_admin.get(f"/api/v1/entities/leadlists/{list_id}")
        assert status == 200, body
