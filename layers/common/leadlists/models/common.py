"""Field types shared by the request models."""

from __future__ import annotations

import uuid
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints

MAX_PAGE = 100
DEFAULT_PAGE = 50
MAX_IDS = 1000


def _uuid(value: str) -> str:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise ValueError("Invalid UUID") from None


UuidStr = Annotated[str, StringConstraints(max_length=64), AfterValidator(_uuid)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
PageLimit = Annotated[int, Field(ge=1, le=MAX_PAGE)]
