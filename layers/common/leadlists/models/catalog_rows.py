"""One record of a catalog import file (CSV or JSON lines), checked strictly: the API's camelCase
attribute names, `kind` required, UUID ids, unknown names refused, `deleted: true` removes."""

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from leadlists.models.common import UuidStr, integer, trimmed
from leadlists.models.records import CompanyFields, PersonFields

Text = Annotated[str, *trimmed(10_000)]
Year = Annotated[int, *integer(ge=1000, le=9999)]
Phones = Annotated[list[Annotated[str, *trimmed(100)]], Field(max_length=50)]


class _Row(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    deleted: bool = False


class CompanyRow(_Row, CompanyFields[Text, UuidStr, Year, Phones]):
    """A company: the API's company object."""

    kind: Literal["company"]


class PersonRow(_Row, PersonFields[Text, UuidStr, Phones]):
    """A person: the API's person object plus the company facets a person carries (taken from
    its `companyId`'s company when not stated)."""

    kind: Literal["person"]
    companyDescription: Text | None = None
    headcount: Text | None = None
    revenue: Text | None = None
    foundedYear: Year | None = None


Row = CompanyRow | PersonRow
ROW_MODELS: dict[str, type[CompanyRow] | type[PersonRow]] = {
    "company": CompanyRow,
    "person": PersonRow,
}
# Every column a file may have (CSV header), in a stable order for the docs.
COLUMNS: tuple[str, ...] = tuple(
    dict.fromkeys(["kind", "id", "deleted", *CompanyRow.model_fields, *PersonRow.model_fields])
)
# Person attribute <- the company attribute it inherits when the row does not state it.
INHERITED: dict[str, str] = {
    "companyName": "name",
    "companyDomain": "domain",
    "companyDescription": "description",
    "industry": "industry",
    "headcount": "headcount",
    "revenue": "revenue",
    "foundedYear": "foundedYear",
}


class RowError(ValueError):
    """Why a record was refused, in words for the report."""


def _reason(exc: ValidationError, kind: str) -> str:
    parts = []
    for error in exc.errors(include_url=False):
        where = ".".join(str(p) for p in error["loc"]) or "record"
        if error["type"] == "extra_forbidden":
            parts.append(f"unknown field {where!r} for a {kind}")
        elif error["type"] == "missing":
            parts.append(f"{where} is required")
        elif error["type"] == "value_error":
            parts.append(f"{where}: {error['ctx']['error']}")
        else:
            parts.append(f"{where}: {error['msg']}")
    return "; ".join(parts)


def parse_row(data: Any) -> Row:
    """A record (a JSON object, or a CSV row already typed by `from_csv`) or RowError."""
    if not isinstance(data, dict):
        raise RowError("a record must be a JSON object")
    kind = data.get("kind")
    if kind is None:
        raise RowError("kind is required (company or person)")
    model = ROW_MODELS.get(kind) if isinstance(kind, str) else None
    if model is None:
        raise RowError(f"kind must be company or person, not {kind!r}")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise RowError(_reason(exc, kind)) from None


_BOOLEANS = {"true": True, "false": False}


def from_csv(cells: dict[str, str]) -> dict[str, Any]:
    """A CSV row as the JSON record it stands for: empty cells are absent, `phones` is split on
    `;`, `foundedYear` is an integer, `deleted` is true or false."""
    record: dict[str, Any] = {k: v.strip() for k, v in cells.items() if v.strip()}
    if "phones" in record:
        record["phones"] = [p for p in record["phones"].split(";") if p.strip()]
    year = record.get("foundedYear")
    if year is not None:
        if not (year.isascii() and year.isdigit()):
            raise RowError(f"foundedYear must be a whole number, not {year!r}")
        record["foundedYear"] = int(year)
    deleted = record.get("deleted")
    if deleted is not None:
        if deleted.lower() not in _BOOLEANS:
            raise RowError(f"deleted must be true or false, not {deleted!r}")
        record["deleted"] = _BOOLEANS[deleted.lower()]
    return record
