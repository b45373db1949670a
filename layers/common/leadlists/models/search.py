"""Search requests over the global catalog, and the 202 of one beyond the synchronous budget
(its pages: `search_pages`)."""

from typing import Annotated, Literal, Self

from pydantic import BaseModel, StringConstraints, model_validator

from leadlists.filters.companies import CompanyFilter
from leadlists.filters.size import StoredFilter, stored
from leadlists.models.common import OrgId, present, strict
from leadlists.models.search_pages import DEFAULT_SEARCH_PAGE, PageSize


class SearchRequest(BaseModel):
    """A new search (`filter`), or the next page of one (`nextToken`, filter optional)."""

    model_config = strict(present("filter"), present("nextToken"))

    filter: StoredFilter | None = None
    pageSize: PageSize = DEFAULT_SEARCH_PAGE
    nextToken: Annotated[str, StringConstraints(min_length=1, max_length=2048)] | None = None
    organizationId: OrgId | None = None

    @model_validator(mode="after")
    def _filter_or_token(self) -> Self:
        if self.filter is None and self.nextToken is None:
            raise ValueError("Give a filter, or the nextToken of an earlier page")
        return self


class CompanySearchRequest(SearchRequest):
    """A search of companies: its filter has no person-only fields."""

    filter: stored(CompanyFilter) | None = None  # type: ignore[valid-type]


class SearchStarted(BaseModel):
    """202: the catalog is beyond the synchronous budget; GET the search for its pages."""

    searchId: str
    status: Literal["running"] = "running"
