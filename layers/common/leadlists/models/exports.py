"""The answers of the export routes of saved lists and lead lists."""

from __future__ import annotations

from enum import StrEnum

from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from pydantic import BaseModel, SerializerFunctionWrapHandler, model_serializer

from leadlists.models.common import json_answers
from leadlists.status import ExportStatus


class SourceKind(StrEnum):
    """Which kind of list an export belongs to (stored on the export record)."""

    SAVED_LIST = "list"
    LEAD_LIST = "leadlist"


class ExportResult(BaseModel):
    """An export written within the request: a time-limited download link to the CSV."""

    url: str
    expiresAt: str
    rows: int


class ExportStarted(BaseModel):
    """An export too large for the request, written in the background (202)."""

    exportId: str
    status: ExportStatus


class ExportState(BaseModel):
    """A background export: `url` (fresh each read), `expiresAt` and `rows` once complete,
    `error` once failed."""

    exportId: str
    status: ExportStatus
    url: str | None = None
    expiresAt: str | None = None
    rows: int | None = None
    error: str | None = None

    @model_serializer(mode="wrap")
    def _only_set(self, to_dict: SerializerFunctionWrapHandler):  # type: ignore[no-untyped-def]
        """Only the fields of its status: no `url` while running, no `error` once complete.
        Unannotated on purpose: a return annotation would replace the fields in the schema."""
        return {k: v for k, v in to_dict(self).items() if v is not None}


# The OpenAPI answers of an export route (saved list or lead list).
EXPORT_RESPONSES: dict[int, OpenAPIResponse] = json_answers(
    {
        200: ("Written within the request: a time-limited download link", ExportResult),
        202: (
            "Too large for the request: written in the background; poll its status",
            ExportStarted,
        ),
    }
)
