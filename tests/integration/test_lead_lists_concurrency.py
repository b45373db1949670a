"""Exact counts under concurrency: many overlapping add / remove requests on one lead list.

Each thread is its own warm Lambda container: its own import of the handler module (a resolver
holds per-request context, and Lambda never runs two events in one container at once), with
Powertools' class-level current event kept per thread (leadlists_local.powertools_shims).
moto's DynamoDB is made thread-safe by leadlists_local.moto_shims (installed by the `aws`
fixture); without it moto itself loses writes (see that module).
"""

from __future__ import annotations

import importlib.util
import json
import random
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests
from lead_list_helpers import BASE, new_list, tenant_items

from conftest import ORG_A, claims
from leadlists.errors import Invalid
from leadlists.repositories import lead_lists as repo
from leadlists.services import lead_list_additions, lead_list_edits
from leadlists_local import lambdas, powertools_shims, template

THREADS = 8
Handler = Callable[[dict[str, Any], Any], dict[str, Any]]
_loaded = 0
_load_lock = threading.Lock()


def container(logical_id: str) -> Handler:
    """A fresh import of a function's module: one more warm container of that function."""
    global _loaded
    powertools_shims.install()
    with _load_lock:
        _loaded += 1
        name = f"leadlists_fn_{logical_id}_container{_loaded}"
    path = template.functions()[logical_id].code_uri / "app.py"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module.lambda_handler


def send(handle: Handler, path: str, body: Any) -> tuple[int, Any, dict[str, str]]:
    found = lambdas.find_route("POST", path)
    assert found is not None
    route, params = found
    headers = {"content-type": "application/json"}
    request = lambdas.Request("POST", path, route, params, headers)
    event = lambdas.http_event(request, claims(), json.dumps(body))
    answer = handle(event, lambdas.context_for(route.function))
    return answer["statusCode"], lambdas.response_json(answer), answer.get("headers") or {}


def run_overlapping(logical_id: str, jobs: list[tuple[str, Any]]) -> list[tuple[int, Any, dict]]:
    """Run the jobs on THREADS containers, all starting together."""
    handlers = [container(logical_id) for _ in range(THREADS)]
    barrier = threading.Barrier(THREADS)

    def worker(n: int) -> list[tuple[int, Any, dict]]:
        barrier.wait()
        return [send(handlers[n], path, body) for path, body in jobs[n::THREADS]]

    with ThreadPoolExecutor(THREADS) as pool:
        return [answer for part in pool.map(worker, range(THREADS)) for answer in part]


@pytest.fixture
def cancellations(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts member transactions cancelled by a condition: proof that requests raced."""
    seen: list[int] = []
    original = repo._still_pending

    def counting(exc: Any, pending: list[str]) -> list[str]:
        seen.append(1)
        return original(exc, pending)

    monkeypatch.setattr(repo, "_still_pending", counting)
    return seen


def member_count(list_id: str) -> int:
    record = repo.get(ORG_A, list_id)
    assert record is not None
    return int(record.get("memberCount", 0))


def test_overlapping_add_companies_count_each_company_once(api, catalog, cancellations):
    created = new_list(api)
    ids = [c["id"] for c in catalog["companies"]]
    rng = random.Random(11)
    path = f"{BASE}/{created['id']}/add-companies"
    jobs = [(path, {"companyIds": rng.sample(ids, 25)}) for _ in range(3 * THREADS)]
    answers = run_overlapping("AddCompaniesFunction", jobs)
    assert {status for status, _, _ in answers} == {200}
    added = sum(int(headers["X-Added-Count"]) for _, _, headers in answers)
    _, final, _ = api.get(f"{BASE}/{created['id']}")
    distinct = {i for _, body in jobs for i in body["companyIds"]}
    assert added == len(final["companyIds"]) == len(distinct) == member_count(created["id"])
    assert set(final["companyIds"]) == distinct


def test_overlapping_add_prospects_count_each_person_once(api, catalog, cancellations):
    created = new_list(api, "person")
    ids = [p["id"] for p in catalog["persons"][:80]]
    rng = random.Random(12)
    path = f"{BASE}/{created['id']}/add-prospects"
    jobs = [(path, {"persons": [{"id": i} for i in rng.sample(ids, 25)]}) for _ in range(16)]
    answers = run_overlapping("AddProspectsFunction", jobs)
    assert {status for status, _, _ in answers} == {200}
    added = sum(body["addedCount"] for _, body, _ in answers)
    _, final, _ = api.get(f"{BASE}/{created['id']}")
    distinct = {p["id"] for _, body in jobs for p in body["persons"]}
    assert added == len(final["personIds"]) == len(distinct) == member_count(created["id"])


def test_conditional_writes_alone_keep_counts_exact(api, catalog, cancellations, monkeypatch):
    """With the pre-filter blinded, every overlap is decided by the conditional member writes."""
    monkeypatch.setattr(repo, "existing_members", lambda *args, **kwargs: set())
    created = new_list(api)
    ids = [c["id"] for c in catalog["companies"][:40]]
    path = f"{BASE}/{created['id']}/add-companies"
    # Every request adds the same ids, in its own order.
    jobs = [(path, {"companyIds": random.Random(n).sample(ids, len(ids))}) for n in range(16)]
    answers = run_overlapping("AddCompaniesFunction", jobs)
    assert {status for status, _, _ in answers} == {200}
    added = sum(int(headers["X-Added-Count"]) for _, _, headers in answers)
    _, final, _ = api.get(f"{BASE}/{created['id']}")
    assert added == len(final["companyIds"]) == len(ids) == member_count(created["id"])
    assert len(cancellations) >= len(jobs) - 1  # all but the first writer lost some race


def test_overlapping_adds_and_removes_balance(api, catalog, cancellations):
    created = new_list(api)
    ids = [c["id"] for c in catalog["companies"][:30]]
    rng = random.Random(13)
    add = f"{BASE}/{created['id']}/add-companies"
    remove = f"{BASE}/{created['id']}/remove-companies"
    adds = [(add, {"companyIds": rng.sample(ids, 12)}) for _ in range(16)]
    removes = [(remove, {"companyIds": rng.sample(ids, 8)}) for _ in range(16)]
    with ThreadPoolExecutor(2) as pool:
        added_answers = pool.submit(run_overlapping, "AddCompaniesFunction", adds)
        removed_answers = pool.submit(run_overlapping, "RemoveCompaniesFunction", removes)
        added = sum(int(h["X-Added-Count"]) for _, _, h in added_answers.result())
        removed = sum(body["removedCount"] for _, body, _ in removed_answers.result())
    _, final, _ = api.get(f"{BASE}/{created['id']}")
    assert added - removed == len(final["companyIds"]) == member_count(created["id"])


def test_a_list_deleted_during_an_add_keeps_no_members(api, catalog, monkeypatch):
    created = new_list(api)
    store = lead_list_additions.tenant_copy.store

    def store_then_lose_the_list(org_id: str, kind: str, records: Any) -> int:
        calls = store(org_id, kind, records)
        assert repo.delete(org_id, created["id"])  # a concurrent DELETE wins the race here
        return calls

    monkeypatch.setattr(lead_list_additions.tenant_copy, "store", store_then_lose_the_list)
    ids = [c["id"] for c in catalog["companies"][:150]]  # two member transactions
    status, body, _ = api.post(f"{BASE}/{created['id']}/add-companies", {"companyIds": ids})
    assert status == 404, body
    assert [i for i in tenant_items() if f"#LEADLIST#{created['id']}" in i["pk"]["S"]] == []


def test_functions_resolving_side_by_side_keep_their_own_event(api, monkeypatch):
    """Powertools keeps the current event on a class; two functions resolving on two threads of
    one process (the local runtime) must still each see their own request."""
    paused, other_done = threading.Event(), threading.Event()

    def slow_failing_create(*_: Any) -> Any:
        paused.set()
        assert other_done.wait(10)
        raise Invalid("late failure")  # its body quotes the current requestId

    monkeypatch.setattr(lead_list_edits, "create", slow_failing_create)
    route, params = lambdas.find_route("POST", BASE) or (None, {})
    assert route is not None
    request = lambdas.Request("POST", BASE, route, params, {"content-type": "application/json"})
    event = lambdas.http_event(request, claims(), json.dumps(
        {"name": "n", "type": "company", "startDate": "2024-01-01", "endDate": "2024-01-02"}
    ))  # fmt: skip
    with ThreadPoolExecutor(1) as pool:
        creating = pool.submit(lambdas.invoke, route.function, event)
        assert paused.wait(10)
        assert api.get(BASE)[0] == 200  # another function resolves meanwhile
        other_done.set()
        answer = creating.result()
    assert answer["statusCode"] == 400
    assert json.loads(answer["body"])["requestId"] == event["requestContext"]["requestId"]


# The same over HTTP, against the local runtime ---------------------------------------------------


@pytest.fixture(scope="module")
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from leadlists_local.runtime import LocalRuntime

    rt = LocalRuntime(
        "127.0.0.1",
        0,
        seed_companies=60,
        seed_persons=300,
        state_dir=tmp_path_factory.mktemp("state"),
        parameters={"LogLevel": "WARNING"},
    )
    rt.start()
    yield rt
    rt.stop()


def test_overlapping_requests_over_http_keep_counts_exact(runtime):
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {runtime.token()}"

    def post(path: str, body: Any) -> requests.Response:
        return session.post(f"{runtime.base_url}{path}", json=body, timeout=120)

    def all_results(kind: str) -> list[str]:
        found, token = [], None
        while True:
            body = {"nextToken": token} if token else {"filter": {"exclude_countries": ["-"]}}
            page = post(f"/api/v1/search/{kind}", {**body, "pageSize": 100}).json()
            found += [r["id"] for r in page["results"]]
            token = page["nextToken"]
            if not token:
                return found

    company_ids, person_ids = all_results("companies"), all_results("prospects")
    lists = {}
    for kind in ("company", "person"):
        answer = post(BASE, {"name": kind, "type": kind, "startDate": "2024-01-01",
                             "endDate": "2024-12-31"})  # fmt: skip
        assert answer.status_code == 201, answer.text
        lists[kind] = answer.json()["id"]
    rng = random.Random(14)
    jobs: list[tuple[str, str, Any]] = []
    for _ in range(12):
        jobs.append(("add-companies", "company", {"companyIds": rng.sample(company_ids, 20)}))
        jobs.append(("remove-companies", "company", {"companyIds": rng.sample(company_ids, 10)}))
        persons = [{"id": i} for i in rng.sample(person_ids, 30)]
        jobs.append(("add-prospects", "person", {"persons": persons}))
        jobs.append(("remove-prospects", "person", {"personIds": rng.sample(person_ids, 10)}))
    rng.shuffle(jobs)

    def run(job: tuple[str, str, Any]) -> tuple[str, int]:
        route, kind, body = job
        answer = post(f"{BASE}/{lists[kind]}/{route}", body)
        assert answer.status_code == 200, answer.text
        if route == "add-companies":
            return route, int(answer.headers["X-Added-Count"])
        data = answer.json()
        return route, data.get("addedCount", data.get("removedCount", 0))

    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(run, jobs))
    totals: dict[str, int] = {}
    for route, count in results:
        totals[route] = totals.get(route, 0) + count
    final = {kind: session.get(f"{runtime.base_url}{BASE}/{lists[kind]}").json() for kind in lists}
    companies = len(final["company"]["companyIds"])
    persons = len(final["person"]["personIds"])
    assert totals["add-companies"] - totals["remove-companies"] == companies
    assert totals["add-prospects"] - totals["remove-prospects"] == persons
    assert len(final["company"]["companies"]) == companies
    session.close()
