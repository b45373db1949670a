"""Deleting a lead list: at once for every reader, its members in the background."""

from __future__ import annotations

from typing import TYPE_CHECKING

from leadlists.errors import NotFound
from leadlists.repositories import keys
from leadlists.repositories import lead_lists as repo
from leadlists.services import cleanup
from leadlists.services.lead_list_access import path_id, require_owner

if TYPE_CHECKING:
    from leadlists.auth import Caller


def delete(caller: Caller, raw_id: str) -> None:
    """Remove the list item (gone for every reader at once); its member items and unused copies
    go in the background. A constant number of calls at any size."""
    record = repo.require(caller.org_id, path_id(raw_id))
    require_owner(caller, record, "delete it")
    if not repo.delete(caller.org_id, record["id"]):
        raise NotFound("Lead list not found")
    cleanup.schedule(caller.org_id, record["id"], keys.LEAD, [])
