"""How long a synchronous request may still work: the Lambda's remaining time, less what it
needs to answer. Work that would run past it hands over to the queue instead of timing out."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

# Kept free for the answer and the hand-over itself (a conditional update and a queue send).
RESERVE_MS = 3000


class OutOfTime(Exception):
    """The work would outlive the request; the caller hands it over to the queue."""


class Deadline(NamedTuple):  # not a dataclass: cheaper to define at a cold start
    remaining_ms: Callable[[], int]

    @classmethod
    def of(cls, context: Any) -> Deadline | None:
        """The deadline of a Lambda context (None when there is none, e.g. a direct call)."""
        remaining = getattr(context, "get_remaining_time_in_millis", None)
        return cls(remaining) if callable(remaining) else None

    def check(self, needed_ms: float = 0) -> None:
        """Raise OutOfTime unless `needed_ms` more work still fits before the reserve."""
        if self.remaining_ms() - needed_ms < RESERVE_MS:
            raise OutOfTime
