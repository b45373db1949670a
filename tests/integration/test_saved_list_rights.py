"""Who may change a saved list: its creator and admins update and delete it; any other member of
the organization reads, pages, refreshes and exports it, and is refused (403) the rest without
changing anything."""

from __future__ import annotations

from conftest import ORG_A, Api, claims
from leadlists.repositories import saved_lists as repo

BODY = {
    "organizationId": ORG_A,
    "listName": "Creator's list",
    "contacts_found": 0,
    "filter": {"countries": ["Germany"]},
}


def test_only_the_creator_or_an_admin_changes_or_deletes_a_saved_list(aws):
    creator = Api(claims(user="ann", role="member"))
    other = Api(claims(user="bob", role="member"))
    admin = Api(claims(user="root", role="admin"))
    status, saved, _ = creator.post("/lists/save", BODY)
    assert status == 200 and saved["createdBy"] == "ann"
    list_id = saved["id"]
    update = {**BODY, "id": list_id, "listName": "Renamed"}

    before = repo.get(ORG_A, list_id)
    for method, path, body in (
        ("POST", "/lists/save", update),
        ("DELETE", f"/lists/{list_id}", None),
    ):
        status, answer, _ = other.call(method, path, body)
        assert (status, answer["code"]) == (403, "FORBIDDEN"), answer
    assert repo.get(ORG_A, list_id) == before

    # Any member reads and refreshes it.
    assert other.get(f"/lists/{list_id}")[0] == 200
    assert other.post(f"/lists/refresh/{list_id}")[0] in (200, 202)

    status, renamed, _ = admin.post("/lists/save", update)
    assert status == 200 and renamed["name"] == "Renamed" and renamed["createdBy"] == "ann"
    status, mine, _ = creator.post("/lists/save", {**update, "listName": "Mine again"})
    assert status == 200 and mine["name"] == "Mine again"
    assert creator.delete(f"/lists/{list_id}")[0] == 200
    assert repo.get(ORG_A, list_id) is None
