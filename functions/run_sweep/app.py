"""EventBridge schedule: fails every refresh run that stopped making progress."""

from typing import Any

from aws_lambda_powertools import Logger

from leadlists import coldstart
from leadlists.services import run_sweep

logger = Logger()


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    return run_sweep.sweep()


coldstart.end_init()
