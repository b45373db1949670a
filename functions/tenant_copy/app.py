"""SQS consumer of tenant-copy chunks: writes a refresh's matched persons into the tenant's own
records, 100 a message. Reports failures per record."""

from leadlists.consumer import Step, handler
from leadlists.models.run_messages import CopyMessage
from leadlists.services import coordinator, copy_consumer

lambda_handler = handler({CopyMessage: Step(copy_consumer.step, coordinator.give_up)})
