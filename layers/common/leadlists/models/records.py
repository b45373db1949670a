"""The company and person objects the API answers with (catalog records and tenant copies), and
their attributes once, for every model that checks the same objects more strictly (catalog import
rows, prospects supplied to a lead list)."""

from __future__ import annotations

from typing import Any, Generic

from pydantic import BaseModel, Field
from typing_extensions import TypeVar

# How a model checks each kind of attribute: constraints in input (parameters), plain types in
# answers (the defaults). `Company` and `Person` are the answer models themselves, unparametrized:
# a parametrized pydantic class, or even a subclass, costs more to create than none, and every
# function answering records creates them.
Text = TypeVar("Text", default=str)
Ref = TypeVar("Ref", default=str)  # an id: the record's own and a person's companyId
Year = TypeVar("Year", default=int)
Phones = TypeVar("Phones", default=list[str])


def _no_phones() -> Any:
    """An empty list of whichever phone list type the model checks (hence Any)."""
    return []


class Company(BaseModel, Generic[Text, Ref, Year, Phones]):
    """The seed's company object. Extra attributes of a stored record are dropped."""

    # The contract's company attributes, in the contract's order.

    id: Ref
    name: Text | None = None
    description: Text | None = None
    summary: Text | None = None
    domain: Text | None = None
    industry: Text | None = None
    headcount: Text | None = None
    revenue: Text | None = None
    foundedYear: Year | None = None
    city: Text | None = None
    country: Text | None = None
    postalCode: Text | None = None
    linkedinUrl: Text | None = None
    websiteUrl: Text | None = None
    logoUrl: Text | None = None
    phones: Phones = Field(default_factory=_no_phones)


class Person(BaseModel, Generic[Text, Ref, Phones]):
    """The contract's person object. Extra attributes of a stored record are dropped."""

    # The contract's person attributes, in the contract's order.

    id: Ref
    firstName: Text | None = None
    lastName: Text | None = None
    fullName: Text | None = None
    title: Text | None = None
    seniority: Text | None = None
    department: Text | None = None
    email: Text | None = None
    phones: Phones = Field(default_factory=_no_phones)
    linkedinUrl: Text | None = None
    city: Text | None = None
    country: Text | None = None
    companyId: Ref | None = None
    companyName: Text | None = None
    companyDomain: Text | None = None
    industry: Text | None = None


# The attributes, for the models that check them more strictly: `CompanyFields[Text, ...]`.
CompanyFields = Company
PersonFields = Person
