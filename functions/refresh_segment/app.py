"""SQS consumer of refresh segments: evaluates one scan segment per message, and completes a run
on its "finalize" message. Reports failures per record."""

from leadlists.consumer import Step, handler
from leadlists.models.messages import FinalizeMessage, SegmentMessage
from leadlists.services import coordinator, finalizer, segment_worker

lambda_handler = handler(
    {
        SegmentMessage: Step(segment_worker.step, coordinator.give_up),
        FinalizeMessage: Step(finalizer.step, coordinator.give_up),
    }
)
