"""The organization's API keys, a page at a time (never their secrets)."""

from __future__ import annotations

from leadlists.auth import Caller
from leadlists.models.api_keys import ApiKey, ApiKeyPage
from leadlists.models.common import DEFAULT_PAGE
from leadlists.repositories import api_keys as repo
from leadlists.services.api_keys import require_admin


def page(caller: Caller, limit: int | None, token: str | None) -> ApiKeyPage:
    require_admin(caller)
    found, next_token = repo.page(caller.org_id, limit or DEFAULT_PAGE, token)
    return ApiKeyPage(apiKeys=[ApiKey(**r) for r in found], nextToken=next_token)
