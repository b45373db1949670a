"""Deleting a saved list: gone for every reader at once, its members in the background."""

from __future__ import annotations

from leadlists.auth import Caller
from leadlists.errors import NotFound
from leadlists.repositories import filter_index, keys
from leadlists.repositories import saved_lists as repo
from leadlists.services import cleanup, webhook_events
from leadlists.services.saved_lists import require_change_right


def delete(caller: Caller, list_id: str) -> None:
    """Remove the list and its name claim (gone for every reader at once); its members, unused
    copies, runs and exports go in the background. A constant number of calls at any size."""
    record = repo.require(caller.org_id, list_id)
    require_change_right(caller, record)
    if not repo.delete(caller.org_id, list_id, record["name"]):
        raise NotFound("List not found")
    filter_index.sync(record, None)
    cleanup.schedule(caller.org_id, list_id, keys.SAVED, [record.get("refreshRunId")])
    webhook_events.publish(
        caller.org_id, "list.deleted", {"listId": list_id, "name": record["name"]}
    )
