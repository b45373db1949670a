"""SQS consumer of refresh requests: computes a list inline within the synchronous budget, or
coordinates its fan-out over scan segments beyond it. Reports failures per record."""

from leadlists.consumer import Step, handler
from leadlists.models.messages import RefreshMessage
from leadlists.services import coordinator, refresh_requests

lambda_handler = handler({RefreshMessage: Step(refresh_requests.step, coordinator.give_up)})
