"""scripts/test_users.py against moto's Cognito: users per organization and role, ID tokens.

moto runs no pre-token trigger, so these tokens carry the raw attributes; the trigger's own
test (test_cognito_pre_token.py) covers the claims it adds.
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType
from typing import Any

import boto3
import jwt
import pytest
from moto import mock_aws

from leadlists_local import template


def _script() -> ModuleType:
    path = template.ROOT / "scripts" / "test_users.py"
    spec = importlib.util.spec_from_file_location("test_users_script", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def pool(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.delenv("LEADLISTS_TEST_PASSWORD", raising=False)
    with mock_aws():
        idp = boto3.client("cognito-idp", region_name="us-east-1")
        pool_id = idp.create_user_pool(
            PoolName="test-users",
            Schema=[
                {"Name": n, "AttributeDataType": "String", "Mutable": True}
                for n in ("org_id", "org_role")
            ],
        )["UserPool"]["Id"]
        client_id = idp.create_user_pool_client(
            UserPoolId=pool_id, ClientName="e2e", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"]
        )["UserPoolClient"]["ClientId"]
        yield idp, pool_id, client_id


def _token(capsys: Any, pool: Any, *args: str) -> dict[str, Any]:
    _, pool_id, client_id = pool
    argv = ["--region", "us-east-1", "--pool-id", pool_id, "--client-id", client_id, "token"]
    assert _script().main([*argv, *args]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1  # the token alone: the password is never printed
    return jwt.decode(out[0], options={"verify_signature": False})


def test_token_is_an_id_token_of_the_app_client_for_that_org_and_role(capsys, pool):
    claims = _token(capsys, pool, "--org", "org_a", "--user", "alice", "--role", "admin")
    assert claims["token_use"] == "id"
    assert claims["aud"] == pool[2]
    assert claims["cognito:username"] == "alice@org_a"
    assert (claims["custom:org_id"], claims["custom:org_role"]) == ("org_a", "admin")


def test_the_same_user_can_change_role_and_lose_its_organization(capsys, pool):
    _token(capsys, pool, "--org", "org_a", "--user", "bob", "--role", "admin")
    member = _token(capsys, pool, "--org", "org_a", "--user", "bob", "--role", "member")
    assert member["custom:org_role"] == "member"
    orgless = _token(capsys, pool, "--org", "", "--user", "bob", "--role", "member")
    assert "custom:org_id" not in orgless


def test_generated_passwords_meet_the_pool_policy():
    password = _script().generated_password()
    assert len(password) == 32
    assert any(c.islower() for c in password) and any(c.isupper() for c in password)
    assert any(c.isdigit() for c in password) and any(not c.isalnum() for c in password)
    assert password != _script().generated_password()


def test_delete_all_empties_the_pool(capsys, pool):
    _token(capsys, pool, "--org", "org_a", "--user", "carol", "--role", "member")
    idp, pool_id, client_id = pool
    argv = ["--region", "us-east-1", "--pool-id", pool_id, "--client-id", client_id]
    assert _script().main([*argv, "delete-all"]) == 0
    assert idp.list_users(UserPoolId=pool_id)["Users"] == []
