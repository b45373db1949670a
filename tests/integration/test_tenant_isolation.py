"""Organization A can neither read, refresh, save over nor delete organization B's lists."""

from __future__ import annotations

from conftest import ORG_A, ORG_B, Api, claims
from leadlists.repositories import saved_lists as repo


def make_list(caller: Api, org: str, name: str = "Shared name") -> dict:
    body = {"organizationId": org, "listName": name, "contacts_found": 0,
            "filter": {"countries": ["Germany"]}}  # fmt: skip
    status, saved, _ = caller.post("/lists/save", body)
    assert status == 200
    caller.post(f"/lists/refresh/{saved['id']}")
    return saved


def test_other_organizations_lists_do_not_exist_for_the_caller(aws, catalog):
    alice, bob = Api(claims(ORG_A)), Api(claims(ORG_B, user="bob"))
    theirs = make_list(bob, ORG_B)
    members_before = repo.member_ids(ORG_B, theirs["id"])
    assert members_before

    assert alice.get(f"/lists/{theirs['id']}")[0] == 404
    assert alice.get(f"/lists/{theirs['id']}/contacts")[0] == 404
    assert alice.post(f"/lists/refresh/{theirs['id']}")[0] == 404
    assert alice.delete(f"/lists/{theirs['id']}")[0] == 404
    overwrite = {"organizationId": ORG_A, "listName": "Hijack", "contacts_found": 0,
                 "filter": {"countries": ["France"]}, "id": theirs["id"]}  # fmt: skip
    assert alice.post("/lists/save", overwrite)[0] == 404
    # Asking for B's collection with A's token is asking for a list id that A does not have.
    assert alice.get(f"/lists/{ORG_B}")[0] == 404

    status, still, _ = bob.get(f"/lists/{theirs['id']}")
    assert status == 200
    assert still["version"] == theirs["version"] + 2  # only B's own refresh touched it
    assert still["usedFilter"] == {"countries": ["Germany"]}
    assert repo.member_ids(ORG_B, theirs["id"]) == members_before


def test_each_organization_sees_only_its_own_lists(aws, catalog):
    alice, bob = Api(claims(ORG_A)), Api(claims(ORG_B, user="bob"))
    mine = make_list(alice, ORG_A)
    theirs = make_list(bob, ORG_B)  # the same name is fine in another organization
    _, a_lists, _ = alice.get(f"/lists/{ORG_A}")
    _, b_lists, _ = bob.get(f"/lists/{ORG_B}")
    assert [x["id"] for x in a_lists] == [mine["id"]]
    assert [x["id"] for x in b_lists] == [theirs["id"]]


def test_same_contact_in_two_organizations_has_separate_copies(aws, catalog):
    alice, bob = Api(claims(ORG_A)), Api(claims(ORG_B, user="bob"))
    mine, theirs = make_list(alice, ORG_A), make_list(bob, ORG_B)
    _, a_page, _ = alice.get(f"/lists/{mine['id']}/contacts", query="limit=100")
    _, b_page, _ = bob.get(f"/lists/{theirs['id']}/contacts", query="limit=100")
    assert a_page["contacts"] and a_page["contacts"] == b_page["contacts"]
    from leadlists.repositories import keys, tenant_records

    some = a_page["contacts"][0]["id"]
    assert tenant_records.get_copies(ORG_A, keys.PERSON, [some])
    assert tenant_records.get_copies(ORG_B, keys.PERSON, [some])
    assert keys.tenant_record(ORG_A, "person", some) != keys.tenant_record(ORG_B, "person", some)
