"""SQS consumer of the catalog bucket's S3 notifications: checks each new `incoming/` file whole
and queues its chunks (or writes its report when it is refused). Reports failures per record."""

from leadlists.notifications import handler
from leadlists.services import catalog_ingest

lambda_handler = handler(catalog_ingest.start)
