"""POST /webhooks/{id}/test: send a `webhook.test` event to one endpoint (admins only); 202 with
the event's id (its webhook-id header), delivered in the background."""

from leadlists.api import Response, create_app, current_caller, dump, handler
from leadlists.models.webhook_test_events import TestEventSent
from leadlists.models.webhooks import WebhookId
from leadlists.services import webhook_test_events

app = create_app()


@app.post("/webhooks/<id>/test", summary="Send a test event to a webhook", status_code=202)
def test_webhook(id: WebhookId) -> Response[TestEventSent]:
    sent = webhook_test_events.send_test(current_caller(app), id)
    return Response(202, "application/json", dump(sent))


lambda_handler = handler(app)
