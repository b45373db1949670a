"""Saved list requests and the list object."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from leadlists.filters.size import StoredFilter
from leadlists.models.common import Name, UuidStr, integer
from leadlists.models.records import Person
from leadlists.status import RefreshStatus

ContactsFound = Annotated[int, *integer(ge=0, le=100_000_000)]
MaxContacts = Annotated[int, *integer(ge=1, le=100_000)]
Version = Annotated[int, *integer(ge=1)]

Text = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class Integration(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    type: Text
    id: Text
    name: Text


class SaveListRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    organizationId: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    listName: Name
    contacts_found: ContactsFound
    filter: StoredFilter
    id: UuidStr | None = None
    autoUpdate: bool | None = None
    maxContacts: MaxContacts | None = None
    connectedIntegration: Integration | None = None
    version: Version | None = None


class RefreshRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    organizationId: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None


RefreshPhase = Literal["matching", "copying", "finalizing"]


class PhaseProgress(BaseModel):
    done: int
    total: Annotated[int | None, Field(description="null while not yet known")]


class RefreshProgress(BaseModel):
    """Where a queued or running refresh is: `matching` (scan segments), `copying` (tenant
    copies, whose total grows until matching is done), then `finalizing` (the merge)."""

    phase: RefreshPhase
    matching: PhaseProgress
    copying: PhaseProgress
    finalizing: PhaseProgress
    segmentsDone: Annotated[int, Field(description="matching.done (older clients)")]
    segmentsTotal: Annotated[int | None, Field(description="matching.total (older clients)")]


class SavedList(BaseModel):
    id: str
    name: str
    organizationId: str
    usedFilter: dict[str, Any]
    contactsNum: int
    matchedContactsNum: int | None = None
    autoUpdateStatus: Literal["enabled", "disabled"]
    lastSyncedTime: str | None = None
    connectedIntegration: Integration | None = None
    refreshStatus: RefreshStatus
    refreshError: str | None = None
    refreshProgress: RefreshProgress | None = None
    maxContacts: int | None = None
    createdBy: Annotated[
        str | None,
        Field(description="The user who created it: they and admins update and delete it"),
    ] = None
    lastChangeAppliedAt: str | None = None
    createdAt: str
    updatedAt: str
    version: int


# A member of a saved list is the tenant's copy of a catalog person: the contract's person object.
Contact = Person


class ContactPage(BaseModel):
    contacts: list[Contact]
    nextToken: str | None = None
