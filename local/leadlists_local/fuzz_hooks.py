"""Schemathesis hooks for `leadlists fuzz` (loaded through SCHEMATHESIS_HOOKS).

`map_body`: a body's `organizationId`, when valid by the schema, becomes the caller's own; any
other is a 403 (the security matrix covers that), and fuzzing should reach what lies behind it.

`filter_failure`: a schema-valid request the API rejects (positive_data_acceptance) is accepted
when the 400 names a rule a JSON Schema cannot state: an opaque paging token that was not
minted by the API, a cross-field rule, a rule about stored data (the list's type, ids absent
from the catalog). Every such rule has its own tests; any other 400 stays a failure.
"""

from __future__ import annotations

import json
import os
from typing import Any

import anyio  # noqa: F401  # loaded here, in the main thread: CPython 3.11 can fail
import schemathesis  # compiling anyio's lazy imports in two of schemathesis's workers at once

# (detail field, text in its message) or, for an answer without details, (None, text in message).
BUSINESS_RULES: tuple[tuple[str | None, str], ...] = (
    ("nextToken", "Invalid pagination token"),  # opaque: only the API mints valid ones
    ("endDate", "Must not be before startDate"),
    ("filter.founded_year", "must not exceed"),
    ("selection", "apply only with selectAll"),
    ("filter", "at least one criterion"),
    (None, "works only on"),  # add-companies on a person list and the like
    ("companyIds", "Company not found"),  # ids absent from the global catalog (contract: 400)
    ("selection.searchId", "Unknown or expired search"),  # a searchId the API never minted
    ("filter", "Does not match the search of nextToken"),
    ("expiresAt", "Must be future"),  # an API key's expiry: relative to now
    # Webhook URLs: only https hosts that resolve to public addresses (SSRF), and few of them.
    ("url", "Must be an https URL"),
    ("url", "Not a valid URL"),
    ("url", "Must not carry credentials"),
    ("url", "The host does not resolve"),
    ("url", "The host resolves to a private"),
    (None, "webhooks; delete one first"),
)


def _is_business_rule(body: Any) -> bool:
    if not isinstance(body, dict) or body.get("code") != "BAD_REQUEST":
        return False
    details = body.get("details") or []
    if not details:
        message = str(body.get("message", ""))
        return any(field is None and text in message for field, text in BUSINESS_RULES)
    return all(
        any(
            field is not None
            and str(detail.get("field", "")).startswith(field)
            and text in str(detail.get("message", ""))
            for field, text in BUSINESS_RULES
        )
        for detail in details
    )


ORG_ENV = "LEADLISTS_FUZZ_ORG"
MAX_ORG_ID = 200  # the schema's maxLength for organizationId


@schemathesis.hook
def map_body(context: Any, body: Any) -> Any:
    org = os.environ.get(ORG_ENV)
    value = body.get("organizationId") if isinstance(body, dict) else None
    # Only a value the schema admits is replaced, so a case meant to be invalid stays invalid.
    if org and isinstance(value, str) and 1 <= len(value) <= MAX_ORG_ID:
        return {**body, "organizationId": org}
    return body


@schemathesis.hook
def filter_failure(context: Any, failure: Any, case: Any, response: Any) -> bool:
    """Keep every failure except a positive-data rejection that is a documented business rule."""
    if failure.code != "ST202" or response.status_code != 400:
        return True
    try:
        body = json.loads(response.content or b"null")
    except ValueError:
        return True
    return not _is_business_rule(body)
