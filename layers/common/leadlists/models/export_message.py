"""The export queue's message."""

from typing import Literal

from leadlists.models.message_base import Id, QueueMessage


class ExportMessage(QueueMessage):
    """Write one background export's CSV (export queue); the export record says of which list."""

    type: Literal["export"] = "export"
    organizationId: Id
    exportId: Id
