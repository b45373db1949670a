"""GET /webhooks/{id}/deliveries: an endpoint's recent delivery attempts, newest first (admins
only; kept 7 days)."""

from leadlists.api import LimitQuery, NextTokenQuery, create_app, current_caller, handler
from leadlists.models.webhooks import DeliveryPage, WebhookId, admin_only_page
from leadlists.services import webhooks

app = create_app()


@app.get(
    "/webhooks/<id>/deliveries",
    summary="Page a webhook's recent delivery attempts",
    responses=admin_only_page("A page of delivery attempts, newest first", DeliveryPage),
)
def list_webhook_deliveries(
    id: WebhookId, limit: LimitQuery = None, nextToken: NextTokenQuery = None
) -> DeliveryPage:
    return webhooks.deliveries(current_caller(app), id, limit, nextToken)


lambda_handler = handler(app)
