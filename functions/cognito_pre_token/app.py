"""Cognito pre-token-generation trigger of the optional test user pool (CreateTestUserPool=true).

Copies the user's `custom:org_id` and `custom:org_role` attributes into the ID token under the
claim names the API reads (CLAIM_ORG, CLAIM_ROLE: the template's ClaimOrg / ClaimRole), so a
test user's token looks like any other identity provider's. The HTTP API's JWT authorizer takes
the ID token (its `aud` is the app client). A user without an organization gets no organization
claim and the API answers 401, as the contract says. Users cannot write these attributes
themselves: the app client's WriteAttributes leaves them out.
"""

from __future__ import annotations

import os
from typing import Any

ORG_ATTRIBUTE = "custom:org_id"
ROLE_ATTRIBUTE = "custom:org_role"


def claims_for(attributes: dict[str, str]) -> dict[str, str]:
    """The claims to add for a user's attributes; blank values add nothing."""
    names = {
        ORG_ATTRIBUTE: os.environ.get("CLAIM_ORG", "org_id"),
        ROLE_ATTRIBUTE: os.environ.get("CLAIM_ROLE", "org_role"),
    }
    claims = {}
    for attribute, claim in names.items():
        value = (attributes.get(attribute) or "").strip()
        if value:
            claims[claim] = value
    return claims


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    attributes = (event.get("request") or {}).get("userAttributes") or {}
    response = event.setdefault("response", {})
    response["claimsOverrideDetails"] = {
        "claimsToAddOrOverride": claims_for(attributes),
        # The raw attributes stay out of the token: one place (the claims above) says who it is.
        "claimsToSuppress": [ORG_ATTRIBUTE, ROLE_ATTRIBUTE],
    }
    return event
