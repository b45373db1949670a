"""The lead list object (seeds: leadlists-add-companies/-add-prospects) and a page of its
members, both carrying company or person records."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, Field

from leadlists.models.common import integer
from leadlists.models.lead_list_summaries import LeadListSummary
from leadlists.models.records import Company, Person

# Members one answer holds: at most this many, and at most this many bytes of member records
# (a record may be large: catalog fields have no length cap), so an answer stays far below
# Lambda's 6 MB whatever the members hold.
MAX_MEMBERS_SHOWN = 1000
DEFAULT_MEMBERS_PAGE = 100
MAX_MEMBER_BYTES = 4_000_000
MemberLimit = Annotated[int, *integer(ge=1, le=MAX_MEMBERS_SHOWN)]
_CAPPED = (
    f"At most {MAX_MEMBERS_SHOWN:,} members in member sort order, and fewer when their records "
    f"would pass {MAX_MEMBER_BYTES:,} bytes of JSON; `membersNextToken` continues."
)
_MemberIds = Annotated[
    list[str], Field(max_length=MAX_MEMBERS_SHOWN, description=f"Member ids. {_CAPPED}")
]


def _absent(value: Any) -> bool:
    return value is None


class LeadList(LeadListSummary):
    """The seed's lead list object; `companies` / `persons` appear only when populated. The id
    arrays and records hold the first page of members; `membersNextToken` (null when that page
    is all of them) continues on `GET /api/v1/entities/leadlists/{id}/members`."""

    personIds: _MemberIds
    companyIds: _MemberIds
    companies: Annotated[list[Company], Field(max_length=MAX_MEMBERS_SHOWN)] | None = Field(
        default=None, exclude_if=_absent, description=_CAPPED
    )
    persons: Annotated[list[Person], Field(max_length=MAX_MEMBERS_SHOWN)] | None = Field(
        default=None, exclude_if=_absent, description=_CAPPED
    )
    membersNextToken: str | None = Field(
        description="Where the members shown stop (null: they are all of them)"
    )


class MemberPage(BaseModel):
    """A page of a lead list's members: company objects for a company list, persons for a
    person list, from the organization's copies."""

    items: list[Company | Person] = Field(
        max_length=MAX_MEMBERS_SHOWN,
        description=f"At most `limit` members, and fewer when their records would pass "
        f"{MAX_MEMBER_BYTES:,} bytes of JSON",
    )
    nextToken: str | None = Field(description="Continues the paging (null: no more members)")
