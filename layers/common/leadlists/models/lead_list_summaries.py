"""A lead list as a listing shows it, and the listing's page (no member ids, no records)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class LeadListSummary(BaseModel):
    """A lead list in a listing: its fields and exact member count, no member ids."""

    id: str = Field(description="The lead list's id (a UUID)")
    icpId: str | None = Field(description="The ideal customer profile it targets, or null")
    name: str
    type: Literal["company", "person"] = Field(description="What its members are")
    startDate: str = Field(description="ISO 8601 UTC with milliseconds")
    endDate: str = Field(description="ISO 8601 UTC with milliseconds, not before startDate")
    userIds: list[str] = Field(description="Who may use it besides admins; the owner included")
    ownerId: str | None = Field(
        default=None,
        description="Its creator, who with admins alone may change `userIds` or delete it "
        "(null for lists created before owners existed: admins only)",
    )
    createdAt: str
    updatedAt: str
    memberCount: int = Field(ge=0, description="Exact number of members (companies or persons)")


class LeadListPage(BaseModel):
    leadLists: list[LeadListSummary]
    nextToken: str | None = None
