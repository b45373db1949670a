"""The catalog import rules on moto, through `leadlists import`'s path: all or nothing, company
facets inherited, updates that replace (facets too) without double counting, deletes."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

import pytest

from leadlists.filters.model import parse_filter
from leadlists.repositories import catalog, catalog_scans, keys
from leadlists_local import cli
from leadlists_local.catalog import import_file

CO = "11111111-1111-4111-8111-111111111111"
CO2 = "44444444-4444-4444-8444-444444444444"
P1 = "22222222-2222-4222-8222-222222222222"
P2 = "33333333-3333-4333-8333-333333333333"
ACME = {
    "kind": "company",
    "id": CO,
    "name": "Acme",
    "domain": "acme.test",
    "industry": "Software",
    "headcount": "11-50",
    "revenue": "$1M-$10M",
    "foundedYear": 2001,
    "description": "Makes anvils",
}


def write(tmp_path: Path, name: str, records: list[dict[str, Any]]) -> Path:
    path = tmp_path / name
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def matching(flt: dict[str, Any]) -> set[str]:
    return {p["id"] for p in catalog_scans.matching_persons(parse_filter(flt))}


def test_persons_take_their_company_facets_unless_stated(aws: dict, tmp_path: Path) -> None:
    first = [
        ACME,
        {"kind": "person", "id": P1, "firstName": "Ann", "companyId": CO},
        {"kind": "person", "id": P2, "companyId": CO, "industry": "Retail"},
    ]
    report = import_file(write(tmp_path, "a.jsonl", first))
    assert report.imported and report.counts.upserted == {"company": 1, "person": 2}
    ann = catalog.get_records(keys.PERSON, [P1])[P1]
    assert ann["companyName"] == "Acme" and ann["companyDomain"] == "acme.test"
    assert (ann["headcount"], ann["revenue"], ann["foundedYear"]) == ("11-50", "$1M-$10M", 2001)
    assert ann["companyDescription"] == "Makes anvils" and ann["industry"] == "Software"
    assert matching({"domains": ["acme.test"], "company_sizes": ["11-50"]}) == {P1, P2}
    assert matching({"industries": ["software"]}) == {P1}  # P2 stated its own
    # A later file's person finds the company already in the catalog.
    p3 = "55555555-5555-4555-8555-555555555555"
    import_file(write(tmp_path, "b.jsonl", [{"kind": "person", "id": p3, "companyId": CO}]))
    assert matching({"domains": ["acme.test"]}) == {P1, P2, p3}


def test_an_id_imported_again_replaces_it_counted_once_until_deleted(
    aws: dict, tmp_path: Path
) -> None:
    catalog.set_stats(persons=10, companies=3)
    person = {"kind": "person", "id": P1, "title": "CTO", "industry": "Software", "city": "Oslo"}
    path = write(tmp_path, "a.jsonl", [ACME, person])
    import_file(path)
    import_file(path)
    assert catalog.stats() == {"persons": 11, "companies": 4}
    moved = {"kind": "person", "id": P1, "title": "CEO", "industry": "Retail"}
    import_file(write(tmp_path, "b.jsonl", [moved, moved]))
    assert catalog.stats() == {"persons": 11, "companies": 4}
    assert matching({"industries": ["software"]}) == set()  # no stale facet
    assert matching({"industries": ["retail"], "job_titles": ["ceo"]}) == {P1}
    assert "city" not in catalog.get_records(keys.PERSON, [P1])[P1]  # replaced, not merged

    gone = [
        {"kind": "person", "id": P1, "deleted": True},
        {"kind": "company", "id": CO, "deleted": True},
        {"kind": "company", "id": CO2, "deleted": True},  # never there: nothing to count
    ]
    report = import_file(write(tmp_path, "c.jsonl", gone))
    assert report.counts.deleted == {"company": 1, "person": 1}
    assert catalog.get_records(keys.PERSON, [P1]) == {}
    assert catalog.get_records(keys.COMPANY, [CO, CO2]) == {}
    assert catalog.stats() == {"persons": 10, "companies": 3}
    assert matching({"industries": ["retail"]}) == set()


@pytest.fixture
def in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """`leadlists import` against the test's moto instead of a running runtime."""

    class Here:
        def describe(self) -> str:
            return "the test catalog"

    monkeypatch.setattr(cli, "_target", lambda endpoint: "moto")
    monkeypatch.setattr(cli, "_environment", lambda endpoint: contextlib.nullcontext(Here()))


def test_cli_summary_and_all_or_nothing(
    aws: dict, in_process: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    persons = [{"kind": "person", "id": f"00000000-0000-4000-8000-{n:012d}"} for n in range(20)]
    good = write(tmp_path, "good.jsonl", [ACME, *persons])
    assert cli.main(["import", str(good)]) == 0
    assert capsys.readouterr().out == "Imported 1 company, 20 persons into the test catalog.\n"

    new = {"kind": "person", "id": P1}
    bad = write(tmp_path, "bad.jsonl", [new, {"kind": "robot", "id": P2}, {"id": P2}])
    assert cli.main(["import", str(bad)]) == 1
    assert catalog.get_records(keys.PERSON, [P1]) == {}  # nothing of a refused file
    assert capsys.readouterr().out.splitlines() == [
        "Imported nothing: 2 problems (fix them, or pass --skip-invalid to import the valid "
        "records):",
        "  line 2: kind must be company or person, not 'robot'",
        "  line 3: kind is required (company or person)",
    ]
    assert cli.main(["import", str(bad), "--skip-invalid"]) == 0
    assert set(catalog.get_records(keys.PERSON, [P1, P2])) == {P1}
    assert capsys.readouterr().out.splitlines() == [
        "Imported 0 companies, 1 person into the test catalog.",
        "Skipped 2 invalid records:",
        "  line 2: kind must be company or person, not 'robot'",
        "  line 3: kind is required (company or person)",
    ]
    other = tmp_path / "catalog.json"
    other.write_text("{}")
    assert cli.main(["import", str(other)]) == 2
    assert ".csv or .jsonl" in capsys.readouterr().err
