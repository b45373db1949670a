"""The filter model: values inside a field are OR-ed, fields are AND-ed, `exclude_*` negate."""

from typing import Annotated, Any, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    WithJsonSchema,
    model_validator,
)

from leadlists.errors import FieldError, Invalid
from leadlists.filters.facets import EXACT_FIELDS
from leadlists.models.common import integer, parse_uuid, present, strict, trimmed

MAX_VALUES = 100
Year = Annotated[int, *integer(ge=1000, le=9999)]
Value = Annotated[str, *trimmed(200)]
Values = Annotated[list[Value], Field(min_length=1, max_length=MAX_VALUES)]
# Checked (with the field's name in the message) by Filter._normalize; the schema says so too.
CompanyId = Annotated[Value, WithJsonSchema({"type": "string", "format": "uuid"})]
CompanyIds = Annotated[list[CompanyId], Field(min_length=1, max_length=MAX_VALUES)]

# Matched by words (job titles) or substrings (keywords) rather than whole values.
TEXT_FIELDS = ("job_titles", "keywords")
LIST_FIELDS = (*EXACT_FIELDS, *TEXT_FIELDS)


class YearRange(BaseModel):
    model_config = strict(present("min"), present("max"))

    min: Year | None = None
    max: Year | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.min is None and self.max is None:
            raise ValueError("founded_year needs min or max")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("founded_year.min must not exceed founded_year.max")
        return self


class Filter(BaseModel):
    """A validated, normalized filter. `model_dump(exclude_none=True)` is its `usedFilter` form."""

    model_config = ConfigDict(extra="forbid", strict=True)

    industries: Values | None = None
    job_titles: Values | None = None
    seniorities: Values | None = None
    departments: Values | None = None
    countries: Values | None = None
    cities: Values | None = None
    company_sizes: Values | None = None
    revenues: Values | None = None
    domains: Values | None = None
    company_ids: CompanyIds | None = None
    keywords: Values | None = None
    exclude_industries: Values | None = None
    exclude_job_titles: Values | None = None
    exclude_seniorities: Values | None = None
    exclude_departments: Values | None = None
    exclude_countries: Values | None = None
    exclude_cities: Values | None = None
    exclude_company_sizes: Values | None = None
    exclude_revenues: Values | None = None
    exclude_domains: Values | None = None
    exclude_company_ids: CompanyIds | None = None
    exclude_keywords: Values | None = None
    founded_year: YearRange | None = None

    @model_validator(mode="after")
    def _normalize(self) -> Self:
        for name in type(self).model_fields:
            values = getattr(self, name)
            if isinstance(values, list):
                if name.endswith(("domains",)):
                    values = [v.lower().removeprefix("www.") for v in values]
                if name.endswith("company_ids"):
                    values = [_company_id(v) for v in values]
                setattr(self, name, _dedupe(values))
        if not self.model_dump(exclude_none=True):
            raise ValueError("filter must have at least one criterion")
        return self

    def used(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True)


def _company_id(value: str) -> str:
    canonical = parse_uuid(value)
    if canonical is None:
        raise ValueError(f"company id {value!r} is not a UUID")
    return canonical


def _dedupe(values: list[str]) -> list[str]:
    """Drop case-insensitive repeats, keeping the first spelling and the order given."""
    seen: set[str] = set()
    out: list[str] = []
    for value in values:
        key = value.casefold()
        if key not in seen:
            seen.add(key)
            out.append(value)
    return out


def parse_filter(raw: Any, prefix: str = "filter") -> Filter:
    """Validate a client's filter, raising the contract's 400 with one detail per bad field."""
    if not isinstance(raw, dict):
        raise Invalid("Invalid filter", [FieldError(prefix, "must be an object")])
    try:
        return Filter.model_validate(raw)
    except ValidationError as exc:
        raise Invalid("Invalid filter", field_errors(exc, prefix)) from None


def field_errors(exc: ValidationError, prefix: str = "") -> list[FieldError]:
    out = []
    for err in exc.errors(include_url=False):
        loc = ".".join(str(p) for p in err["loc"])
        path = ".".join(p for p in (prefix, loc) if p)
        message = "Unknown field" if err["type"] == "extra_forbidden" else err["msg"]
        out.append(FieldError(path or prefix, message.removeprefix("Value error, ")))
    return out
