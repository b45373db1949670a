"""The cleanup queue's message: what a deleted list leaves behind."""

from typing import Literal

from pydantic import Field

from leadlists.models.message_base import Id, ListKind, QueueMessage


class DeleteListMessage(QueueMessage):
    """Remove what a deleted saved or lead list leaves behind (cleanup queue): its member items,
    the tenant copies no list uses any more, a saved list's refresh runs and exports. A
    continuation of an unfinished cleanup is the same message again."""

    type: Literal["delete_list"] = "delete_list"
    organizationId: Id
    listId: Id
    listKind: ListKind
    runIds: list[Id] = Field(default_factory=list)
