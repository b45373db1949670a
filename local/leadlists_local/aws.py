"""Where the functions' AWS calls go: an embedded moto server on loopback, or a given endpoint.

The layer caches its settings and boto3 clients (lru_cache), so the process environment must be
final before a handler runs; `AwsEnvironment` sets it, and restores it on close so one process
(a test session) can start and stop runtimes.
"""

from __future__ import annotations

import logging
import os
import subprocess  # nosec B404 - starts the emulator's own process
import sys
import threading
from collections.abc import Mapping
from typing import Any

import boto3

from leadlists_local import lambdas, resources
from leadlists_local.moto_process import QUIET_LOGGERS

REGION = "us-east-1"
# The emulator accepts any credentials; these keep real ones away from it.
DUMMY_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local"}  # nosec B105

logger = logging.getLogger("leadlists_local")


class EmbeddedMoto:
    """moto's threaded server in a child process on a free loopback port
    (`leadlists_local.moto_process`): the emulator runs beside the functions instead of sharing
    their interpreter, so a function's Python and the emulator's work proceed in parallel. One
    per process, as the environment it points the functions at is process-wide."""

    _active: EmbeddedMoto | None = None
    _guard = threading.RLock()  # start() stops what failed to start

    def __init__(self) -> None:
        self._process: subprocess.Popen[str] | None = None
        self.url = ""

    def start(self) -> str:
        for name in QUIET_LOGGERS:
            logging.getLogger(name).setLevel(logging.ERROR)
        with EmbeddedMoto._guard:
            if EmbeddedMoto._active is not None:
                raise RuntimeError("An embedded moto server already runs in this process")
            self._process = subprocess.Popen(  # nosec B603 - our interpreter, our module
                [sys.executable, "-m", "leadlists_local.moto_process"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
            out = self._process.stdout
            self.url = out.readline().strip() if out is not None else ""
            if not self.url.startswith("http://"):
                self.stop()
                raise RuntimeError("The embedded moto server did not start")
            EmbeddedMoto._active = self
        return self.url

    def stop(self) -> None:
        with EmbeddedMoto._guard:
            process, self._process = self._process, None
            if process is not None:
                if process.stdin is not None:
                    process.stdin.close()  # its cue to stop
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
                if process.stdout is not None:
                    process.stdout.close()
            if EmbeddedMoto._active is self:
                EmbeddedMoto._active = None


def reset_layer_caches() -> None:
    """Forget every cached setting and client of the layer, and the loaded handler modules."""
    for name, module in list(sys.modules.items()):
        if module is None or not (name == "leadlists" or name.startswith("leadlists.")):
            continue
        for value in list(vars(module).values()):
            if (
                callable(getattr(value, "cache_clear", None))
                and getattr(value, "__module__", None) == name
            ):
                value.cache_clear()
    lambdas.load_handler.cache_clear()
    for name in [n for n in sys.modules if n.startswith("leadlists_fn_")]:
        del sys.modules[name]
    # A fresh default session reads the new environment (endpoint, region, credentials).
    boto3.DEFAULT_SESSION = None


class AwsEnvironment:
    """Points boto3 (ours and the layer's) at an endpoint and creates the template's resources.

    endpoint=None starts an embedded moto server; a URL uses that endpoint (LocalStack...);
    "aws" uses the ambient AWS configuration with no endpoint override.
    """

    def __init__(self, endpoint: str | None = None, parameters: Mapping[str, str] | None = None):
        self.requested = endpoint
        self.parameters = dict(parameters or {})
        self.moto: EmbeddedMoto | None = None
        self.endpoint: str | None = None
        self.created: dict[str, Any] = {}
        self._saved: dict[str, str | None] = {}

    @property
    def embedded(self) -> bool:
        return self.moto is not None

    def open(self) -> dict[str, Any]:
        try:
            base = self._base_environment()
            self._set(base)
            reset_layer_caches()
            self.created = resources.create_all(boto3.Session(region_name=base.get("AWS_REGION")))
            self._set(resources.environment_all(self.created, self.parameters))
            reset_layer_caches()
        except BaseException:
            self.close()
            raise
        return self.created

    def _base_environment(self) -> dict[str, str]:
        # Webhooks may target this machine (http://127.0.0.1:<port>): never set by the template.
        env = {"POWERTOOLS_TRACE_DISABLED": "true", "WEBHOOK_ALLOW_LOOPBACK": "true"}
        if self.requested is None:
            self.moto = EmbeddedMoto()
            self.endpoint = self.moto.start()
            # Never hand real credentials to the emulator, and never read a profile for it.
            env.update(DUMMY_CREDENTIALS, AWS_DEFAULT_REGION=REGION, AWS_REGION=REGION)
            env.update(AWS_ENDPOINT_URL=self.endpoint, AWS_SESSION_TOKEN="")  # nosec B106
        else:
            region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or REGION
            env.update(AWS_DEFAULT_REGION=region, AWS_REGION=region)
            if self.requested.lower() != "aws":
                self.endpoint = self.requested
                env["AWS_ENDPOINT_URL"] = self.requested
                if not os.environ.get("AWS_ACCESS_KEY_ID"):
                    env.update(DUMMY_CREDENTIALS)  # LocalStack accepts any
        return env

    def _set(self, values: Mapping[str, str]) -> None:
        for key, value in values.items():
            if key not in self._saved:
                self._saved[key] = os.environ.get(key)
            if value == "":
                os.environ.pop(key, None)
            else:
                os.environ[key] = value

    def close(self) -> None:
        """Restore the environment as it was, drop cached clients, stop the embedded server."""
        for key, value in self._saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        self._saved.clear()
        reset_layer_caches()
        if self.moto is not None:
            self.moto.stop()
            self.moto = None

    def describe(self) -> str:
        if self.embedded:
            return f"{self.endpoint} (embedded moto)"
        return self.endpoint or "AWS (ambient configuration)"
