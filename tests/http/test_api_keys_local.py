"""API keys over HTTP (the local runtime runs the template's Lambda authorizer for every route, as
API Gateway does): scopes, revocation, per-key rate limits with their headers, and a secret that
shows once. Runs against a deployed stack too (tests/http_target.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

from leadlists_local import cli, state

RATE_HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")


def _create_key(target: Any, org: str, scopes: list[str], **extra: Any) -> dict[str, Any]:
    admin = {"Authorization": f"Bearer {target.token_for(org, 'key-admin')}"}
    body = {"name": f"{'+'.join(scopes)} key", "scopes": scopes, **extra}
    answer = requests.post(target.url("/api-keys"), json=body, headers=admin, timeout=30)
    assert answer.status_code == 201, answer.text
    created: dict[str, Any] = answer.json()
    assert created["key"].startswith("ll_live_") and created["key"].startswith(created["prefix"])
    return created


def _limited_run(target: Any, org: str) -> tuple[list[requests.Response], requests.Response]:
    """Six requests with a fresh key limited to 5 a minute, all in one window (a run that
    straddles a minute's end is repeated once with another key), and another key's request
    between the fifth and the sixth."""
    for _ in range(2):
        limited = _create_key(target, org, ["read"], rateLimitPerMinute=5)
        other = _create_key(target, org, ["read"])
        headers = {"X-API-Key": limited["key"]}
        answers = [
            requests.get(target.url(f"/lists/{org}"), headers=headers, timeout=30) for _ in range(5)
        ]
        unaffected = requests.get(
            target.url(f"/lists/{org}"), headers={"X-API-Key": other["key"]}, timeout=30
        )
        answers.append(requests.get(target.url(f"/lists/{org}"), headers=headers, timeout=30))
        if len({a.headers.get("X-RateLimit-Reset") for a in answers}) == 1:
            return answers, unaffected
    pytest.fail("two runs of six requests each straddled a minute's end")


def test_api_keys_scopes_revocation_rate_limits_and_secrecy(
    http_target: Any, capfd: pytest.CaptureFixture[str]
) -> None:
    org = http_target.org("keys")
    read = _create_key(http_target, org, ["read"])
    key = {"X-API-Key": read["key"]}

    # A read key lists the organization's lists and is refused a save; both answers carry the
    # key's rate-limit headers.
    listed = requests.get(http_target.url(f"/lists/{org}"), headers=key, timeout=30)
    assert listed.status_code == 200, listed.text
    save = {"organizationId": org, "listName": "by key", "contacts_found": 0,
            "filter": {"countries": ["France"]}}  # fmt: skip
    refused = requests.post(http_target.url("/lists/save"), json=save, headers=key, timeout=30)
    assert refused.status_code == 403, refused.text
    assert refused.json()["code"] == "FORBIDDEN"
    for answer in (listed, refused):
        assert answer.headers["X-RateLimit-Limit"] == "1000"
        assert all(h in answer.headers for h in RATE_HEADERS)
    assert int(refused.headers["X-RateLimit-Remaining"]) == 998

    # The 6th request of a key limited to 5 a minute is 429; another key is not affected.
    answers, unaffected = _limited_run(http_target, org)
    assert [a.status_code for a in answers] == [200] * 5 + [429], [a.text for a in answers]
    assert [a.headers["X-RateLimit-Remaining"] for a in answers] == ["4", "3", "2", "1", "0", "0"]
    over = answers[-1]
    assert over.json()["code"] == "RATE_LIMITED"
    assert 1 <= int(over.headers["Retry-After"]) <= 60
    assert unaffected.status_code == 200 and unaffected.headers["X-RateLimit-Remaining"] == "999"

    # The listing shows prefixes and use, never a secret.
    admin = {"Authorization": f"Bearer {http_target.token_for(org, 'key-admin')}"}
    page = requests.get(http_target.url("/api-keys"), headers=admin, timeout=30)
    assert page.status_code == 200, page.text
    shown = {k["id"]: k for k in page.json()["apiKeys"]}
    assert shown[read["id"]]["prefix"] == read["prefix"] and shown[read["id"]]["lastUsedAt"]
    assert "key" not in shown[read["id"]]

    # Revoked: 401 on its very next request.
    revoked = requests.delete(http_target.url(f"/api-keys/{read['id']}"), headers=admin, timeout=30)
    assert revoked.status_code == 200, revoked.text
    gone = requests.get(http_target.url(f"/lists/{org}"), headers=key, timeout=30)
    assert gone.status_code == 401 and gone.json()["code"] == "UNAUTHORIZED", gone.text

    # No answer after the create, and no log line, shows the secret.
    later = [listed, refused, *answers, unaffected, page, revoked, gone]
    texts = [a.text + json.dumps(dict(a.headers)) for a in later]
    out, err = capfd.readouterr()
    for secret in (read["key"],):
        assert not any(secret in t for t in texts)
        assert secret not in out and secret not in err


@pytest.mark.local_only("the CLI mints an admin token with the local runtime's signing key")
def test_cli_key_create_prints_a_working_key(
    http_target: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(state.STATE_ENV, str(http_target.runtime.state_dir))
    org = http_target.org("cli")
    argv = ["key", "create", "--org", org, "--scopes", "read,write", "--url", http_target.base_url]
    assert cli.main(argv) == 0
    secret = capsys.readouterr().out.strip()
    saved = requests.post(
        http_target.url("/lists/save"),
        json={
            "organizationId": org,
            "listName": "by cli key",
            "contacts_found": 0,
            "filter": {"countries": ["France"]},
        },
        headers={"X-API-Key": secret},
        timeout=30,
    )
    assert saved.status_code == 200, saved.text
    assert saved.json()["organizationId"] == org
