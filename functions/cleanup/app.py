"""SQS consumer of the cleanup queue: removes what a deleted list leaves behind (member items,
unused tenant copies, refresh runs, exports), resuming through continuation messages."""

from leadlists.consumer import Step, handler
from leadlists.models.cleanup_message import DeleteListMessage
from leadlists.services import cleanup

lambda_handler = handler({DeleteListMessage: Step(cleanup.run, cleanup.give_up)})
