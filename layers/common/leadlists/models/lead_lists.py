"""Lead list requests and the lead list object (seeds: leadlists-add-companies/-add-prospects)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from leadlists.models.common import (
    MAX_IDS,
    OMIT_NOT_NULL,
    Name,
    OrgId,
    Timestamp,
    UuidStr,
    absent,
    integer,
    present,
    strict,
    trimmed,
)
from leadlists.models.records import Company, Person, PersonFields

MAX_USERS = 100
# A selection may exclude more ids than it may add: the excluded ones are mostly not added.
MAX_EXCLUDED = 10_000
# A selection adds at most MAX_IDS prospects; a bigger search is taken MAX_IDS at a time, each
# call's `offset` the previous answer's `nextOffset`.
SelectionLimit = Annotated[int, *integer(ge=1, le=MAX_IDS)]
MAX_OFFSET = 10_000_000
SelectionOffset = Annotated[int, *integer(ge=0, le=MAX_OFFSET)]


UserId = Annotated[str, *trimmed(200)]
Ids = Annotated[list[UuidStr], Field(min_length=1, max_length=MAX_IDS)]
Text = Annotated[str, StringConstraints(max_length=500)]
Phones = Annotated[list[Annotated[str, StringConstraints(max_length=50)]], Field(max_length=20)]


class CreateLeadListRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    name: Name
    type: Literal["company", "person"]
    startDate: Timestamp
    endDate: Timestamp
    icpId: UuidStr | None = None
    userIds: Annotated[list[UserId], Field(max_length=MAX_USERS)] | None = None
    organizationId: OrgId | None = None


class UpdateLeadListRequest(BaseModel):
    """Only the fields given change; `icpId: null` unlinks the profile."""

    # Optional but not nullable (SkipJsonSchema keeps null out of the spec), and at least one
    # field besides organizationId: the schema states both rules the validators enforce.
    model_config = strict(
        *({"required": [name]} for name in ("name", "startDate", "endDate", "icpId", "userIds"))
    )

    name: Annotated[Name | None, OMIT_NOT_NULL] = None
    startDate: Annotated[Timestamp | None, OMIT_NOT_NULL] = None
    endDate: Annotated[Timestamp | None, OMIT_NOT_NULL] = None
    icpId: UuidStr | None = None
    userIds: Annotated[
        Annotated[list[UserId], Field(min_length=1, max_length=MAX_USERS)] | None, OMIT_NOT_NULL
    ] = None
    organizationId: OrgId | None = None

    @field_validator("name", "startDate", "endDate", "userIds")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        # Runs only for values the client sent: an explicit null cannot erase a required field.
        if value is None:
            raise ValueError("May not be null")
        return value

    @model_validator(mode="after")
    def _something(self) -> UpdateLeadListRequest:
        if not self.changes():
            raise ValueError("No field to update")
        return self

    def changes(self) -> dict[str, Any]:
        fields = self.model_fields_set - {"organizationId"}
        return {name: getattr(self, name) for name in sorted(fields)}


class AddCompaniesRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    companyIds: Ids
    organizationId: OrgId | None = None


class RemoveCompaniesRequest(AddCompaniesRequest):
    pass


class RemoveProspectsRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    personIds: Ids
    organizationId: OrgId | None = None


class PersonInput(PersonFields[Text, UuidStr, Phones]):
    """A prospect supplied in direct mode: the contract's person object, `id` required."""

    model_config = ConfigDict(extra="forbid", strict=True)


SELECT_ALL: dict[str, Any] = {"properties": {"selectAll": {"const": True}}}
NOT_SELECT_ALL: dict[str, Any] = {"properties": {"selectAll": {"not": {"const": True}}}}


class Selection(BaseModel):
    """Results of an earlier prospect search: chosen `ids`, or `selectAll` but `excludeIds`."""

    model_config = strict(
        {"allOf": [{"required": ["selectAll"], **SELECT_ALL}, absent("ids")]},
        {"allOf": [present("ids"), absent("excludeIds", "limit", "offset"), NOT_SELECT_ALL]},
    )

    searchId: UuidStr
    ids: Ids | None = None
    selectAll: bool | None = None
    excludeIds: (
        Annotated[
            list[UuidStr],
            Field(max_length=MAX_EXCLUDED, description=f"At most {MAX_EXCLUDED:,} ids"),
        ]
        | None
    ) = None
    limit: Annotated[
        SelectionLimit | None, Field(description="At most this many prospects (1-1,000)")
    ] = None
    offset: Annotated[
        SelectionOffset | None,
        Field(
            description="Skip this many of the selection's results (after excludeIds, in the "
            "search's order): the previous answer's nextOffset"
        ),
    ] = None

    @model_validator(mode="after")
    def _one_mode(self) -> Selection:
        if self.selectAll:
            if self.ids is not None:
                raise ValueError("Give either ids or selectAll, not both")
        elif self.ids is None:
            raise ValueError("Give ids, or selectAll: true")
        elif self.excludeIds is not None or self.limit is not None or self.offset is not None:
            raise ValueError("excludeIds, limit and offset apply only with selectAll")
        return self


class AddProspectsRequest(BaseModel):
    """Direct mode (`persons`) or bulk mode (`selection`), never both."""

    model_config = strict(
        {"allOf": [present("persons"), absent("selection")]},
        {"allOf": [present("selection"), absent("persons")]},
    )

    persons: Annotated[list[PersonInput], Field(min_length=1, max_length=MAX_IDS)] | None = None
    selection: Selection | None = None
    organizationId: OrgId | None = None

    @model_validator(mode="after")
    def _one_mode(self) -> AddProspectsRequest:
        if (self.persons is None) == (self.selection is None):
            raise ValueError("Give either persons or selection, not both")
        return self


def _absent(value: Any) -> bool:
    return value is None


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


class LeadListPage(BaseModel):
    leadLists: list[LeadListSummary]
    nextToken: str | None = None


class MemberPage(BaseModel):
    """A page of a lead list's members: company objects for a company list, persons for a
    person list, from the organization's copies."""

    items: list[Company | Person] = Field(
        max_length=MAX_MEMBERS_SHOWN,
        description=f"At most `limit` members, and fewer when their records would pass "
        f"{MAX_MEMBER_BYTES:,} bytes of JSON",
    )
    nextToken: str | None = Field(description="Continues the paging (null: no more members)")


class AddedCount(BaseModel):
    addedCount: int


class AddedProspects(AddedCount):
    """Direct mode also names the persons whose data was not stored: the organization already
    holds a record of them, which another list may show (it is kept as it was)."""

    ignoredIds: list[str] | None = Field(
        default=None,
        exclude_if=lambda ids: not ids,
        description="Persons already in the organization's records: added to the list, their "
        "supplied data ignored (direct mode only; absent when there are none)",
    )


class SelectionAdded(AddedCount):
    """A `selectAll` selection's answer: where the next call continues."""

    nextOffset: Annotated[
        int | None,
        Field(description="The offset of the next selection; null once the end is reached"),
    ]


class RemovedCount(BaseModel):
    removedCount: int
