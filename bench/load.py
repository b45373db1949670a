"""Load over real HTTP: the local runtime in its own process, N concurrent clients, a mix of the
requests users make, for a fixed duration.

    .venv/bin/python -m bench.load [--clients 8] [--duration 30] [--companies 100] [--persons 1000]

Every option also reads an environment variable (BENCH_LOAD_CLIENTS, BENCH_LOAD_DURATION,
BENCH_LOAD_COMPANIES, BENCH_LOAD_PERSONS, BENCH_LOAD_SEED, BENCH_LOAD_TIMEOUT,
BENCH_LOAD_ALONE_ROUNDS), so `make bench` can be resized without editing anything; with the
defaults the whole run takes a little over a minute on two CPUs. The default catalog is half
of `make run`'s: every search scans the emulated catalog, and a 30 s window should hold enough
requests for percentiles (the local runtime serves a few requests a second of this mix).

The runtime starts as `make run` starts it (embedded moto, the template's tables and queues,
the seeded synthetic catalog, pollers), on a free port and in a child process (clients and
server do not share a GIL), with a freshly minted admin token of its own signing key; every
request goes through the gateway's JWT check. The set-up is done over HTTP: two saved lists
everyone reads and one per client that only it renames, all refreshed before the clock starts;
shared lead lists with 50 members; a person and a company lead list per client. The catalog's
ids come from the deterministic generator the runtime seeds from. Every route is then called
once (untimed: it imports the handlers) and a few more times one request at a time (the
"alone" column: latency without queueing). Then each client, on its own
keep-alive connection, picks requests by weight (seeded, so the mix is reproducible) until the
duration is over. Latency is client-side: from sending a request to having read the whole
answer. An answer with any status but the one its route must give, or a body that is not what
it should be, is an error; the first ones are printed and written with their body, and the
run exits 1.

Nothing here queues background work during the measured window: saves rename the client's own
list without changing its filter (a changed filter would queue a refresh, which
`bench.refresh` measures), so the figures are the request path alone.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import math
import multiprocessing
import os
import random
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from bench import report

SECTION = "Load"
LEAD = "/api/v1/entities/leadlists"
MAX_ERROR_SAMPLES = 10

PERSON_FILTERS: list[dict[str, Any]] = [
    {"countries": ["Germany"], "seniorities": ["VP", "Director"]},
    {"countries": ["United States"], "industries": ["Software", "Technology"]},
    {"job_titles": ["Sales"]},
    {"departments": ["Engineering"], "countries": ["United Kingdom", "France"]},
    {"seniorities": ["C-Level"]},
    {"keywords": ["data"], "exclude_countries": ["United States"]},
]
COMPANY_FILTERS: list[dict[str, Any]] = [
    {"industries": ["Software"]},
    {"countries": ["Japan", "Singapore", "India"]},
    {"company_sizes": ["51-200", "201-500"], "countries": ["United States"]},
    {"keywords": ["cloud"]},
]
# Saved lists everyone reads (a hundred members or more at 1,000 persons, so pages follow)...
SHARED_FILTERS: list[dict[str, Any]] = [
    {"countries": ["Germany", "France", "United Kingdom"]},
    {"departments": ["Sales", "Marketing"], "countries": ["United States"]},
]
# ...and each client's own, which it renames (narrow: its set-up refresh is quick).
OWN_FILTERS: list[dict[str, Any]] = [
    {"countries": ["Singapore"], "seniorities": ["C-Level", "VP"]},
    {"countries": ["Sweden"], "departments": ["Finance"]},
    {"countries": ["Japan"], "seniorities": ["Director"]},
]


def _rng(seed: str) -> random.Random:
    """A seeded generator: the mix is reproducible (nothing here is a secret)."""
    return random.Random(seed)  # noqa: S311


def _env(name: str, default: float) -> float:
    value = os.environ.get(f"BENCH_LOAD_{name}")
    return float(value) if value else default


# ----------------------------------------------------------------------------- the runtime


def _serve(conn: Connection, companies: int, persons: int, state_dir: str) -> None:
    """Child process: the local runtime, until the parent says stop (or goes away)."""
    import logging

    logging.basicConfig(level=logging.WARNING)
    from leadlists_local.runtime import LocalRuntime

    runtime = LocalRuntime(
        "127.0.0.1",
        0,
        seed_companies=companies,
        seed_persons=persons,
        state_dir=Path(state_dir),
        parameters={"LogLevel": "WARNING"},
    )
    try:
        base_url = runtime.start()
    except BaseException as exc:
        conn.send(("failed", repr(exc)))
        raise
    try:
        conn.send(("ready", base_url, runtime.token(), catalog_ids(companies, persons)))
        with contextlib.suppress(EOFError):
            conn.recv()
    finally:
        runtime.stop()


def catalog_ids(companies: int, persons: int) -> dict[str, list[str]]:
    """The seeded catalog's ids (the synthetic catalog is deterministic: the runtime seeds these
    very records), so the set-up does not have to page searches for them."""
    from leadlists_local import catalog

    company_list = catalog.companies(companies)
    return {
        "companies": [c["id"] for c in company_list],
        "persons": [p["id"] for p in catalog.persons(persons, company_list)],
    }


class Runtime:
    """The local runtime in a child process, so that clients and server do not share a GIL."""

    def __init__(self, companies: int, persons: int) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="bench-load-")
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self.process = context.Process(
            target=_serve, args=(child, companies, persons, self._folder.name), daemon=True
        )
        self.process.start()
        child.close()
        if not self._conn.poll(180):
            self.stop()
            raise RuntimeError("the local runtime did not start within 180 s")
        try:
            answer = self._conn.recv()
        except EOFError:
            answer = ("failed", f"its process exited ({self.process.exitcode})")
        if answer[0] != "ready":
            self.stop()
            raise RuntimeError(f"the local runtime failed to start: {answer[1]}")
        _, self.base_url, self.token, self.ids = answer

    def cpu_seconds(self) -> float | None:
        """User + system CPU time of the runtime's process and its children (the embedded
        emulator runs in one) so far (Linux only)."""
        total = 0
        pids = [self.process.pid]
        try:
            for pid in pids:
                proc = Path(f"/proc/{pid}")
                fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])
                for task in (proc / "task").iterdir():
                    children = (task / "children").read_text().split()
                    pids.extend(int(c) for c in children)
        except OSError:
            return None
        return total / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self._conn.send("stop")
        self.process.join(60)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(10)
        self._conn.close()
        self._folder.cleanup()


# ------------------------------------------------------------------------------ the client


@dataclass
class Answer:
    status: int  # 0: no answer (connection error, timeout)
    body: bytes
    headers: dict[str, str]
    ms: float

    def json(self) -> Any:
        return json.loads(self.body)


class Client:
    """One keep-alive HTTP/1.1 connection, reopened after a failure."""

    def __init__(self, base_url: str, token: str, timeout: float) -> None:
        host, port = base_url.split("//", 1)[1].rsplit(":", 1)
        self.host, self.port, self.timeout = host, int(port), timeout
        self.headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)

    def call(self, method: str, path: str, body: Any = None) -> Answer:
        headers = dict(self.headers)
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        start = time.perf_counter()
        try:
            self.conn.request(method, path, body=payload, headers=headers)
            response = self.conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as exc:
            self.conn.close()
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            ms = (time.perf_counter() - start) * 1000
            return Answer(0, f"{type(exc).__name__}: {exc}".encode(), {}, ms)
        ms = (time.perf_counter() - start) * 1000
        return Answer(response.status, data, dict(response.getheaders()), ms)

    def must(self, method: str, path: str, body: Any = None, status: int = 200) -> Any:
        """A set-up call: it must succeed."""
        answer = self.call(method, path, body)
        if answer.status != status:
            text = answer.body[:500].decode(errors="replace")
            raise RuntimeError(f"set-up {method} {path}: {answer.status} {text}")
        return answer.json() if answer.body else None

    def close(self) -> None:
        self.conn.close()


# ------------------------------------------------------------------------------- the set-up


@dataclass
class Shared:
    """What every client reads: ids made during the set-up."""

    org: str
    saved: list[str]
    contact_pages: dict[str, list[str | None]]
    person_lists: list[str]
    company_lists: list[str]
    person_ids: list[str]
    company_ids: list[str]


@dataclass
class Own:
    """What one client writes to: nobody else touches these."""

    name: str
    saved: dict[str, Any]
    person_list: str
    company_list: str
    seq: int = 0


def _lead_list(client: Client, kind: str, name: str) -> str:
    body = {"name": name, "type": kind, "startDate": "2024-01-01", "endDate": "2024-12-31"}
    return client.must("POST", LEAD, body, status=201)["id"]


def _wait_idle(client: Client, list_id: str, deadline: float) -> dict[str, Any]:
    while True:
        current = client.must("GET", f"/lists/{list_id}")
        if current["refreshStatus"] == "idle":
            return current
        if current["refreshStatus"] == "failed" or time.monotonic() > deadline:
            raise RuntimeError(f"set-up refresh of {list_id}: {current}")
        time.sleep(0.2)


def set_up(
    client: Client, clients: int, tag: str, ids: dict[str, list[str]]
) -> tuple[Shared, list[Own]]:
    org = _token_org(client)
    base = {"organizationId": org, "contacts_found": 0}
    shared_saved = [
        client.must("POST", "/lists/save", {**base, "listName": f"load {tag} shared {i}",
                                            "filter": flt})
        for i, flt in enumerate(SHARED_FILTERS)
    ]  # fmt: skip
    own_saved = [
        client.must("POST", "/lists/save", {**base, "listName": f"load {tag} {i}",
                                            "filter": OWN_FILTERS[i % len(OWN_FILTERS)]})
        for i in range(clients)
    ]  # fmt: skip
    # While the runtime computes those lists in the background: lead lists.
    rng = _rng(tag)
    person_ids, company_ids = ids["persons"], ids["companies"]
    person_lists, company_lists = [], []
    for i in range(2):
        lid = _lead_list(client, "person", f"load {tag} persons {i}")
        persons = [{"id": p} for p in rng.sample(person_ids, min(50, len(person_ids)))]
        client.must("POST", f"{LEAD}/{lid}/add-prospects", {"persons": persons})
        person_lists.append(lid)
        lid = _lead_list(client, "company", f"load {tag} companies {i}")
        ids = rng.sample(company_ids, min(50, len(company_ids)))
        client.must("POST", f"{LEAD}/{lid}/add-companies", {"companyIds": ids})
        company_lists.append(lid)
    own = [
        Own(
            name=f"load {tag} {i}",
            saved=saved,
            person_list=_lead_list(client, "person", f"load {tag} own persons {i}"),
            company_list=_lead_list(client, "company", f"load {tag} own companies {i}"),
        )
        for i, saved in enumerate(own_saved)
    ]
    deadline = time.monotonic() + 300
    for mine in own:
        mine.saved = _wait_idle(client, mine.saved["id"], deadline)
    pages: dict[str, list[str | None]] = {}
    for saved in shared_saved:
        lid, token, tokens = saved["id"], None, [None]
        _wait_idle(client, lid, deadline)
        while len(tokens) < 4:
            query = f"?limit=25&nextToken={token}" if token else "?limit=25"
            token = client.must("GET", f"/lists/{lid}/contacts{query}").get("nextToken")
            if not token:
                break
            tokens.append(token)
        pages[lid] = tokens
    shared = Shared(
        org=org,
        saved=[s["id"] for s in shared_saved] + [mine.saved["id"] for mine in own],
        contact_pages=pages,
        person_lists=person_lists,
        company_lists=company_lists,
        person_ids=person_ids,
        company_ids=company_ids,
    )
    return shared, own


def _token_org(client: Client) -> str:
    import base64

    token = client.headers["Authorization"].split()[1]
    claims = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))["org_id"]


# ---------------------------------------------------------------------------------- the mix


@dataclass
class Request:
    method: str
    path: str
    body: Any = None
    status: int = 200
    check: Callable[[Any], str | None] | None = None  # an error message, or None


Make = Callable[[Shared, Own, random.Random], Request]


def _expect_keys(*keys: str) -> Callable[[Any], str | None]:
    def check(body: Any) -> str | None:
        missing = [k for k in keys if not isinstance(body, dict) or k not in body]
        return f"answer lacks {missing}" if missing else None

    return check


def get_saved_list(s: Shared, own: Own, rng: random.Random) -> Request:
    return Request("GET", f"/lists/{rng.choice(s.saved)}", check=_expect_keys("id", "version"))


def list_saved_lists(s: Shared, own: Own, rng: random.Random) -> Request:
    return Request("GET", f"/lists/{s.org}?limit=10", check=lambda b: _is_list(b))


def list_contacts(s: Shared, own: Own, rng: random.Random) -> Request:
    lid = rng.choice(list(s.contact_pages))
    token = rng.choice(s.contact_pages[lid])
    query = f"?limit=25&nextToken={token}" if token else "?limit=25"
    return Request("GET", f"/lists/{lid}/contacts{query}", check=_expect_keys("contacts"))


def save_list(s: Shared, own: Own, rng: random.Random) -> Request:
    own.seq += 1
    current = own.saved
    body = {
        "id": current["id"],
        "version": current["version"],
        "organizationId": s.org,
        "listName": f"{own.name} r{own.seq}",
        "contacts_found": 0,
        "filter": current["usedFilter"],
    }

    def check(answer: Any) -> str | None:
        if not isinstance(answer, dict) or answer.get("version") != current["version"] + 1:
            return "version not bumped by one"
        if answer.get("refreshStatus") != "idle":
            return f"a rename queued a refresh ({answer.get('refreshStatus')})"
        own.saved = answer
        return None

    return Request("POST", "/lists/save", body, check=check)


def search_prospects(s: Shared, own: Own, rng: random.Random) -> Request:
    body = {"filter": rng.choice(PERSON_FILTERS), "pageSize": 25}
    return Request("POST", "/api/v1/search/prospects", body, check=_expect_keys("total", "results"))


def search_companies(s: Shared, own: Own, rng: random.Random) -> Request:
    body = {"filter": rng.choice(COMPANY_FILTERS), "pageSize": 25}
    return Request("POST", "/api/v1/search/companies", body, check=_expect_keys("total", "results"))


def get_lead_list(s: Shared, own: Own, rng: random.Random) -> Request:
    lid = rng.choice(s.person_lists + s.company_lists)
    return Request("GET", f"{LEAD}/{lid}", check=_expect_keys("id", "type"))


def list_lead_lists(s: Shared, own: Own, rng: random.Random) -> Request:
    return Request("GET", f"{LEAD}?limit=10", check=_expect_keys("leadLists"))


def create_lead_list(s: Shared, own: Own, rng: random.Random) -> Request:
    kind = rng.choice(["person", "company"])
    own.seq += 1
    body = {
        "name": f"load {uuid.uuid4().hex[:8]}",
        "type": kind,
        "startDate": "2024-01-01T00:00:00.000Z",
        "endDate": "2024-12-31T23:59:59.000Z",
    }

    def check(answer: Any) -> str | None:
        if not isinstance(answer, dict) or "id" not in answer:
            return "answer lacks id"
        # The client's newest list of that type is where its next adds go (lists stay small).
        if kind == "person":
            own.person_list = answer["id"]
        else:
            own.company_list = answer["id"]
        return None

    return Request("POST", LEAD, body, status=201, check=check)


def add_prospects(s: Shared, own: Own, rng: random.Random) -> Request:
    persons = [{"id": p} for p in rng.sample(s.person_ids, 10)]
    body = {"persons": persons}
    return Request(
        "POST", f"{LEAD}/{own.person_list}/add-prospects", body, check=_added(len(persons))
    )


def add_companies(s: Shared, own: Own, rng: random.Random) -> Request:
    body = {"companyIds": rng.sample(s.company_ids, 5)}
    return Request("POST", f"{LEAD}/{own.company_list}/add-companies", body)


def update_lead_list(s: Shared, own: Own, rng: random.Random) -> Request:
    own.seq += 1
    body = {"name": f"load own r{own.seq}", "endDate": "2025-06-30T23:59:59.000Z"}
    return Request("PATCH", f"{LEAD}/{own.person_list}", body, check=_expect_keys("id"))


def remove_prospects(s: Shared, own: Own, rng: random.Random) -> Request:
    body = {"personIds": rng.sample(s.person_ids, 5)}
    return Request(
        "POST", f"{LEAD}/{own.person_list}/remove-prospects", body, check=_counted("removedCount")
    )


def _is_list(body: Any) -> str | None:
    return None if isinstance(body, list) else "answer is not a list"


def _added(most: int) -> Callable[[Any], str | None]:
    def check(body: Any) -> str | None:
        count = body.get("addedCount") if isinstance(body, dict) else None
        return None if isinstance(count, int) and 0 <= count <= most else f"addedCount {count}"

    return check


def _counted(key: str) -> Callable[[Any], str | None]:
    def check(body: Any) -> str | None:
        ok = isinstance(body, dict) and isinstance(body.get(key), int)
        return None if ok else f"answer lacks {key}"

    return check


# (operation, route, weight, make). Reads dominate, as they do for a team browsing its lists.
MIX: list[tuple[str, str, int, Make]] = [
    ("get saved list", "GET /lists/{id}", 16, get_saved_list),
    ("list saved lists", "GET /lists/{org}", 5, list_saved_lists),
    ("list contacts page", "GET /lists/{id}/contacts", 16, list_contacts),
    ("save list (rename)", "POST /lists/save", 5, save_list),
    ("search prospects", "POST /api/v1/search/prospects", 12, search_prospects),
    ("search companies", "POST /api/v1/search/companies", 6, search_companies),
    ("get lead list", "GET /api/v1/entities/leadlists/{id}", 12, get_lead_list),
    ("list lead lists", "GET /api/v1/entities/leadlists", 5, list_lead_lists),
    ("create lead list", "POST /api/v1/entities/leadlists", 5, create_lead_list),
    ("add prospects (10)", "POST .../{id}/add-prospects", 8, add_prospects),
    ("add companies (5)", "POST .../{id}/add-companies", 5, add_companies),
    ("update lead list", "PATCH /api/v1/entities/leadlists/{id}", 3, update_lead_list),
    ("remove prospects (5)", "POST .../{id}/remove-prospects", 2, remove_prospects),
]


# ------------------------------------------------------------------------------- the run


@dataclass
class Sample:
    op: str
    ms: float
    ok: bool
    end: float


@dataclass
class Outcome:
    samples: list[Sample] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def run_one(client: Client, request: Request) -> tuple[Answer, str | None]:
    answer = client.call(request.method, request.path, request.body)
    if answer.status != request.status:
        return answer, f"status {answer.status}, expected {request.status}"
    try:
        body = answer.json()
    except ValueError:
        return answer, "answer is not JSON"
    return answer, request.check(body) if request.check else None


def worker(
    index: int,
    args: argparse.Namespace,
    own: Own,
    shared: Shared,
    base_url: str,
    token: str,
    start: threading.Barrier,
    deadline: list[float],
    outcome: Outcome,
) -> None:
    rng = _rng(f"{args.seed}-{index}")
    names = [m[0] for m in MIX]
    weights = [m[2] for m in MIX]
    makers = {m[0]: m[3] for m in MIX}
    client = Client(base_url, token, args.timeout)
    mine: list[Sample] = []
    try:
        start.wait()
        while time.perf_counter() < deadline[0]:
            op = rng.choices(names, weights)[0]
            request = makers[op](shared, own, rng)
            answer, problem = run_one(client, request)
            mine.append(Sample(op, answer.ms, problem is None, time.perf_counter()))
            if problem is not None:
                with outcome.lock:
                    if len(outcome.errors) < MAX_ERROR_SAMPLES:
                        outcome.errors.append(
                            {
                                "op": op,
                                "request": f"{request.method} {request.path}",
                                "problem": problem,
                                "status": answer.status,
                                "body": answer.body[:600].decode(errors="replace"),
                            }
                        )
    finally:
        client.close()
        with outcome.lock:
            outcome.samples += mine


def warm_up(
    client: Client, shared: Shared, own: Own, seed: int, rounds: int
) -> dict[str, list[float]]:
    """Every route once, in turn (imports each handler, not counted), then `rounds` more times
    one request at a time: each route's latency alone, without the others queueing."""
    rng = _rng(f"{seed}-warm")
    alone: dict[str, list[float]] = defaultdict(list)
    for round_ in range(rounds + 1):
        for op, _, _, make in MIX:
            answer, problem = run_one(client, make(shared, own, rng))
            if problem:
                raise RuntimeError(f"warm-up {op}: {problem}: {answer.body[:500]!r}")
            if round_:
                alone[op].append(answer.ms)
    return alone


def percentile(values: list[float], p: float) -> float:
    """Nearest rank."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def summarize(
    outcome: Outcome, began: float, alone: dict[str, list[float]]
) -> tuple[list[dict[str, Any]], float]:
    elapsed = max(s.end for s in outcome.samples) - began
    by_op: dict[str, list[Sample]] = defaultdict(list)
    for sample in outcome.samples:
        by_op[sample.op].append(sample)
    rows = []
    total_weight = sum(m[2] for m in MIX)
    medians = {op: percentile(ms, 50) for op, ms in alone.items() if ms}
    # The mix's mean latency with no queueing: what one request of it costs on average.
    if medians:
        medians["all"] = sum(medians.get(m[0], 0) * m[2] for m in MIX) / total_weight
    for op, route, weight, _ in [*MIX, ("all", "", total_weight, None)]:
        samples = outcome.samples if op == "all" else by_op.get(op, [])
        if not samples:
            continue
        ms = [s.ms for s in samples]
        rows.append(
            {
                "op": op,
                "route": route,
                "weight": weight,
                "requests": len(samples),
                "errors": sum(1 for s in samples if not s.ok),
                "rps": len(samples) / elapsed,
                "p50": percentile(ms, 50),
                "p95": percentile(ms, 95),
                "p99": percentile(ms, 99),
                "max": max(ms),
                "alone": medians.get(op),
            }
        )
    return rows, elapsed


def table(rows: list[dict[str, Any]]) -> list[str]:
    lines = [
        "| operation | route | weight | requests | errors | req/s | p50 ms | p95 ms | p99 ms "
        "| max ms | alone ms |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        name = f"**{r['op']}**" if r["op"] == "all" else r["op"]
        route = f"`{r['route']}`" if r["route"] else ""
        lines.append(
            f"| {name} | {route} | {r['weight']} | {r['requests']:,} | {r['errors']} | "
            f"{r['rps']:.1f} | {r['p50']:.0f} | {r['p95']:.0f} | {r['p99']:.0f} | "
            f"{r['max']:.0f} | {'—' if r['alone'] is None else format(r['alone'], '.0f')} |"
        )
    return lines


def error_lines(errors: list[dict[str, Any]], total: int) -> list[str]:
    if not errors:
        return ["Errors: none (every answer had its route's status and body)."]
    lines = [f"Errors: {total}. The first {len(errors)}:", ""]
    for e in errors:
        body = e["body"].replace("|", "\\|").replace("\n", " ")
        lines.append(f"- {e['op']}: `{e['request']}` → {e['problem']}: `{body}`")
    return lines


def run(args: argparse.Namespace) -> dict[str, Any]:
    started = time.perf_counter()
    load_before = os.getloadavg()[0]
    runtime = Runtime(args.companies, args.persons)
    try:
        boot = time.perf_counter() - started
        setup_client = Client(runtime.base_url, runtime.token, args.timeout)
        tag = uuid.uuid4().hex[:6]
        shared, own = set_up(setup_client, args.clients, tag, runtime.ids)
        alone = warm_up(setup_client, shared, own[0], args.seed, args.alone_rounds)
        setup_client.close()
        setup = time.perf_counter() - started - boot

        outcome = Outcome()
        barrier = threading.Barrier(args.clients + 1)
        deadline = [math.inf]
        common = (shared, runtime.base_url, runtime.token, barrier, deadline, outcome)
        threads = [
            threading.Thread(target=worker, args=(i, args, own[i], *common), name=f"load-{i}")
            for i in range(args.clients)
        ]
        for thread in threads:
            thread.start()
        cpu_before, client_cpu = runtime.cpu_seconds(), time.process_time()
        began = time.perf_counter()
        deadline[0] = began + args.duration
        barrier.wait()
        for thread in threads:
            thread.join()
        cpu_after, client_cpu = runtime.cpu_seconds(), time.process_time() - client_cpu
    finally:
        runtime.stop()
    rows, elapsed = summarize(outcome, began, alone)
    server_cpu = None if cpu_before is None or cpu_after is None else cpu_after - cpu_before
    return {
        "rows": rows,
        "elapsed": elapsed,
        "boot": boot,
        "setup": setup,
        "total": time.perf_counter() - started,
        "errors": outcome.errors,
        "error_count": sum(1 for s in outcome.samples if not s.ok),
        "server_cpu": server_cpu,
        "client_cpu": client_cpu,
        "load": (load_before, os.getloadavg()[0]),
    }


# The figures issue 14 started from (8 clients, this mix and catalog, same machine class):
# req/s, and the runtime's CPU a request (32.0 CPU-s for 81 requests).
BEFORE_RPS = 2.6
BEFORE_CPU_MS = 395


def write_results(args: argparse.Namespace, result: dict[str, Any], command: str) -> None:
    elapsed = result["elapsed"]
    cpu = []
    if result["server_cpu"] is not None:
        cpu.append(
            f"the runtime's processes (functions, and the emulator's own) used "
            f"{result['server_cpu']:.1f} s of CPU in the {elapsed:.1f} s window "
            f"({result['server_cpu'] / elapsed:.0%} of one core)"
        )
        requests = next(r for r in result["rows"] if r["op"] == "all")["requests"]
        cpu.append(f"{result['server_cpu'] * 1000 / requests:.0f} ms of its CPU a request")
    cpu.append(
        f"the clients' process {result['client_cpu']:.2f} s "
        f"({result['client_cpu'] / elapsed:.0%} of one core)"
    )
    body = [
        f"`{command}`, {report.now()}; the machine's 1-minute load average was "
        f"{result['load'][0]:.1f} at the start and {result['load'][1]:.1f} at the end "
        "(2 CPUs, shared).",
        "",
        f"{args.clients} concurrent clients, each on its own keep-alive connection, for "
        f"{args.duration:g} s against the local runtime as `make run` starts it (its own "
        f"process, embedded moto, {args.companies:,} companies and {args.persons:,} persons "
        "seeded, JWT check on every request), after a set-up over HTTP (two saved lists "
        "everyone reads and one per client that only it renames, all refreshed; shared lead "
        "lists of 50 members; a person and a company lead list per client), one untimed "
        "request per route and the 'alone' rounds. Each client picks its next request by weight "
        "(seeded); writes go "
        "to the client's own lists, reads to everyone's. Latency is client-side, from sending "
        "a request to having read its whole answer; req/s is requests over the window. An "
        "error is any status but the route's own (200; 201 for create) or a body that is not "
        "what it must be. A p99 over fewer than 100 requests is close to that row's maximum. "
        f"'alone' is the median of {args.alone_rounds} sequential requests to the route before "
        "the load (no queueing; in the **all** row, the mix's weighted mean): the difference "
        "from p50 is time spent waiting behind other clients.",
        "",
        *table(result["rows"]),
        "",
        *error_lines(result["errors"], result["error_count"]),
        "",
        f"CPU: {'; '.join(cpu)}. Runtime start {result['boot']:.1f} s, set-up "
        f"{result['setup']:.1f} s, whole run {result['total']:.0f} s.",
        "",
        "These are the local runtime's figures, not AWS's: every function runs in one Python "
        "process (one GIL) with up to 4 instances a function (each one event at a time, as "
        "Lambda's), the embedded moto runs in a process of its own, serializes DynamoDB calls "
        "and scans the catalog for each search (its shims in `leadlists_local/moto_shims.py` "
        "answer data calls as plain JSON, walk only a query's partition, and keep sorted walks "
        "and item sizes until a table is written). With two CPUs shared by other work, the "
        "req/s figure is bound by the CPU the runtime gets: CPU-seconds per request (below) is "
        "the figure that does not depend on the machine's load. They catch regressions and "
        "errors under concurrency; AWS scales each function and table independently.",
    ]
    report.write_section(SECTION, body)
    whole = next(r for r in result["rows"] if r["op"] == "all")
    report.write_summary(
        "Load",
        f"{whole['rps']:.1f} req/s with {args.clients} clients, {whole['rps'] / BEFORE_RPS:.1f}x "
        f"the {BEFORE_RPS} req/s measured before issue 14, p99 {whole['p99']:.0f} ms, "
        f"{result['error_count']} errors, load average {result['load'][1]:.1f}; "
        + (
            f"{result['server_cpu'] * 1000 / whole['requests']:.0f} ms of the runtime's CPU a "
            f"request against {BEFORE_CPU_MS} before "
            if result["server_cpu"] is not None
            else ""
        )
        + "(goal: 4x, p99 under 2 s, no errors)",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__)
    parser.add_argument("--clients", type=int, default=int(_env("CLIENTS", 8)))
    parser.add_argument("--duration", type=float, default=_env("DURATION", 30), help="seconds")
    parser.add_argument("--companies", type=int, default=int(_env("COMPANIES", 100)))
    parser.add_argument("--persons", type=int, default=int(_env("PERSONS", 1000)))
    parser.add_argument("--seed", type=int, default=int(_env("SEED", 7)), help="of the mix")
    parser.add_argument(
        "--timeout", type=float, default=_env("TIMEOUT", 60), help="seconds a request"
    )
    parser.add_argument(
        "--alone-rounds",
        type=int,
        default=int(_env("ALONE_ROUNDS", 2)),
        help="sequential requests a route before the load, for the 'alone' column",
    )
    parser.add_argument("--no-write", action="store_true", help="do not update results.md")
    args = parser.parse_args(argv)
    if (
        args.clients < 1
        or args.duration <= 0
        or args.persons < 100
        or args.companies < 20
        or args.alone_rounds < 0
    ):
        parser.error(
            "need clients >= 1, duration > 0, persons >= 100, companies >= 20, alone rounds >= 0"
        )

    print(f"machine: {report.machine_line()}", flush=True)
    print(
        f"load: {args.clients} clients, {args.duration:g} s, catalog {args.companies:,} "
        f"companies / {args.persons:,} persons",
        flush=True,
    )
    result = run(args)
    print("\n".join(table(result["rows"])))
    print("\n".join(error_lines(result["errors"], result["error_count"])))
    if result["server_cpu"] is not None:
        print(f"runtime process CPU {result['server_cpu']:.1f} s in {result['elapsed']:.1f} s")
    print(f"load average {result['load'][0]:.1f} -> {result['load'][1]:.1f}")
    print(
        f"start {result['boot']:.1f} s, set-up {result['setup']:.1f} s, "
        f"total {result['total']:.0f} s"
    )
    if not args.no_write:
        command = f"python -m bench.load --clients {args.clients} --duration {args.duration:g}"
        command += f" --companies {args.companies} --persons {args.persons} --seed {args.seed}"
        command += f" --alone-rounds {args.alone_rounds}"
        write_results(args, result, command)
        print(f"results: {report.RESULTS.name}")
    return 1 if result["error_count"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
