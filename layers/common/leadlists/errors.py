"""Domain errors: what a request broke, with no HTTP in them.

Repositories and services raise these; `api.py` maps each kind to the contract's status, code and
error body, in one place.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple


class FieldError(NamedTuple):
    """A field and what is wrong with it. (A NamedTuple: every function imports this module,
    and a dataclass costs several times as much to define.)"""

    field: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}


class DomainError(Exception):
    """Base of every error a client can cause; `details` name the offending fields."""

    default_message = "Invalid request"

    def __init__(self, message: str | None = None, details: Sequence[FieldError] = ()) -> None:
        self.message = message or self.default_message
        self.details = list(details)
        super().__init__(self.message)


class Invalid(DomainError):
    """The request breaks a rule: malformed, a limit exceeded, an unknown id, a wrong list type."""


class Unauthorized(DomainError):
    default_message = "Not authenticated"


class RateLimited(DomainError):
    """The caller used up its requests for the current minute."""

    default_message = "Rate limit exceeded"


class Forbidden(DomainError):
    default_message = "Forbidden"


class NotFound(DomainError):
    default_message = "Not found"


class Conflict(DomainError):
    """A write lost a race (stale version, name taken, contended list): reload and retry."""

    default_message = "Conflict"


class IdempotencyKeyReused(Conflict):
    """An Idempotency-Key already used with another request body within its 24 hours."""


class Unavailable(DomainError):
    """A step the request needs failed for now (e.g. queueing its work); nothing was changed and
    the same request can be retried."""

    default_message = "Temporarily unavailable; nothing was changed, retry the request"


class PayloadTooLarge(DomainError):
    def __init__(self, limit: int) -> None:
        super().__init__(f"Request body exceeds {limit} bytes")
