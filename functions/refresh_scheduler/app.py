"""EventBridge schedule: queues the refresh of every auto-updated list that is due."""

from typing import Any

from leadlists import coldstart
from leadlists.services import scheduler

# The service's logger: importing Powertools here, before the layer, would import its whole
# top-level package (Metrics and Tracer too, see leadlists.coldstart).
logger = scheduler.logger


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    return scheduler.queue_due()


coldstart.end_init()
