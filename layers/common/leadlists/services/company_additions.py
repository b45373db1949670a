"""Adding catalog companies to a company lead list by id."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from leadlists.errors import FieldError, Invalid
from leadlists.models.lead_list_objects import LeadList
from leadlists.models.member_changes import AddCompaniesRequest, AddedCount
from leadlists.repositories import keys
from leadlists.repositories import lead_lists as repo
from leadlists.services import lead_lists, tenant_copy
from leadlists.services.lead_list_access import load, require_type
from leadlists.services.lead_list_additions import add_members

if TYPE_CHECKING:
    from leadlists.auth import Caller


class AddCompaniesResult(NamedTuple):
    """The seed answers the full list (or `{"addedCount": 0}`); `added` also travels in a header."""

    added: int
    body: LeadList | AddedCount


def add_companies(caller: Caller, raw_id: str, request: AddCompaniesRequest) -> AddCompaniesResult:
    caller.require_own_org(request.organizationId)
    record = load(caller, raw_id)
    require_type(record, keys.COMPANY)
    found, missing = tenant_copy.load(keys.COMPANY, request.companyIds)
    if missing:
        unknown = set(missing)
        details = [
            FieldError(f"companyIds.{n}", "Company not found")
            for n, company_id in enumerate(request.companyIds)
            if company_id in unknown
        ]
        raise Invalid("Unknown company ids; nothing was added", details)
    added = add_members(caller.org_id, record, keys.COMPANY, found)
    if not added:
        return AddCompaniesResult(0, AddedCount(addedCount=0))
    # Read back for the exact memberCount, which concurrent requests may have moved too.
    record = repo.require(caller.org_id, record["id"])
    return AddCompaniesResult(len(added), lead_lists.populated(caller.org_id, record, known=found))
