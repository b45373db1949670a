"""DynamoDB stream consumer of the global catalog: applies each changed or deleted person to the
auto-updated lists whose answer changed (live lists). Reports failures per record."""

from leadlists import coldstart
from leadlists.services.live_stream import lambda_handler

__all__ = ["lambda_handler"]

coldstart.end_init()
