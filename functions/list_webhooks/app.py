"""GET /webhooks: page the organization's endpoints (admins only), never their secrets."""

from leadlists.api import LimitQuery, NextTokenQuery, create_app, current_caller, handler
from leadlists.models.webhooks import WebhookPage, admin_only_page
from leadlists.services import webhooks

app = create_app()


@app.get(
    "/webhooks",
    summary="Page the organization's webhook endpoints",
    responses=admin_only_page("A page of endpoints, without their secrets", WebhookPage),
)
def list_webhooks(limit: LimitQuery = None, nextToken: NextTokenQuery = None) -> WebhookPage:
    return webhooks.page(current_caller(app), limit, nextToken)


lambda_handler = handler(app)
