from conftest import ORG_A


def test_save_refresh_get_flow(api, catalog, aws):
    status, body, _ = api.post(
        "/lists/save",
        {
            "organizationId": ORG_A,
            "listName": "US Software",
            "contacts_found": 5,
            "filter": {"countries": ["United States"], "industries": ["Software"]},
        },
    )
    assert status == 200, body
    assert body["refreshStatus"] == "queued"
    list_id = body["id"]
    status, body, _ = api.post(f"/lists/refresh/{list_id}")
    assert status == 200, body
    assert body["refreshStatus"] == "idle"
    assert body["contactsNum"] > 0
    status, page, _ = api.get(f"/lists/{list_id}/contacts", query="limit=5")
    assert status == 200, page
    assert len(page["contacts"]) == 5
    status, lists, _ = api.get(f"/lists/{ORG_A}")
    assert status == 200 and len(lists) == 1
    status, body, _ = api.delete(f"/lists/{list_id}")
    assert status == 200, body
