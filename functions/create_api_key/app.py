"""POST /api-keys: create an API key (201); the secret is in this answer only."""

from leadlists.api import JsonBody, Response, create_app, current_caller, dump, handler
from leadlists.models.api_key_requests import CreateApiKeyRequest
from leadlists.models.api_keys import ApiKeyCreated
from leadlists.services import api_key_issuing

app = create_app()


@app.post(
    "/api-keys",
    summary="Create an API key (organization admins)",
    status_code=201,
    responses={201: {"description": "The key, its secret shown this once"}},
)
def create_api_key(body: JsonBody[CreateApiKeyRequest]) -> Response[ApiKeyCreated]:
    created = api_key_issuing.create(current_caller(app), body)
    return Response(201, "application/json", dump(created))


lambda_handler = handler(app)
