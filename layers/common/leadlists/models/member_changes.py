"""The requests that add or remove a lead list's members by id, and their counted answers."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from leadlists.models.common import MAX_IDS, OrgId, UuidStr

Ids = Annotated[list[UuidStr], Field(min_length=1, max_length=MAX_IDS)]


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


class AddedCount(BaseModel):
    addedCount: int


class RemovedCount(BaseModel):
    removedCount: int
