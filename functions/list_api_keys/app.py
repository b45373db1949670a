"""GET /api-keys: page the organization's API keys (never their secrets)."""

from leadlists.api import LimitQuery, NextTokenQuery, create_app, current_caller, handler
from leadlists.models.api_keys import ApiKeyPage
from leadlists.services import api_key_listing

app = create_app()


@app.get("/api-keys", summary="Page the organization's API keys (organization admins)")
def list_api_keys(limit: LimitQuery = None, nextToken: NextTokenQuery = None) -> ApiKeyPage:
    return api_key_listing.page(current_caller(app), limit, nextToken)


lambda_handler = handler(app)
