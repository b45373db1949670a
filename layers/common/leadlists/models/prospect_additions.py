"""Adding prospects to a person lead list: persons supplied directly, or a search's selection,
and the answers of each mode."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from leadlists.models.common import MAX_IDS, OrgId, UuidStr, absent, present, strict
from leadlists.models.lead_lists import Selection
from leadlists.models.member_changes import AddedCount
from leadlists.models.records import PersonFields

Text = Annotated[str, StringConstraints(max_length=500)]
Phones = Annotated[list[Annotated[str, StringConstraints(max_length=50)]], Field(max_length=20)]


class PersonInput(PersonFields[Text, UuidStr, Phones]):
    """A prospect supplied in direct mode: the contract's person object, `id` required."""

    model_config = ConfigDict(extra="forbid", strict=True)


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
