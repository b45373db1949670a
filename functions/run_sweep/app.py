"""EventBridge schedule: fails every refresh run that stopped making progress."""

from typing import Any

from leadlists import coldstart
from leadlists.services import run_sweep

# The service's logger: importing Powertools here, before the layer, would import its whole
# top-level package (Metrics and Tracer too, see leadlists.coldstart).
logger = run_sweep.logger


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    return run_sweep.sweep()


coldstart.end_init()
