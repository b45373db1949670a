"""Paging a saved list's members (the tenant's copies of its persons)."""

from __future__ import annotations

from leadlists.auth import Caller
from leadlists.models.common import DEFAULT_PAGE
from leadlists.models.contacts import Contact, ContactPage
from leadlists.repositories import keys, tenant_records
from leadlists.repositories import saved_lists as repo


def contacts(caller: Caller, list_id: str, limit: int | None, token: str | None) -> ContactPage:
    repo.require(caller.org_id, list_id)
    ids, next_token = repo.member_page(caller.org_id, list_id, limit or DEFAULT_PAGE, token)
    copies = tenant_records.get_copies(caller.org_id, keys.PERSON, ids)
    people = [Contact.model_validate(copies[i]) for i in ids if i in copies]
    return ContactPage(contacts=people, nextToken=next_token)
