"""The paging-token key is the deployment's secret: read from Secrets Manager, and without it
paging is a 500 with a request id (never tokens under a key anyone could read in the code)."""

from __future__ import annotations

import boto3

from conftest import ORG_A
from leadlists import tokens
from leadlists.config import settings


def test_tokens_are_keyed_by_the_deployments_secret_and_none_is_a_500(api, aws, monkeypatch):
    secret = boto3.client("secretsmanager", region_name="us-east-1").get_secret_value(
        SecretId=settings().paging_token_secret
    )["SecretString"]
    assert len(secret) == 64 and tokens._key() == secret.encode()
    for name in ("One", "Two"):
        body = {"organizationId": ORG_A, "listName": name, "contacts_found": 0,
                "filter": {"countries": ["Germany"]}}  # fmt: skip
        assert api.post("/lists/save", body)[0] == 200
    status, first, headers = api.get(f"/lists/{ORG_A}", query="limit=1")
    token = {k.lower(): v for k, v in headers.items()}["x-next-token"]
    status, second, _ = api.get(f"/lists/{ORG_A}", query=f"limit=1&nextToken={token}")
    assert status == 200 and [first[0]["name"], second[0]["name"]] == ["One", "Two"]

    monkeypatch.delenv("PAGING_TOKEN_SECRET")
    settings.cache_clear()
    status, body, _ = api.get(f"/lists/{ORG_A}", query=f"limit=1&nextToken={token}")
    assert status == 500 and body["code"] == "INTERNAL_ERROR" and body["requestId"]
    assert "PAGING" not in body["message"] and "Secret" not in body["message"]
