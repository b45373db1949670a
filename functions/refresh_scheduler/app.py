"""EventBridge schedule: queues the refresh of every auto-updated list that is due."""

from typing import Any

from aws_lambda_powertools import Logger

from leadlists import coldstart
from leadlists.services import scheduler

logger = Logger()


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    return scheduler.queue_due()


coldstart.end_init()
