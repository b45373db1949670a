"""The requests that create a lead list or change its fields."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from leadlists.models.common import (
    OMIT_NOT_NULL,
    Name,
    OrgId,
    Timestamp,
    UuidStr,
    strict,
    trimmed,
)

MAX_USERS = 100
UserId = Annotated[str, *trimmed(200)]


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
