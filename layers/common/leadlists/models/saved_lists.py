"""The saved list object, as every saved-list route answers it (requests: `saved_list_requests`;
members: `contacts`)."""

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from leadlists.status import RefreshStatus

Text = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class Integration(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    type: Text
    id: Text
    name: Text


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
