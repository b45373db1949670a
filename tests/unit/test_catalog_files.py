"""Catalog import files read strictly: every rejection reason with its line number, and byte
ranges that read alone give the same records with the same line numbers."""

from __future__ import annotations

import json

import pytest

from leadlists.models.catalog_rows import CompanyRow, PersonRow
from leadlists.services.catalog_files import CSV, JSONL, Lines, file_format, records
from leadlists.services.catalog_import import check

CO = "11111111-1111-4111-8111-111111111111"
P1 = "22222222-2222-4222-8222-222222222222"
P2 = "33333333-3333-4333-8333-333333333333"


def lines_of(text: str | bytes, size: int = 7) -> Lines:
    """Lines fed in small pieces, so records cross the reads."""
    data = text.encode() if isinstance(text, str) else text
    return Lines(data[i : i + size] for i in range(0, len(data), size))


def read(text: str | bytes, fmt: str, size: int = 7) -> list[tuple[int, str]]:
    """(line, kind or reason) of each record."""
    found = records(lines_of(text, size), fmt)
    return [(r.line, r.row.kind if r.row else r.reason) for r in found]


CSV_FILE = (
    "\ufeffkind,id,name,domain,foundedYear,firstName,companyId,phones,deleted\n"
    f"company,{CO},Acme,acme.test,2001,,,+1-555;+1-556,\n"
    "\n"
    f'person,{P1},,,,"Ann\nMarie",{CO},,\n'  # a quoted value over two lines
    f"person,not-a-uuid,,,,Bob,,,\n"
    f",{P2},,,,Cy,,,\n"
    f"robot,{P2},,,,Cy,,,\n"
    f"company,{P2},X,,19x9,,,,\n"
    f"company,{P2},X,,,Dan,,,\n"
    f"person,{P2},,,,Eve,{CO},,maybe\n"
    f"person,{P2},,,,Eve,{CO},,,extra\n"
    f"person,{P2},,,,Eve,12,,\n"
    f"person,{P2},,,,,,,true\n"
)


def test_csv_records_and_every_rejection_with_its_line() -> None:
    assert read(CSV_FILE, CSV) == [
        (2, "company"),
        (4, "person"),
        (6, "id: Invalid UUID"),
        (7, "kind is required (company or person)"),
        (8, "kind must be company or person, not 'robot'"),
        (9, "foundedYear must be a whole number, not '19x9'"),
        (10, "unknown field 'firstName' for a company"),
        (11, "deleted must be true or false, not 'maybe'"),
        (12, "10 values for 9 columns"),
        (13, "companyId: Invalid UUID"),
        (14, "person"),
    ]


def test_csv_values_become_the_api_types() -> None:
    company, person, *_ = [r.row for r in records(lines_of(CSV_FILE), CSV) if r.row]
    assert isinstance(company, CompanyRow) and isinstance(person, PersonRow)
    assert company.phones == ["+1-555", "+1-556"] and company.foundedYear == 2001
    assert person.firstName == "Ann\nMarie" and person.companyId == CO
    assert person.deleted is False


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        ("kind,id,nickname", "unknown column(s): 'nickname'"),
        ("kind,id,name,name", "column(s) given twice: name"),
        ("id,name", "the kind and id columns are required"),
    ],
)
def test_a_bad_csv_header_refuses_the_whole_file(header: str, reason: str) -> None:
    result = check(lines_of(f"{header}\ncompany,{CO}\n"), CSV)
    assert result.fatal and not result.importable(skip_invalid=True)
    assert [(r.line, r.reason) for r in result.rejected] == [(1, reason)]


def test_json_lines_and_every_rejection_with_its_line() -> None:
    text = "\n".join(
        [
            json.dumps({"kind": "company", "id": CO, "name": "Acme", "foundedYear": 2001}),
            "",
            "{not json",
            "[1, 2]",
            json.dumps({"kind": "person", "id": P1, "nickname": "x"}),
            json.dumps({"kind": "person", "id": P1, "foundedYear": "2001"}),
            json.dumps({"kind": "person", "id": P1, "phones": "+1-555"}),
            json.dumps({"kind": "person", "id": P1}),
            json.dumps({"kind": "company", "deleted": True}),
            json.dumps({"kind": "person", "id": P2, "deleted": True}),
        ]
    )
    got = read(text, JSONL)
    assert got[:2] == [(1, "company"), (3, "not a JSON object")]
    assert got[2] == (4, "a record must be a JSON object")
    assert got[3] == (5, "unknown field 'nickname' for a person")
    assert got[4][0] == 6 and got[4][1].startswith("foundedYear:")
    assert got[5][0] == 7 and got[5][1].startswith("phones:")
    assert got[6:] == [(8, "person"), (9, "id is required"), (10, "person")]


def test_lines_that_are_not_utf8_or_too_long_are_rejected_alone() -> None:
    good = json.dumps({"kind": "person", "id": P1})
    text = b"\n".join([good.encode(), b'{"kind": "\xff"}', b"x" * 70_000, good.encode()])
    assert read(text, JSONL, size=4096) == [
        (1, "person"),
        (2, "not UTF-8 text"),
        (3, "line longer than 65536 bytes"),
        (4, "person"),
    ]


@pytest.mark.parametrize("fmt", [CSV, JSONL])
def test_byte_ranges_read_alone_give_the_same_records(fmt: str) -> None:
    rows = [
        {"kind": "person", "id": f"00000000-0000-4000-8000-{n:012d}", "firstName": f"P\n{n}"}
        for n in range(7)
    ]
    if fmt == CSV:
        header = "kind,id,firstName\n"
        text = header + "".join(f'{r["kind"]},{r["id"]},"{r["firstName"]}"\n' for r in rows)
    else:
        text = "".join(json.dumps(r) + "\n\n" for r in rows)
    whole = check(lines_of(text), fmt, chunk_rows=3)
    assert [c[2] for c in whole.chunks] == ([1, 8, 14] if fmt == CSV else [1, 6, 12])
    data = text.encode()
    seen = []
    assert {tuple(c[3]) for c in whole.chunks} == {("person",)}
    for start, end, first_line, _kinds in whole.chunks:
        lines = Lines([data[start:end]], first_line, start)
        header_row = whole.header if start else None
        seen += [(r.line, r.row.id if r.row else "") for r in records(lines, fmt, header_row)]
    assert seen == [(r.line, r.row.id if r.row else "") for r in records(lines_of(text), fmt)]
    assert len(seen) == 7 and whole.chunks[-1][1] == len(data)


def test_file_format_from_the_name() -> None:
    assert [file_format(n) for n in ("a.CSV", "b.jsonl", "c.ndjson", "d.json", "e")] == [
        CSV,
        JSONL,
        JSONL,
        None,
        None,
    ]


def test_s3_notifications_name_the_file_and_its_version() -> None:
    from leadlists.notifications import S3Notification
    from leadlists.services.catalog_ingest import skips_invalid

    body = {
        "Records": [
            {
                "eventName": "ObjectCreated:Put",
                "s3": {
                    "bucket": {"name": "catalog"},
                    "object": {
                        "key": "incoming/june%2F2026+list.csv",
                        "eTag": "e1",
                        "versionId": "v1",
                    },
                },
            }
        ]
    }
    file = S3Notification.model_validate(body).Records[0].file()
    assert (file.key, file.version, file.file_id) == (
        "incoming/june/2026 list.csv",
        "v1",
        "catalog/incoming/june/2026 list.csv#v1",
    )
    assert S3Notification.model_validate({"Event": "s3:TestEvent"}).Records == []
    assert skips_invalid("incoming/a.skip-invalid.csv", {})
    assert skips_invalid("incoming/a.csv", {"skip-invalid": "TRUE"})
    assert not skips_invalid("incoming/skip-invalid.d/a.csv", {"skip-invalid": "no"})


def test_a_notification_that_fails_validation_is_reported_failed_and_logged(caplog) -> None:
    from pathlib import Path

    from leadlists import notifications
    from leadlists_local import lambdas

    event = json.loads((Path(__file__).parents[2] / "events" / "catalog_ingest.json").read_text())
    s3 = {"bucket": {"name": "catalog"}, "object": {"key": "incoming/a.csv"}}
    created = {"eventName": "ObjectCreated:Put", "s3": s3}
    good = {**event["Records"][0], "body": json.dumps({"Records": [created]})}
    bad = {**good, "messageId": "bad-1", "body": "{not json"}
    seen: list[str] = []
    handler = notifications.handler(lambda file: seen.append(file.key))

    answer = handler({"Records": [good, bad]}, lambdas.context_for("CatalogIngestFunction"))

    assert answer == {"batchItemFailures": [{"itemIdentifier": "bad-1"}]}
    assert seen == ["incoming/a.csv"]  # the good record's file still went on
    malformed = [r for r in caplog.records if r.getMessage() == "Malformed message"]
    assert [getattr(r, "messageId", None) for r in malformed] == ["bad-1"]
    assert getattr(malformed[0], "errors", None)
