"""GET /webhooks: page the organization's endpoints (admins only), never their secrets."""

from leadlists.api import LimitQuery, NextTokenQuery, create_app, current_caller, handler
from leadlists.models.webhook_endpoints import WebhookPage
from leadlists.models.webhooks import admin_only_page
from leadlists.services import webhook_listing

app = create_app()


@app.get(
    "/webhooks",
    summary="Page the organization's webhook endpoints",
    responses=admin_only_page("A page of endpoints, without their secrets", WebhookPage),
)
def list_webhooks(limit: LimitQuery = None, nextToken: NextTokenQuery = None) -> WebhookPage:
    return webhook_listing.page(current_caller(app), limit, nextToken)


lambda_handler = handler(app)
