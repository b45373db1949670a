"""SQS consumer of refresh segments: evaluates one scan segment per message, completes a run on
its "finalize" message, and evaluates one scan segment of a search beyond the synchronous budget.
Reports failures per record."""

from leadlists.consumer import Step, handler
from leadlists.models.run_messages import (
    FinalizeMessage,
    PassSegmentMessage,
    SearchSegmentMessage,
    SegmentMessage,
)
from leadlists.services import coordinator, finalizer, search_fanout, segment_worker, shared_pass

lambda_handler = handler(
    {
        SegmentMessage: Step(segment_worker.step, coordinator.give_up),
        FinalizeMessage: Step(finalizer.step, coordinator.give_up),
        SearchSegmentMessage: Step(search_fanout.step, search_fanout.give_up),
        PassSegmentMessage: Step(shared_pass.segment_step, shared_pass.give_up),
    }
)
