"""The stored size of a filter, checked before any work.

A saved list stores its `usedFilter` in its item and a search stores its filter in its head item;
DynamoDB refuses items over 400 KB, and a filter may reach ~440 KB within the per-field limits.
A documented cap well below the item limit turns that into a 400 naming the filter.
"""

import json
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, Field

from leadlists.filters.model import Filter

MAX_FILTER_BYTES = 64 * 1024
_DESCRIPTION = (
    f"The filter; its normalized JSON form (usedFilter) may take at most {MAX_FILTER_BYTES} "
    "bytes in UTF-8."
)

F = TypeVar("F", bound=Filter)


def stored_bytes(flt: Filter) -> int:
    return len(json.dumps(flt.used(), separators=(",", ":"), ensure_ascii=False).encode())


def fits(flt: F) -> F:
    size = stored_bytes(flt)
    if size > MAX_FILTER_BYTES:
        raise ValueError(f"The filter takes {size} bytes stored; at most {MAX_FILTER_BYTES}")
    return flt


def stored(model: type[Filter]) -> Any:
    """`model` (a filter type) refused when its stored form passes the cap."""
    return Annotated[model, AfterValidator(fits), Field(description=_DESCRIPTION)]


StoredFilter = stored(Filter)
