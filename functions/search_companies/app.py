"""POST /api/v1/search/companies: search the catalog's companies (a searchId lasts 24 hours)."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body

from leadlists.api import create_app, current_caller, handler
from leadlists.models.search import CompanySearchPage, CompanySearchRequest
from leadlists.services import search

app = create_app()


@app.post("/api/v1/search/companies", summary="Search companies")
def search_companies(body: Annotated[CompanySearchRequest, Body()]) -> CompanySearchPage:
    return search.companies(current_caller(app), body)


lambda_handler = handler(app)
