"""Search requests over the global catalog and their pages of results."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints, model_validator

from leadlists.filters.companies import CompanyFilter
from leadlists.filters.size import StoredFilter, stored
from leadlists.models.common import MAX_PAGE, OrgId, integer, present, strict
from leadlists.models.records import Company, Person

DEFAULT_SEARCH_PAGE = 25
PageSize = Annotated[int, *integer(ge=1, le=MAX_PAGE)]


class SearchRequest(BaseModel):
    """A new search (`filter`), or the next page of one (`nextToken`, filter optional)."""

    model_config = strict(present("filter"), present("nextToken"))

    filter: StoredFilter | None = None
    pageSize: PageSize = DEFAULT_SEARCH_PAGE
    nextToken: Annotated[str, StringConstraints(min_length=1, max_length=2048)] | None = None
    organizationId: OrgId | None = None

    @model_validator(mode="after")
    def _filter_or_token(self) -> SearchRequest:
        if self.filter is None and self.nextToken is None:
            raise ValueError("Give a filter, or the nextToken of an earlier page")
        return self


class CompanySearchRequest(SearchRequest):
    """A search of companies: its filter has no person-only fields."""

    filter: stored(CompanyFilter) | None = None  # type: ignore[valid-type]


class _SearchPage(BaseModel):
    searchId: str
    status: Literal["complete"] = "complete"
    total: int
    nextToken: str | None = None


class PersonSearchPage(_SearchPage):
    results: list[Person]


class CompanySearchPage(_SearchPage):
    results: list[Company]


class SearchStarted(BaseModel):
    """202: the catalog is beyond the synchronous budget; GET the search for its pages."""

    searchId: str
    status: Literal["running"] = "running"


SearchKind = Literal["prospects", "companies"]


class SearchState(BaseModel):
    """GET /api/v1/search/{searchId}: the search's status and, once complete, a page of it."""

    searchId: str
    status: Literal["running", "complete", "failed"]
    kind: SearchKind
    total: int | None = None
    results: list[Person] | list[Company] = Field(default_factory=list)
    nextToken: str | None = None
