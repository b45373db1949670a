"""What an export writes for each kind of list: its columns, and its members' rows in id order.

Saved lists export their contacts (the person object); lead lists the company object or the
person object, by the list's type. Rows come from the tenant's copies, 100 members a read.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from itertools import islice
from typing import TYPE_CHECKING, Any, NamedTuple

from leadlists.models.exports import SourceKind
from leadlists.models.records import Company, Person
from leadlists.repositories import export_members, keys, tenant_records
from leadlists.services.export_csv import cell

if TYPE_CHECKING:
    from pydantic import BaseModel

_READ_BATCH = 100  # one BatchGetItem of tenant copies per 100 members


class Source(NamedTuple):
    """One list to export, in one organization."""

    org_id: str
    kind: SourceKind
    list_id: str
    name: str
    record_kind: str  # keys.PERSON or keys.COMPANY: which tenant copies the members are
    model: type[BaseModel]
    members: export_members.Members

    @property
    def columns(self) -> list[str]:
        return list(self.model.model_fields)

    def count_beyond(self, limit: int) -> int:
        return export_members.count_beyond(self.members, limit)

    def rows(self) -> Iterator[list[str]]:
        """One row per member with a tenant copy, in member id order."""
        columns = self.columns
        ids = export_members.ids(self.members)
        while batch := list(islice(ids, _READ_BATCH)):
            copies = tenant_records.get_copies(self.org_id, self.record_kind, batch)
            for member in batch:
                if member in copies:
                    data = self.model.model_validate(copies[member]).model_dump()
                    yield [cell(data[c]) for c in columns]


def saved_list(org_id: str, record: Mapping[str, Any]) -> Source:
    members = export_members.of_saved_list(org_id, record["id"])
    return Source(
        org_id, SourceKind.SAVED_LIST, record["id"], record["name"], keys.PERSON, Person, members
    )


def lead_list(org_id: str, record: Mapping[str, Any]) -> Source:
    kind = record["type"]
    members = export_members.of_lead_list(org_id, record["id"], kind)
    model = Company if kind == keys.COMPANY else Person
    return Source(org_id, SourceKind.LEAD_LIST, record["id"], record["name"], kind, model, members)
