"""SQS consumer of refresh requests: computes a list inline within the synchronous budget, or
coordinates its fan-out over scan segments beyond it. Reports failures per record."""

from leadlists.consumer import Step, handler
from leadlists.models.run_messages import RefreshMessage, SharedPassMessage
from leadlists.services import coordinator, refresh_requests, shared_pass

lambda_handler = handler(
    {
        RefreshMessage: Step(refresh_requests.step, coordinator.give_up),
        SharedPassMessage: Step(shared_pass.step, shared_pass.give_up),
    }
)
