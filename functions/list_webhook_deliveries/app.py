"""GET /webhooks/{id}/deliveries: an endpoint's recent delivery attempts, newest first (admins
only; kept 7 days)."""

from leadlists.api import LimitQuery, NextTokenQuery, create_app, current_caller, handler
from leadlists.models.webhook_deliveries import DeliveryPage
from leadlists.models.webhooks import WebhookId, admin_only_page
from leadlists.services import webhook_log

app = create_app()


@app.get(
    "/webhooks/<id>/deliveries",
    summary="Page a webhook's recent delivery attempts",
    responses=admin_only_page("A page of delivery attempts, newest first", DeliveryPage),
)
def list_webhook_deliveries(
    id: WebhookId, limit: LimitQuery = None, nextToken: NextTokenQuery = None
) -> DeliveryPage:
    return webhook_log.deliveries(current_caller(app), id, limit, nextToken)


lambda_handler = handler(app)
