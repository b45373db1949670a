"""One rule for ids in paths, on every route of the template that has one: a malformed id is a 400
naming its parameter, a well-formed id that names nothing is a 404, and neither changes anything.

The routes come from template.yaml, so a new route is covered without touching this file; a route
whose request needs a body says so in BODIES (the test fails until it does).
"""

from __future__ import annotations

import os
import re
import uuid
from typing import Any

import boto3

from leadlists_local import template

UNKNOWN = str(uuid.UUID(int=0xDEAD))
MALFORMED = "not-an-id"
PARAM = re.compile(r"\{(\w+)\}")
# The smallest valid body of each route that needs one, by method and path.
BODIES: dict[tuple[str, str], Any] = {
    ("PATCH", "/api/v1/entities/leadlists/{id}"): {"name": "Renamed"},
    ("POST", "/api/v1/entities/leadlists/{id}/add-companies"): {"companyIds": [UNKNOWN]},
    ("POST", "/api/v1/entities/leadlists/{id}/add-prospects"): {"persons": [{"id": UNKNOWN}]},
    ("POST", "/api/v1/entities/leadlists/{id}/remove-companies"): {"companyIds": [UNKNOWN]},
    ("POST", "/api/v1/entities/leadlists/{id}/remove-prospects"): {"personIds": [UNKNOWN]},
}
# GET /lists/{id} also takes an organization id: a key that is no list id names another (or no)
# organization, so it is a 404 rather than a 400.
KEY_ROUTES = {("GET", "/lists/{id}")}


def _routes() -> list[tuple[str, str]]:
    return [(r.method, r.path) for r in template.routes() if PARAM.search(r.path)]


def _path(path: str, malformed: str | None) -> str:
    return PARAM.sub(lambda m: MALFORMED if m.group(1) == malformed else UNKNOWN, path)


def _tenant_items() -> int:
    table = os.environ["TENANT_TABLE"]
    return int(boto3.client("dynamodb").scan(TableName=table, Select="COUNT")["Count"])


def test_malformed_path_ids_are_400_and_unknown_ones_404(api):
    # One moto set-up for every route (a fixture per route would cost seconds each).
    routes = _routes()
    assert len(routes) >= 17
    before = _tenant_items()
    for method, path in routes:
        body = BODIES.get((method, path))
        status, answer, _ = api.call(method, _path(path, None), body)
        assert (status, answer["code"]) == (404, "NOT_FOUND"), (method, path, answer)
        for name in PARAM.findall(path):
            status, answer, _ = api.call(method, _path(path, name), body)
            if (method, path) in KEY_ROUTES:
                assert (status, answer["code"]) == (404, "NOT_FOUND"), (method, path, answer)
                continue
            assert (status, answer["code"]) == (400, "BAD_REQUEST"), (method, path, answer)
            assert [d["field"] for d in answer["details"]] == [name], (method, path, answer)
    assert _tenant_items() == before
