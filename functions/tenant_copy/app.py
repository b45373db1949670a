"""SQS consumer of tenant-copy chunks: writes a refresh's matched persons into the tenant's own
records, 100 a message. Reports failures per record."""

from leadlists import consumer
from leadlists.models.messages import CopyMessage
from leadlists.services import copy_consumer

lambda_handler = consumer.handler({CopyMessage: copy_consumer.step})
