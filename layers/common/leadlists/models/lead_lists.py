"""A selection of a prospect search's results, which `prospect_additions` adds to a lead list and
searches resolve. Adding or removing members by id: `member_changes`; the lead list object:
`lead_list_objects`; its create and update requests: `lead_list_edits`."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, Field, model_validator

from leadlists.models.common import MAX_IDS, UuidStr, absent, integer, present, strict

# A selection may exclude more ids than it may add: the excluded ones are mostly not added.
MAX_EXCLUDED = 10_000
# A selection adds at most MAX_IDS prospects; a bigger search is taken MAX_IDS at a time, each
# call's `offset` the previous answer's `nextOffset`.
SelectionLimit = Annotated[int, *integer(ge=1, le=MAX_IDS)]
MAX_OFFSET = 10_000_000
SelectionOffset = Annotated[int, *integer(ge=0, le=MAX_OFFSET)]
Ids = Annotated[list[UuidStr], Field(min_length=1, max_length=MAX_IDS)]

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
