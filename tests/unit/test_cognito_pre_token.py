"""The test user pool's pre-token-generation trigger: attributes become the API's claims."""

from __future__ import annotations

import copy
import importlib.util
import json
from types import ModuleType

import pytest

from leadlists_local import template

EVENT = json.loads((template.ROOT / "events" / "cognito_pre_token.json").read_text())


def _trigger() -> ModuleType:
    path = template.functions()["CognitoPreTokenFunction"].code_uri / "app.py"
    spec = importlib.util.spec_from_file_location("cognito_pre_token_app", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _run(attributes: dict[str, str]) -> dict[str, object]:
    event = copy.deepcopy(EVENT)
    event["request"]["userAttributes"] = attributes
    return _trigger().lambda_handler(event, None)["response"]["claimsOverrideDetails"]


def test_org_and_role_become_the_claims_the_api_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CLAIM_ORG", raising=False)
    monkeypatch.delenv("CLAIM_ROLE", raising=False)
    details = _run({"sub": "u-1", "custom:org_id": "org_acme", "custom:org_role": "admin"})
    assert details["claimsToAddOrOverride"] == {"org_id": "org_acme", "org_role": "admin"}
    assert set(details["claimsToSuppress"]) == {"custom:org_id", "custom:org_role"}


def test_claim_names_follow_the_template_parameters(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLAIM_ORG", "tenant")
    monkeypatch.setenv("CLAIM_ROLE", "role")
    details = _run({"custom:org_id": "org_acme", "custom:org_role": "member"})
    assert details["claimsToAddOrOverride"] == {"tenant": "org_acme", "role": "member"}


@pytest.mark.parametrize(
    "attributes",
    [{"sub": "u-1"}, {"custom:org_id": "", "custom:org_role": ""}, {"custom:org_id": "  "}],
)
def test_blank_attributes_add_no_claim(attributes: dict[str, str]) -> None:
    # No organization claim: the API answers 401, as for any token without one.
    assert _run(attributes)["claimsToAddOrOverride"] == {}


def test_the_trigger_never_sets_the_user_id() -> None:
    details = _run({"sub": "u-1", "custom:org_id": "org_acme", "custom:org_role": "admin"})
    assert "sub" not in details["claimsToAddOrOverride"]


def test_the_function_is_created_only_with_the_test_user_pool() -> None:
    resources = template.load()["Resources"]
    for name in ("CognitoPreTokenFunction", "TestUserPool", "TestUserPoolClient"):
        assert resources[name]["Condition"] == "TestUserPoolEnabled", name
    default = template.load()["Parameters"]["CreateTestUserPool"]["Default"]
    assert default == "false"
