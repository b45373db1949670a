"""DELETE /webhooks/{id}: remove an endpoint at once (admins only); events still queued for it
are dropped."""

from leadlists.api import Response, create_app, current_caller, handler
from leadlists.models.webhooks import ADMIN_ONLY, WebhookId
from leadlists.services import webhooks

app = create_app()


@app.delete(
    "/webhooks/<id>",
    summary="Delete a webhook endpoint",
    responses={200: {"description": "Deleted; no body"}, 403: ADMIN_ONLY},
)
def delete_webhook(id: WebhookId) -> Response[None]:
    webhooks.delete(current_caller(app), id)
    return Response(200)


lambda_handler = handler(app)
