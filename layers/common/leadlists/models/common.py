"""Field types shared by the request models."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any

from annotated_types import Interval
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
)

from leadlists.clock import iso

if TYPE_CHECKING:  # a type only: the OpenAPI package is imported by routes, not by models
    from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse

MAX_PAGE = 100
DEFAULT_PAGE = 50
MAX_IDS = 1000
_MAX_UUID_INPUT = 64


def parse_uuid(value: str) -> str | None:
    """The canonical lowercase form of a UUID, or None for anything else. The one UUID check:
    models use it through `UuidStr`, services on path ids. The length cap comes first because
    `uuid.UUID` strips any number of `urn:`/`uuid:` prefixes."""
    if len(value) > _MAX_UUID_INPUT:
        return None
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


def _uuid(value: str) -> str:
    canonical = parse_uuid(value)
    if canonical is None:
        raise ValueError("Invalid UUID")
    return canonical


def _integral(value: Any) -> Any:
    # JSON does not tell 2 from 2.0 and JSON Schema's integer admits both; strict mode would not.
    if type(value) is float and value.is_integer():
        return int(value)
    return value


def integer(**bounds: int) -> tuple[Any, ...]:
    """The metadata of an int within `bounds` (ge, le) that also takes integral floats such as
    2.0: `Annotated[int, *integer(...)]`, an alias a type checker can read. The bounds come
    before the validator: after it, pydantic would not render them as JSON Schema."""
    return (Interval(**bounds), BeforeValidator(_integral))


UUID_SCHEMA = {"type": "string", "format": "uuid"}
UuidStr = Annotated[str, AfterValidator(_uuid), WithJsonSchema(UUID_SCHEMA)]


def trimmed(max_length: int) -> tuple[Any, ...]:
    """The metadata of a string with surrounding whitespace stripped that must keep a character
    (`Annotated[str, *trimmed(...)]`); the schema's pattern says so, since minLength alone
    would admit blanks."""
    schema = {"type": "string", "minLength": 1, "maxLength": max_length, "pattern": r"\S"}
    return (
        StringConstraints(strip_whitespace=True, min_length=1, max_length=max_length),
        WithJsonSchema(schema),
    )


Name = Annotated[str, *trimmed(200)]
PageLimit = Annotated[int, Field(ge=1, le=MAX_PAGE)]


def _drop_null(schema: dict[str, Any]) -> None:
    options = [o for o in schema.pop("anyOf", []) if o.get("type") != "null"]
    if len(options) == 1:
        schema.update(options[0])
    elif options:
        schema["anyOf"] = options


# For `X | None = None` fields a client may omit but not send as null (a validator refuses it):
# the spec then shows X alone.
OMIT_NOT_NULL = Field(json_schema_extra=_drop_null)


def strict(*any_of: dict[str, Any]) -> ConfigDict:
    """A request model's config: unknown fields refused, no type coercion, and `any_of` (JSON
    Schema alternatives) stated in the spec for the rules its validators enforce."""
    if not any_of:
        return ConfigDict(extra="forbid", strict=True)
    return ConfigDict(extra="forbid", strict=True, json_schema_extra={"anyOf": list(any_of)})


def present(name: str) -> dict[str, Any]:
    """JSON Schema: `name` is given and not null (for rules that tie fields together)."""
    return {"required": [name], "properties": {name: {"not": {"type": "null"}}}}


def absent(*names: str) -> dict[str, Any]:
    """JSON Schema: each of `names` is omitted or null."""
    return {"properties": {name: {"type": "null"} for name in names}}


def json_answers(answers: dict[int, tuple[str, type[BaseModel]]]) -> dict[int, OpenAPIResponse]:
    """The OpenAPI answers of a route with more than one success status (200 and 202)."""
    return {
        status: {"description": text, "content": {"application/json": {"model": model}}}
        for status, (text, model) in answers.items()
    }


def _timestamp(value: str) -> str:
    """Any ISO 8601 / RFC 3339 date or date-time, normalized to UTC with milliseconds (naive
    means UTC)."""
    try:
        moment = datetime.fromisoformat(value.upper())  # RFC 3339 allows a lowercase t and z
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return iso(moment.astimezone(UTC))
    except (ValueError, OverflowError):
        raise ValueError("Invalid ISO 8601 timestamp") from None


Timestamp = Annotated[
    str,
    StringConstraints(min_length=1, max_length=64),
    AfterValidator(_timestamp),
    WithJsonSchema(
        {"type": "string", "maxLength": 64, "anyOf": [{"format": "date-time"}, {"format": "date"}]}
    ),
]
OrgId = Annotated[str, StringConstraints(min_length=1, max_length=200)]


def unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))
