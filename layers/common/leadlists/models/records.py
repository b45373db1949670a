"""The company and person objects the API answers with (catalog records and tenant copies)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Company(BaseModel):
    """The seed's company object. Extra attributes of a stored record are dropped."""

    id: str
    name: str | None = None
    description: str | None = None
    summary: str | None = None
    domain: str | None = None
    industry: str | None = None
    headcount: str | None = None
    revenue: str | None = None
    foundedYear: int | None = None
    city: str | None = None
    country: str | None = None
    postalCode: str | None = None
    linkedinUrl: str | None = None
    websiteUrl: str | None = None
    logoUrl: str | None = None
    phones: list[str] = Field(default_factory=list)


class Person(BaseModel):
    """The contract's person object. Extra attributes of a stored record are dropped."""

    id: str
    firstName: str | None = None
    lastName: str | None = None
    fullName: str | None = None
    title: str | None = None
    seniority: str | None = None
    department: str | None = None
    email: str | None = None
    phones: list[str] = Field(default_factory=list)
    linkedinUrl: str | None = None
    city: str | None = None
    country: str | None = None
    companyId: str | None = None
    companyName: str | None = None
    companyDomain: str | None = None
    industry: str | None = None
