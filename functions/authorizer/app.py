"""The HTTP API's Lambda REQUEST authorizer (payload 2.0, simple responses): verifies a bearer
JWT or an X-API-Key and counts the request; every request goes on to its route with the verdict
in `requestContext.authorizer.lambda` (services/authorizer.py says why)."""

from typing import Any

from leadlists import coldstart
from leadlists.services import authorizer

# The service's logger: importing Powertools here, before the layer, would import its whole
# top-level package (Metrics and Tracer too, see leadlists.coldstart).
logger = authorizer.logger


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    verdict = authorizer.authorize(event.get("headers") or {})
    if "error" in verdict:
        # The reason only: never the credential.
        logger.info("Not authenticated", extra={"reason": verdict["error"]})
    return {"isAuthorized": True, "context": verdict}


coldstart.end_init()
