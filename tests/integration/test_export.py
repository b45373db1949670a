"""POST /lists/{id}/export: the members as CSV in the export bucket behind a presigned URL."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime
from urllib.parse import unquote, urlparse

import boto3
import pytest
import requests

from conftest import ORG_A, ORG_B, drain_queue
from leadlists.models.contacts import Contact
from leadlists.repositories import saved_lists as repo

ISO_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def saved_list(api, aws, flt: dict, name: str = "Export me") -> dict:
    body = {"organizationId": ORG_A, "listName": name, "contacts_found": 0, "filter": flt}
    status, saved, _ = api.post("/lists/save", body)
    assert status == 200
    drain_queue(aws, "RefreshQueue", "RefreshWorkerFunction")
    return saved


def download(url: str) -> list[dict[str, str]]:
    answer = requests.get(url, timeout=10)  # moto intercepts the presigned GET
    assert answer.status_code == 200, answer.text
    return list(csv.DictReader(io.StringIO(answer.content.decode("utf-8"))))


def test_export_writes_exactly_the_members(api, catalog, aws):
    saved = saved_list(api, aws, {"countries": ["United States"], "industries": ["Software"]})
    members = sorted(repo.member_ids(ORG_A, saved["id"]))
    want = {p["id"]: p for p in catalog["persons"] if p["id"] in set(members)}
    status, body, _ = api.post(f"/lists/{saved['id']}/export")
    assert status == 200, body
    assert body["rows"] == len(members) > 0
    assert ISO_MS.match(body["expiresAt"])
    assert body["expiresAt"] > datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    rows = download(body["url"])
    assert [r["id"] for r in rows] == members
    assert list(rows[0]) == list(Contact.model_fields)
    for row in rows:
        person = want[row["id"]]
        assert row["fullName"] == person["fullName"]
        assert row["email"] == person["email"]
        assert row["companyName"] == person["companyName"]
        assert row["phones"] == ";".join(person["phones"])
        assert row["country"] == "United States" and row["industry"] == "Software"


def test_export_object_is_keyed_by_org_and_list(api, catalog, aws):
    saved = saved_list(api, aws, {"countries": ["Germany"]})
    _, body, _ = api.post(f"/lists/{saved['id']}/export")
    path = unquote(urlparse(body["url"]).path)
    bucket = aws["buckets"]["ExportBucket"]
    assert f"/exports/{ORG_A}/{saved['id']}/" in path and path.endswith(".csv")
    key = path.split(f"{bucket}/", 1)[1] if f"/{bucket}/" in path else path.lstrip("/")
    head = boto3.client("s3", region_name="us-east-1").head_object(Bucket=bucket, Key=key)
    assert head["ContentType"].startswith("text/csv")


def test_export_of_an_empty_list_has_only_the_header(api, catalog, aws):
    saved = saved_list(api, aws, {"countries": ["Atlantis"]})
    status, body, _ = api.post(f"/lists/{saved['id']}/export")
    assert status == 200 and body["rows"] == 0
    assert download(body["url"]) == []


def test_export_of_unknown_or_foreign_list_is_not_found(api, catalog, aws):
    saved = saved_list(api, aws, {"countries": ["Germany"]})
    status, body, _ = api.post("/lists/3f1c9a52-8d6e-4b7a-9c41-2e5d7f0a1b23/export")
    assert status == 404 and body["code"] == "NOT_FOUND"
    status, body, _ = api.as_(org=ORG_B).post(f"/lists/{saved['id']}/export")
    assert status == 404 and body["code"] == "NOT_FOUND"
    assert api.as_(org=ORG_B).post("/lists/%2e%2e/export")[0] == 400  # malformed id


def test_export_needs_a_token(api, catalog, aws):
    from conftest import Api

    status, body, _ = Api(None).post("/lists/anything/export")
    assert status == 401 and body["code"] == "UNAUTHORIZED"


def test_spreadsheet_formulas_are_neutralized_but_phones_kept():
    from leadlists.services.export_csv import cell as _cell

    assert _cell('=HYPERLINK("x")') == '\'=HYPERLINK("x")'
    assert _cell("@SUM(A1)") == "'@SUM(A1)"
    assert _cell("+cmd|' /C calc'!A0") == "'+cmd|' /C calc'!A0"
    assert _cell("-2+3+cmd") == "'-2+3+cmd"
    assert _cell(["+1-555-1234567", "+49 (30) 123"]) == "+1-555-1234567;+49 (30) 123"
    assert _cell(None) == "" and _cell("Plain") == "Plain"


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("-(1)+(2)", "'-(1)+(2)"),
        ("+1-1", "'+1-1"),  # phone-shaped but too short to dial: a sum
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Sales;=HYPERLINK(1)", "Sales;'=HYPERLINK(1)"),
        (["+1 (555) 010-2030", "=1+1"], "+1 (555) 010-2030;'=1+1"),
        (["ok", "@cmd"], "ok;'@cmd"),
        ("a-b+c", "a-b+c"),
    ],
)
def test_formula_like_cells_are_neutralized_in_every_part(raw, safe):
    from leadlists.services.export_csv import cell as _cell

    assert _cell(raw) == safe
