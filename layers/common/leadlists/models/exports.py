"""The answers of the export routes of saved lists and lead lists."""

from __future__ import annotations

from pydantic import BaseModel

from leadlists.status import ExportStatus


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


# The OpenAPI answers of an export route (saved list or lead list).
EXPORT_RESPONSES: dict[int, dict] = {
    200: {
        "description": "Written within the request: a time-limited download link",
        "content": {"application/json": {"model": ExportResult}},
    },
    202: {
        "description": "Too large for the request: written in the background; poll its status",
        "content": {"application/json": {"model": ExportStarted}},
    },
}
