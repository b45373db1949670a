"""DELETE /api-keys/{id}: revoke an API key; it is refused from the next request on."""

from typing import Annotated

from leadlists.api import Path, Response, create_app, current_caller, handler
from leadlists.services import api_keys

app = create_app()
ApiKeyId = Annotated[
    str, Path(description="The API key's id", json_schema_extra={"format": "uuid"}, max_length=64)
]


@app.delete(
    "/api-keys/<id>",
    summary="Revoke an API key (organization admins)",
    responses={200: {"description": "Revoked at once; no body"}},
)
def delete_api_key(id: ApiKeyId) -> Response[None]:
    api_keys.revoke(current_caller(app), id)
    return Response(200)


lambda_handler = handler(app)
