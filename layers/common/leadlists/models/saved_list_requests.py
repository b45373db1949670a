"""Saved list requests: create or update (with its filter), refresh."""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

from leadlists.filters.size import StoredFilter
from leadlists.models.common import Name, UuidStr, integer
from leadlists.models.saved_lists import Integration

ContactsFound = Annotated[int, *integer(ge=0, le=100_000_000)]
MaxContacts = Annotated[int, *integer(ge=1, le=100_000)]
Version = Annotated[int, *integer(ge=1)]


class SaveListRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    organizationId: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    listName: Name
    contacts_found: ContactsFound
    filter: StoredFilter
    id: UuidStr | None = None
    autoUpdate: bool | None = None
    maxContacts: MaxContacts | None = None
    connectedIntegration: Integration | None = None
    version: Version | None = None


class RefreshRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    organizationId: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None
