"""SQS consumer of refresh segments: evaluates one scan segment per message, and completes a run
on its "finalize" message. Reports failures per record."""

from leadlists import consumer
from leadlists.models.messages import FinalizeMessage, SegmentMessage
from leadlists.services import finalizer, segment_worker

lambda_handler = consumer.handler(
    {SegmentMessage: segment_worker.step, FinalizeMessage: finalizer.step}
)
