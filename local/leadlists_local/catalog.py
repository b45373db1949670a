"""A deterministic synthetic B2B catalog, and import of one from CSV or JSON lines."""

from __future__ import annotations

import logging
import random
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from leadlists.repositories import catalog, keys
from leadlists.services import catalog_files, catalog_import

logger = logging.getLogger("leadlists_local")
# A catalog larger than this many persons is written in parts, each followed by a progress line.
SEED_PROGRESS_EVERY = 5_000

COUNTRIES = [
    ("United States", ["San Francisco", "New York", "Austin", "Boston", "Seattle", "Chicago"]),
    ("United Kingdom", ["London", "Manchester", "Edinburgh"]),
    ("Germany", ["Berlin", "Munich", "Hamburg"]),
    ("France", ["Paris", "Lyon"]),
    ("Canada", ["Toronto", "Vancouver", "Montreal"]),
    ("Netherlands", ["Amsterdam", "Rotterdam"]),
    ("Spain", ["Madrid", "Barcelona"]),
    ("Sweden", ["Stockholm", "Gothenburg"]),
    ("Australia", ["Sydney", "Melbourne"]),
    ("India", ["Bangalore", "Mumbai"]),
    ("Brazil", ["Sao Paulo", "Rio de Janeiro"]),
    ("Japan", ["Tokyo", "Osaka"]),
    ("Singapore", ["Singapore"]),
]
INDUSTRIES = [
    "Software", "Technology", "Financial Services", "Healthcare", "Manufacturing", "Retail",
    "Marketing and Advertising", "Education", "Logistics", "Telecommunications", "Media",
]  # fmt: skip
HEADCOUNTS = ["1-10", "11-50", "51-200", "201-500", "501-1000", "1001-5000", "5001-10000", "10001+"]
REVENUES = ["<$1M", "$1M-$10M", "$10M-$50M", "$50M-$100M", "$100M-$500M", "$500M-$1B", "$1B+"]
NAME_A = [
    "Acme", "Blue", "Bright", "Cloud", "Data", "Delta", "Echo", "Fusion", "Green", "Helix",
    "Iron", "Nova", "Orbit", "Peak", "Quantum", "Red", "Silver", "Summit", "Vector", "Zen",
]  # fmt: skip
NAME_B = [
    "Labs", "Systems", "Works", "Analytics", "Dynamics", "Networks", "Solutions", "Health",
    "Logistics", "Media", "Capital", "Robotics", "Foods", "Energy", "Software",
]  # fmt: skip
SUFFIX = ["Inc", "LLC", "GmbH", "Ltd", "Corp", "Group", "Co"]
FIRST = [
    "Alice",
    "Bob",
    "Carla",
    "David",
    "Elena",
    "Farid",
    "Grace",
    "Hiro",
    "Ines",
    "Jonas",
    "Kira",
    "Liam",
    "Maya",
    "Noah",
]
FIRST += [
    "Olga",
    "Pablo",
    "Quinn",
    "Rosa",
    "Sam",
    "Tara",
    "Uma",
    "Victor",
    "Wen",
    "Xavier",
    "Yara",
    "Zoe",
]
LAST = [
    "Smith",
    "Johnson",
    "Garcia",
    "Müller",
    "Martin",
    "Rossi",
    "Kim",
    "Tanaka",
    "Silva",
    "Nguyen",
    "Brown",
]
LAST += ["Schmidt", "Dubois", "Kowalski", "Patel", "Andersson", "Lopez"]
DEPARTMENTS = {
    "Sales": ["Account Executive", "Sales Manager", "Sales Development Representative"],
    "Marketing": ["Marketing Manager", "Growth Marketer", "Content Strategist"],
    "Engineering": ["Software Engineer", "Engineering Manager", "Data Engineer"],
    "Finance": ["Financial Analyst", "Controller", "Accountant"],
    "Operations": ["Operations Manager", "Project Manager", "Supply Chain Analyst"],
    "Human Resources": ["Recruiter", "HR Business Partner", "People Operations Manager"],
}
SENIOR_TITLES = {
    "C-Level": ["Chief Executive Officer", "Chief Technology Officer", "Chief Revenue Officer"],
    "VP": ["VP of {d}", "Vice President of {d}"],
    "Director": ["Director of {d}", "Head of {d}"],
}


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def companies(count: int, seed: int = 1) -> list[dict[str, Any]]:
    # Seeded on purpose: the same catalog every run (not a secret).
    rng = random.Random(f"companies-{seed}")  # nosec B311
    out = []
    for n in range(count):
        # About two in five companies are in the United States.
        country, cities = COUNTRIES[0] if rng.random() < 0.4 else rng.choice(COUNTRIES[1:])
        name = f"{rng.choice(NAME_A)} {rng.choice(NAME_B)} {rng.choice(SUFFIX)}"
        slug = "".join(ch for ch in name.lower().rsplit(" ", 1)[0] if ch.isalnum())
        domain = f"{slug}{n}.com"
        industry = rng.choice(INDUSTRIES)
        out.append(
            {
                "id": _uuid(rng),
                "name": name,
                "description": f"{name} builds {industry.lower()} products for modern teams.",
                "summary": f"{industry} company based in {country}.",
                "domain": domain,
                "industry": industry,
                "headcount": rng.choice(HEADCOUNTS),
                "revenue": rng.choice(REVENUES),
                "foundedYear": rng.randint(1950, 2024),
                "city": rng.choice(cities),
                "country": country,
                "postalCode": f"{rng.randint(10000, 99999)}",
                "linkedinUrl": f"https://www.linkedin.com/company/{slug}{n}",
                "websiteUrl": f"https://{domain}",
                "logoUrl": f"https://{domain}/logo.png",
                "phones": [f"+1-555-{rng.randint(1000000, 9999999)}"],
            }
        )
    return out


def _title(rng: random.Random) -> tuple[str, str, str]:
    department = rng.choice(list(DEPARTMENTS))
    roll = rng.random()
    if roll < 0.05:
        return rng.choice(SENIOR_TITLES["C-Level"]), "C-Level", department
    if roll < 0.15:
        return rng.choice(SENIOR_TITLES["VP"]).format(d=department), "VP", department
    if roll < 0.35:
        return rng.choice(SENIOR_TITLES["Director"]).format(d=department), "Director", department
    title = rng.choice(DEPARTMENTS[department])
    seniority = "Manager" if "Manager" in title else "Individual Contributor"
    return title, seniority, department


def persons(count: int, company_list: list[dict[str, Any]], seed: int = 1) -> Iterator[dict]:
    """Persons, each working at a catalog company whose facets it carries."""
    # Seeded on purpose: the same catalog every run (not a secret).
    rng = random.Random(f"persons-{seed}")  # nosec B311
    for _ in range(count):
        company = rng.choice(company_list)
        first, last = rng.choice(FIRST), rng.choice(LAST)
        title, seniority, department = _title(rng)
        handle = f"{first}.{last}".lower().replace("ü", "u")
        yield {
            "id": _uuid(rng),
            "firstName": first,
            "lastName": last,
            "fullName": f"{first} {last}",
            "title": title,
            "seniority": seniority,
            "department": department,
            "email": f"{handle}@{company['domain']}",
            "phones": [f"+1-555-{rng.randint(1000000, 9999999)}"],
            "linkedinUrl": f"https://www.linkedin.com/in/{handle}-{rng.randint(100, 999)}",
            "city": company["city"],
            "country": company["country"],
            "companyId": company["id"],
            "companyName": company["name"],
            "companyDomain": company["domain"],
            "companyDescription": company["description"],
            "industry": company["industry"],
            "headcount": company["headcount"],
            "revenue": company["revenue"],
            "foundedYear": company["foundedYear"],
        }


def seed_catalog(companies: int = 200, persons: int = 2000, seed: int = 1) -> dict[str, Any]:
    """Fill the global table; returns the generated companies and persons."""
    company_list = globals()["companies"](companies, seed)
    person_list = list(globals()["persons"](persons, company_list, seed))
    catalog.put_records(keys.COMPANY, company_list)
    step = SEED_PROGRESS_EVERY
    for start in range(0, len(person_list), step):
        catalog.put_records(keys.PERSON, person_list[start : start + step])
        if len(person_list) > step:
            done = min(start + step, len(person_list))
            logger.info(
                "Seeding the catalog: %s of %s persons written", f"{done:,}", f"{persons:,}"
            )
    catalog.set_stats(persons=persons, companies=companies)
    return {"companies": company_list, "persons": person_list}


def import_file(path: Path, skip_invalid: bool = False) -> catalog_import.Report:
    """Import a CSV or JSON-lines file through the catalog import rules (the bucket's too)."""
    fmt = catalog_files.file_format(path.name)
    if fmt is None:
        raise ValueError(f"{path.name}: the name must end in .csv or .jsonl")

    def open_lines() -> catalog_files.Lines:
        return catalog_files.Lines(_chunks(path))

    return catalog_import.import_file(open_lines, fmt, skip_invalid)


def _chunks(path: Path, size: int = 1 << 16) -> Iterator[bytes]:
    with path.open("rb") as handle:
        while chunk := handle.read(size):
            yield chunk
