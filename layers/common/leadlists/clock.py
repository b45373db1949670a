"""Timestamps and ids in the contract's formats."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime


def now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    """ISO 8601 UTC with milliseconds: 2024-01-02T10:30:00.000Z."""
    # isoformat, unlike strftime's %Y, pads years below 1000 to four digits.
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def now_iso() -> str:
    return iso(now())


def new_id() -> str:
    return str(uuid.uuid4())
