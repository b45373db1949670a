"""The answers of the export routes of saved lists and lead lists."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from leadlists.models.common import json_answers
from leadlists.status import ExportStatus

if TYPE_CHECKING:  # a type only: the OpenAPI package is imported by routes, not by models
    from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse


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


def _absent(value: object) -> bool:
    return value is None


class ExportState(BaseModel):
    """A background export: `url` (fresh each read), `expiresAt` and `rows` once complete,
    `error` once failed."""

    # Only the fields of its status are answered: no `url` while running, no `error` once
    # complete (a rule per field: a model serializer would import pydantic's serializer module).
    exportId: str
    status: ExportStatus
    url: str | None = Field(default=None, exclude_if=_absent)
    expiresAt: str | None = Field(default=None, exclude_if=_absent)
    rows: int | None = Field(default=None, exclude_if=_absent)
    error: str | None = Field(default=None, exclude_if=_absent)


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
