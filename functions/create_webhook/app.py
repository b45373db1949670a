"""POST /webhooks: register an endpoint for the organization's events (admins only); the answer
shows its signing secret, this once only."""

from leadlists.api import JsonBody, Response, create_app, current_caller, dump, handler
from leadlists.models.webhook_endpoints import CreatedWebhook
from leadlists.models.webhook_requests import CreateWebhookRequest
from leadlists.services import webhook_registration

app = create_app()


@app.post("/webhooks", summary="Register a webhook endpoint", status_code=201)
def create_webhook(body: JsonBody[CreateWebhookRequest]) -> Response[CreatedWebhook]:
    created = webhook_registration.create(current_caller(app), body)
    return Response(201, "application/json", dump(created))


lambda_handler = handler(app)
