"""A catalog search's pages of results, and its state (what GET /api/v1/search/{searchId} reads
without the request models and their filters)."""

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from leadlists.models.common import MAX_PAGE, integer
from leadlists.models.records import Company, Person

DEFAULT_SEARCH_PAGE = 25
PageSize = Annotated[int, *integer(ge=1, le=MAX_PAGE)]


class _SearchPage(BaseModel):
    searchId: str
    status: Literal["complete"] = "complete"
    total: int
    nextToken: str | None = None


class PersonSearchPage(_SearchPage):
    results: list[Person]


class CompanySearchPage(_SearchPage):
    results: list[Company]


SearchKind = Literal["prospects", "companies"]


class SearchState(BaseModel):
    """GET /api/v1/search/{searchId}: the search's status and, once complete, a page of it."""

    searchId: str
    status: Literal["running", "complete", "failed"]
    kind: SearchKind
    total: int | None = None
    results: list[Person] | list[Company] = Field(default_factory=list)
    nextToken: str | None = None
