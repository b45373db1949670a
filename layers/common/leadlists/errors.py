"""The service's error type: every non-2xx answer is one of these, mapped to the contract's body."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}


@dataclass
class ApiError(Exception):
    status: int
    code: str
    message: str
    details: list[FieldError] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.status} {self.code}: {self.message}"


def bad_request(message: str, details: list[FieldError] | None = None) -> ApiError:
    return ApiError(400, "BAD_REQUEST", message, details or [])


def unauthorized(message: str = "Not authenticated") -> ApiError:
    return ApiError(401, "UNAUTHORIZED", message)


def forbidden(message: str = "Forbidden") -> ApiError:
    return ApiError(403, "FORBIDDEN", message)


def not_found(message: str = "Not found") -> ApiError:
    return ApiError(404, "NOT_FOUND", message)


def conflict(message: str) -> ApiError:
    return ApiError(409, "CONFLICT", message)


def payload_too_large(limit: int) -> ApiError:
    return ApiError(413, "PAYLOAD_TOO_LARGE", f"Request body exceeds {limit} bytes")
