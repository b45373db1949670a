"""The local runtime: AWS emulator, template resources, seeded catalog, HTTP API, pollers and
schedules in one process. `leadlists serve` is a thin wrapper; tests use it directly.

    runtime = LocalRuntime(port=0, seed_companies=30, seed_persons=300)
    base_url = runtime.start()
    token = runtime.token()          # org_demo / user_demo / admin
    ...
    runtime.stop()
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import boto3

from leadlists_local import lambdas, template, tokens
from leadlists_local.aws import AwsEnvironment
from leadlists_local.pollers import QueuePoller, ScheduleTimer, StreamPoller, stream_pollers
from leadlists_local.server import ApiServer

logger = logging.getLogger("leadlists_local")


def template_parameters(
    overrides: Mapping[str, str] | None = None, state_dir: Path | None = None
) -> dict[str, str]:
    """Values for the template's parameters locally. The authorizer's issuer and audience have
    no defaults in the template: locally they are the dev tokens' own, and its key set is the
    dev signing key's (a JWKS file in the state folder, HS256)."""
    return {
        "JwtIssuer": tokens.ISSUER,
        "JwtAudience": tokens.AUDIENCE,
        "JwksUrl": tokens.jwks_file(state_dir).as_uri(),
        "JwtAlgorithms": tokens.ALGORITHM,
        **(overrides or {}),
    }


class Invoker:
    """Calls functions in-process, each through a small pool of instances as Lambda's
    concurrency would: an instance handles one event at a time (a handler's module state, the
    resolver's current event, assumes it), and each instance is its own import of the handler.
    Calls to different functions, and up to `pool` calls to one, run concurrently."""

    def __init__(self, pool: int = 4) -> None:
        self.pool = pool
        self._free: dict[str, queue.LifoQueue[int]] = {}
        self._guard = threading.Lock()

    def _instances(self, logical_id: str) -> queue.LifoQueue[int]:
        with self._guard:
            if logical_id not in self._free:
                free: queue.LifoQueue[int] = queue.LifoQueue()
                for copy in reversed(range(self.pool)):
                    free.put(copy)
                self._free[logical_id] = free
            return self._free[logical_id]

    def __call__(self, logical_id: str, event: dict[str, Any]) -> Any:
        free = self._instances(logical_id)
        copy = free.get()  # the warmest free instance, or wait for one
        try:
            with self._guard:
                # Imported under the guard: two first requests must not import a module twice.
                lambdas.load_handler(logical_id, copy)
            token = lambdas.instance.set(copy)
            try:
                return lambdas.invoke(logical_id, event)
            finally:
                lambdas.instance.reset(token)
        finally:
            free.put(copy)


class LocalRuntime:
    """Everything `leadlists serve` runs, startable and stoppable in-process.

    Only one may run per process with the embedded emulator (moto's state is process-wide),
    and it owns the process environment while it runs (the functions read it).
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 3000,
        seed_companies: int = 200,
        seed_persons: int = 2000,
        *,
        endpoint: str | None = None,
        schedule_every: float | None = None,
        state_dir: Path | None = None,
        parameters: Mapping[str, str] | None = None,
        visibility_timeout: int = 5,
        wait_seconds: int = 1,
    ) -> None:
        if seed_persons and not seed_companies:
            raise ValueError("Persons need companies to work at: seed at least one company")
        self.host, self.port = host, port
        self.seed_companies, self.seed_persons = seed_companies, seed_persons
        self.schedule_every = schedule_every
        self.state_dir = state_dir
        self.visibility_timeout, self.wait_seconds = visibility_timeout, wait_seconds
        self.parameters = template_parameters(parameters, state_dir)
        self.aws = AwsEnvironment(endpoint, self.parameters)
        self.invoke = Invoker()
        self.base_url = ""
        self.pollers: list[QueuePoller] = []
        self.schedules: list[ScheduleTimer] = []
        self.streams: list[StreamPoller] = []  # DynamoDB stream mappings (live lists)
        self._server: ApiServer | None = None
        self._stop = threading.Event()
        self._key: bytes | None = None

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> str:
        """Start everything; returns the API's base URL."""
        try:
            self._key = tokens.signing_key(self.state_dir)
            # Bind first: a port in use should fail before anything slow happens.
            self._server = ApiServer(self.host, self.port, self.invoke)
            created = self.aws.open()
            if self.seed_companies or self.seed_persons:
                from leadlists_local.catalog import seed_catalog

                seed_catalog(companies=self.seed_companies, persons=self.seed_persons)
            self._start_background(created)
            self.base_url = self._server.start()
        except BaseException:
            self.stop()
            raise
        return self.base_url

    def _start_background(self, created: dict[str, Any]) -> None:
        self._stop.clear()
        sqs = boto3.client("sqs") if self._has_queues() else None
        for function in template.functions().values():
            for source in function.queues:
                queue = created["queues"][source["queue"]]
                poller = QueuePoller(
                    function.logical_id,
                    queue["url"],
                    queue["arn"],
                    source["batch_size"],
                    self.invoke,
                    sqs,
                    self._stop,
                    visibility_timeout=self.visibility_timeout,
                    wait_seconds=self.wait_seconds,
                    queue=source["queue"],
                )
                self.pollers.append(poller)
            for schedule in function.schedules:
                every = self.schedule_every or schedule["rate_seconds"]
                if not schedule["enabled"] or not every:
                    why = "disabled" if not schedule["enabled"] else "cron(): use --schedule-every"
                    name = f"{function.logical_id}.{schedule['name']}"
                    logger.info("schedule %s not fired (%s)", name, why)
                    continue
                rule = f"leadlists-local-{function.logical_id}-{schedule['name']}"
                timer = ScheduleTimer(
                    function.logical_id, rule, every, self.invoke, self._stop, schedule["input"]
                )
                self.schedules.append(timer)
        self.streams = stream_pollers(created, self.invoke, self._stop, boto3.Session())
        for thread in [*self.pollers, *self.schedules, *self.streams]:
            thread.start()

    @staticmethod
    def _has_queues() -> bool:
        return any(f.queues for f in template.functions().values())

    def stop(self) -> None:
        """Stop serving, let pollers finish their current batch, stop the emulator, and give the
        process its environment back. Safe to call twice."""
        self._stop.set()
        if self._server is not None:
            self._server.stop()
            self._server = None
        for thread in [*self.pollers, *self.schedules, *self.streams]:
            thread.join(timeout=self.wait_seconds + 30)
            if thread.is_alive():
                logger.warning("%s still busy at shutdown", thread.name)
        self.pollers, self.schedules, self.streams = [], [], []
        self.aws.close()

    def __enter__(self) -> LocalRuntime:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ tokens

    def token(
        self,
        org: str | None = tokens.DEMO_ORG,
        user: str = tokens.DEMO_USER,
        role: str | None = tokens.DEMO_ROLE,
        ttl: int = tokens.DEFAULT_TTL,
    ) -> str:
        """A bearer token this runtime accepts."""
        return tokens.mint(user, org, role, ttl, key=self._signing_key())

    def verify(self, token: str) -> dict[str, Any]:
        """The authorizer's check; raises jwt.InvalidTokenError when it would answer 401."""
        return tokens.verify(token, key=self._signing_key())

    def _signing_key(self) -> bytes:
        if self._key is None:
            self._key = tokens.signing_key(self.state_dir)
        return self._key

    # ------------------------------------------------------------------ facts

    @property
    def endpoint(self) -> str | None:
        """The AWS endpoint the functions use (the embedded moto server's URL by default)."""
        return self.aws.endpoint

    @property
    def created(self) -> dict[str, Any]:
        """Physical names of the template's tables, queues ({"url", "arn"}) and buckets."""
        return self.aws.created
