"""A saved list's members, as its contacts route pages them."""

from pydantic import BaseModel

from leadlists.models.records import Person

# A member of a saved list is the tenant's copy of a catalog person: the contract's person object.
Contact = Person


class ContactPage(BaseModel):
    contacts: list[Contact]
    nextToken: str | None = None
