"""GET /webhooks: page the organization's endpoints (admins only), never their secrets."""

from leadlists.api import LimitQuery, NextTokenQuery, create_app, current_caller, handler
from leadlists.models.webhooks import ADMIN_ONLY, WebhookPage
from leadlists.services import webhooks

app = create_app()


@app.get(
    "/webhooks",
    summary="Page the organization's webhook endpoints",
    responses={
        200: {
            "description": "A page of endpoints, without their secrets",
            "content": {"application/json": {"model": WebhookPage}},
        },
        403: ADMIN_ONLY,
    },
)
def list_webhooks(limit: LimitQuery = None, nextToken: NextTokenQuery = None) -> WebhookPage:
    return webhooks.page(current_caller(app), limit, nextToken)


lambda_handler = handler(app)
