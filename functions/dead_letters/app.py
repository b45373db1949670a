"""SQS consumer of the dead-letter queues of the refresh, segment, tenant-copy and export queues:
a message whose last attempt was killed (timeout, out of memory) never let its step give up, so
its run, search or export is failed here, with a reason, instead of staying `running`."""

from leadlists.dead_letters import dead_letter_handler
from leadlists.models.export_message import ExportMessage
from leadlists.models.run_messages import (
    CopyMessage,
    FinalizeMessage,
    RefreshMessage,
    SearchSegmentMessage,
    SegmentMessage,
)
from leadlists.services import coordinator, export_jobs, search_fanout

lambda_handler = dead_letter_handler(
    {
        RefreshMessage: coordinator.give_up,
        SegmentMessage: coordinator.give_up,
        FinalizeMessage: coordinator.give_up,
        CopyMessage: coordinator.give_up,
        SearchSegmentMessage: search_fanout.give_up,
        ExportMessage: export_jobs.give_up,
    }
)
