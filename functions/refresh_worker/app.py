"""SQS consumer of refresh requests: computes a list inline within the synchronous budget, or
coordinates its fan-out over scan segments beyond it. Reports failures per record."""

from leadlists import consumer
from leadlists.models.messages import RefreshMessage
from leadlists.services import refresh_requests

lambda_handler = consumer.handler({RefreshMessage: refresh_requests.step})
