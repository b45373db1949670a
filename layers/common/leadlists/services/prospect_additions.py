"""Adding persons to a person lead list: supplied directly, or picked by a search's selection."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from leadlists.models.prospect_additions import (
    AddedProspects,
    AddProspectsRequest,
    PersonInput,
    SelectionAdded,
)
from leadlists.repositories import keys
from leadlists.services import search_selection, tenant_copy
from leadlists.services.lead_list_access import load, require_type
from leadlists.services.lead_list_additions import add_members

if TYPE_CHECKING:
    from leadlists.auth import Caller


def add_prospects(
    caller: Caller, raw_id: str, request: AddProspectsRequest
) -> AddedProspects | SelectionAdded:
    """Direct-mode data never rewrites a person the organization already holds: that copy may
    show in lists the caller cannot see. Those ids are added, and named in `ignoredIds` (ids the
    catalog knows are copied from the catalog, as ever: no supplied data is used for them). A
    `selectAll` selection answers where the next one continues (`nextOffset`)."""
    caller.require_own_org(request.organizationId)
    record = load(caller, raw_id)
    require_type(record, keys.PERSON)
    if request.persons is not None:
        records = _direct(request.persons)
        supplied = [i for i, r in records.items() if r.get("tenantOnly")]
        held = tenant_copy.held(caller.org_id, keys.PERSON, supplied)
        added = add_members(caller.org_id, record, keys.PERSON, records, keep=held)
        ignored = [i for i in records if i in held]
        return AddedProspects(addedCount=len(added), ignoredIds=ignored or None)
    elif request.selection is None:  # the model guarantees exactly one mode
        raise TypeError("add-prospects needs persons or a selection")
    else:
        picked = search_selection.resolve_selection(caller.org_id, request.selection)
        # A result that has left the catalog since the search cannot be copied: it is skipped.
        records, _ = tenant_copy.load(keys.PERSON, picked.ids)
    count = len(add_members(caller.org_id, record, keys.PERSON, records))
    if picked.by_ids:
        return AddedProspects(addedCount=count)
    return SelectionAdded(addedCount=count, nextOffset=picked.next_offset)


def _direct(persons: list[PersonInput]) -> dict[str, dict[str, Any]]:
    """Direct mode: the catalog's record wins for ids it knows; an unknown id is stored as
    supplied, as a tenant-only prospect. A repeated id counts once (its first object)."""
    supplied: dict[str, PersonInput] = {}
    for person in persons:
        supplied.setdefault(person.id, person)
    found, _ = tenant_copy.load(keys.PERSON, supplied)
    return {
        i: found.get(i) or {**person.model_dump(exclude_none=True), "tenantOnly": True}
        for i, person in supplied.items()
    }
