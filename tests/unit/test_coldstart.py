"""Cold start: the layer's models build on first use, SnapStart's hooks build them ahead."""

from __future__ import annotations

import importlib
import json
import random
import subprocess
import sys
import types
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from leadlists import api, coldstart
from leadlists.models.member_changes import AddCompaniesRequest


def test_models_wait_for_their_first_use_and_warm_builds_a_routes_models(monkeypatch):
    # A model class of its own, so the result does not depend on what other tests validated.
    from pydantic import BaseModel

    class Probe(BaseModel):
        name: str

    assert not Probe.__pydantic_complete__  # nothing built at import (class creation)
    assert Probe.model_validate({"name": "x"}).name == "x"
    assert Probe.__pydantic_complete__

    app = api.create_app()

    @app.post("/probe")
    def probe(body: api.JsonBody[AddCompaniesRequest]) -> dict[str, Any]:
        return {}

    api.warm(app)
    assert AddCompaniesRequest.__pydantic_complete__
    assert app._static_routes[0]._dependant is not None  # the route's validation is built


def test_snapshot_hooks_register_only_where_the_runtime_offers_them(monkeypatch):
    assert coldstart.register_snapshot_hooks(lambda: None) is False  # not on Lambda
    hooks: dict[str, Any] = {}
    runtime = types.ModuleType("snapshot_restore_py")
    runtime.register_before_snapshot = lambda f: hooks.setdefault("before", f)  # type: ignore[attr-defined]
    runtime.register_after_restore = lambda f: hooks.setdefault("after", f)  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "snapshot_restore_py", runtime)

    def warm() -> None:
        pass

    assert coldstart.register_snapshot_hooks(warm) is True
    assert hooks == {"before": warm, "after": random.seed}


@pytest.mark.parametrize("module", ["leadlists.models.member_changes", "leadlists.filters.model"])
def test_build_models_completes_every_model_of_imported_modules(module):
    importlib.import_module(module)  # imported by a function, whatever this test imported
    coldstart.build_models()
    found = [
        v
        for v in vars(sys.modules[module]).values()
        if isinstance(v, type) and hasattr(v, "__pydantic_complete__") and v.__module__ == module
    ]
    assert found and all(v.__pydantic_complete__ for v in found)


@contextmanager
def _probe_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, files: dict[str, str]
) -> Iterator[None]:
    """A package `name` made of `files` (file name: source), with `lazy_reexports` on it;
    forgotten afterwards."""
    (tmp_path / name).mkdir()
    for file, source in files.items():
        (tmp_path / name / file).write_text(source)
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        coldstart.lazy_reexports(name)
        yield
    finally:
        for module in [m for m in sys.modules if m == name or m.startswith(f"{name}.")]:
            del sys.modules[module]


def test_a_package_that_only_reexports_imports_each_name_from_its_submodule_on_use(
    tmp_path, monkeypatch
):
    init = (
        '"""Doc."""\nfrom .light import Light\nfrom reexports_probe.heavy import Heavy as H\n'
        '__all__ = ["Light", "H"]\n'
    )
    files = {"__init__.py": init, "light.py": "class Light: ...\n"}
    files |= {"heavy.py": "class Heavy: ...\n", "other.py": "VALUE = 1\n"}
    with _probe_package(tmp_path, monkeypatch, "reexports_probe", files):
        from reexports_probe import Light

        assert Light.__module__ == "reexports_probe.light"
        assert "reexports_probe.heavy" not in sys.modules  # not asked for, not imported
        from reexports_probe import H, other

        assert H.__name__ == "Heavy" and other.VALUE == 1  # renamed export; a plain submodule
        with pytest.raises(ImportError):
            from reexports_probe import Missing  # noqa: F401


def test_a_package_whose_init_does_more_than_reexport_is_imported_as_usual(tmp_path, monkeypatch):
    files = {"__init__.py": "from .part import X\nSTARTED = X + 1\n", "part.py": "X = 1\n"}
    with _probe_package(tmp_path, monkeypatch, "busy_probe", files):
        import busy_probe

        assert busy_probe.STARTED == 2


# A fresh interpreter per function shape: what its handler imports, as Lambda would import it.
_IMPORTS = """
import runpy, sys
sys.path[:0] = [sys.argv[1], sys.argv[2]]
runpy.run_path(sys.argv[1] + "/app.py")
for name in sys.argv[3:]:
    print(name, name in sys.modules)
"""


def _imports(function: str, *modules: str) -> dict[str, bool]:
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run(  # noqa: S603 - our interpreter, our files
        [sys.executable, "-c", _IMPORTS, str(root / "functions" / function),
         str(root / "layers" / "common"), *modules],
        capture_output=True, text=True, check=True, env={"AWS_DEFAULT_REGION": "us-east-1"},
    )  # fmt: skip
    return {line.split()[0]: line.split()[1] == "True" for line in out.stdout.splitlines()}


def _absent(function: str, *modules: str) -> None:
    assert _imports(function, *modules) == dict.fromkeys(modules, False)


def test_functions_import_only_what_they_use():
    # An API route: no AppSync resolver (asyncio), no event class it never receives, no refresh.
    assert _imports(
        "get_lead_list",
        "aws_lambda_powertools.event_handler.appsync",
        "asyncio",
        "aws_lambda_powertools.utilities.data_classes.kafka_event",
        "leadlists.services.coordinator",
        "pydantic",
    ) == {
        "aws_lambda_powertools.event_handler.appsync": False,
        "asyncio": False,
        "aws_lambda_powertools.utilities.data_classes.kafka_event": False,
        "leadlists.services.coordinator": False,
        "pydantic": True,
    }
    # The authorizer validates no model: no pydantic, no API key endpoint models.
    assert _imports("authorizer", "pydantic", "leadlists.models.api_keys") == {
        "pydantic": False,
        "leadlists.models.api_keys": False,
    }
    # A queue consumer: no asyncio, no parser models of other event sources.
    assert _imports(
        "dead_letters", "asyncio", "aws_lambda_powertools.utilities.parser.models.kafka"
    ) == {"asyncio": False, "aws_lambda_powertools.utilities.parser.models.kafka": False}
    # Reading a saved list: its answer model only, no filter, person record or queue message.
    _absent("get_list", "leadlists.filters.model", "leadlists.models.records", "leadlists.queues")
    # A list's DELETE: the messages it sends, not every queue's; no filter model.
    _absent("delete_list", "leadlists.models.messages", "leadlists.filters.model")
    # Reading a search's pages: no request models (filters), no fan-out messages.
    _absent("get_search", "leadlists.filters.model", "leadlists.models.messages")
    # The stream consumer answers its partial batch itself: no batch processor, no asyncio.
    _absent("catalog_stream", "aws_lambda_powertools.utilities.batch.base", "asyncio")
    # The scheduler queues due lists: no catalog scan, filter or live-list change.
    _absent("refresh_scheduler", "leadlists.filters.model", "leadlists.services.live_changes")


_EVERY_FUNCTION = """
import gc, importlib.util, json, sys
from leadlists import coldstart
results = {}
for name, path in json.loads(sys.argv[1]).items():
    coldstart.pause_gc()  # as the layer's first import does in Lambda's init
    sys.path.insert(0, path.rsplit("/", 1)[0])
    spec = importlib.util.spec_from_file_location("fn_" + name, path)
    spec.loader.exec_module(importlib.util.module_from_spec(spec))
    sys.path.pop(0)
    results[name] = ("leadlists" in open(path).read(), gc.isenabled())
print(json.dumps(results))
"""


def test_every_function_pauses_the_collector_during_init_and_resumes_it_after():
    from leadlists_local import template

    root = Path(__file__).resolve().parents[2]
    functions = {
        logical_id: (root / f.code_uri / f"{f.handler.rsplit('.', 1)[0]}.py").as_posix()
        for logical_id, f in template.functions().items()
    }
    env = {"AWS_DEFAULT_REGION": "us-east-1", "AWS_LAMBDA_FUNCTION_NAME": "probe"}
    paused = subprocess.run(
        [sys.executable, "-c", "import gc, leadlists; print(gc.isenabled())"],
        capture_output=True, text=True, check=True, env=env,
    )  # fmt: skip
    assert paused.stdout.strip() == "False"  # the layer's import pauses it in Lambda's init
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-c", _EVERY_FUNCTION, json.dumps(functions)],
        capture_output=True, text=True, check=True, env=env, cwd=root,
    )  # fmt: skip
    results = json.loads(out.stdout)
    assert len(results) == len(functions) > 40
    # Every function that uses the layer collects again once its module is initialized.
    assert {n for n, (layer, on) in results.items() if layer and not on} == set()
    elsewhere = subprocess.run(
        [sys.executable, "-c", "import gc, leadlists; from leadlists import coldstart; "
         "coldstart.end_init(); print(gc.isenabled(), gc.get_freeze_count())"],
        capture_output=True, text=True, check=True, env={"AWS_DEFAULT_REGION": "us-east-1"},
    )  # fmt: skip
    # Tests, scripts, the local runtime: collecting as ever, and nothing of theirs frozen.
    assert elsewhere.stdout.split() == ["True", "0"]


def test_lead_list_and_export_routes_import_only_their_own_operations():
    # Reading a lead list: no search, cleanup, webhook events, queue messages or catalog reads.
    reader = ["search", "cleanup", "webhook_events", "tenant_copy", "lead_list_edits"]
    assert _imports(
        "get_lead_list",
        *(f"leadlists.services.{name}" for name in reader),
        "leadlists.models.messages",
        "leadlists.services.lead_lists",
    ) == {
        **{f"leadlists.services.{name}": False for name in reader},
        "leadlists.models.messages": False,
        "leadlists.services.lead_lists": True,
    }
    # An export's status: no CSV writer, member reader, queue or record models.
    assert _imports(
        "get_lead_list_export",
        "leadlists.services.export_csv",
        "leadlists.services.export_sources",
        "leadlists.queues",
        "leadlists.models.records",
    ) == {
        "leadlists.services.export_csv": False,
        "leadlists.services.export_sources": False,
        "leadlists.queues": False,
        "leadlists.models.records": False,
    }


def test_an_init_that_also_runs_statements_runs_them_and_defers_its_reexports(
    tmp_path, monkeypatch
):
    # As Powertools' top-level package: re-exports (in __all__) besides calls of its own.
    init = (
        '"""Doc."""\nfrom .light import Light\nfrom .heavy import Heavy\nfrom .setup import start\n'
        '__all__ = ["Light", "Heavy"]\nSTARTED = start()\n'
    )
    files = {"__init__.py": init, "light.py": "class Light: ...\n"}
    files |= {"heavy.py": "class Heavy: ...\n", "setup.py": "def start():\n    return 'yes'\n"}
    with _probe_package(tmp_path, monkeypatch, "mixed_probe", files):
        import mixed_probe
        from mixed_probe import Light

        assert mixed_probe.STARTED == "yes"  # the __init__'s own statements ran
        assert Light.__module__ == "mixed_probe.light"
        assert "mixed_probe.heavy" not in sys.modules  # a re-export, not asked for
        assert mixed_probe.__all__ == ["Light", "Heavy"]


def test_an_init_whose_statements_use_a_reexport_runs_whole(tmp_path, monkeypatch):
    init = 'from .part import X\n__all__ = ["X"]\nSTARTED = X + 1\n'
    with _probe_package(
        tmp_path, monkeypatch, "using_probe", {"__init__.py": init, "part.py": "X = 1\n"}
    ):
        import using_probe

        assert using_probe.STARTED == 2 and "using_probe.part" in sys.modules


def test_webhook_api_key_and_authorizer_functions_import_only_their_own_operation():
    # A listing: no queue messages, URL checks or request models; no Powertools Metrics, Tracer.
    _absent(
        "list_webhooks",
        "leadlists.models.messages",
        "leadlists.services.webhook_urls",
        "leadlists.models.webhook_requests",
        "leadlists.models.webhook_deliveries",
        "aws_lambda_powertools.metrics",
        "aws_lambda_powertools.tracing",
    )
    _absent(
        "list_api_keys", "leadlists.models.api_key_requests", "leadlists.services.api_key_secrets"
    )
    _absent("authorizer", "aws_lambda_powertools.metrics", "aws_lambda_powertools.tracing")


_CONSUMERS = ["dead_letters", "catalog_chunk", "catalog_ingest", "webhook_delivery", "cleanup",
              "refresh_worker", "refresh_segment", "tenant_copy", "export_worker"]  # fmt: skip


@pytest.mark.parametrize("function", _CONSUMERS)
def test_queue_consumers_import_only_what_a_record_needs(function):
    # Their own SQS record model: no Powertools parser (its package, pydantic's network types).
    # Powertools' Metrics (and the Tracer it imports) wait for the first metric published.
    _absent(
        function,
        "aws_lambda_powertools.utilities.parser",
        "pydantic.networks",
        "aws_lambda_powertools.metrics",
        "aws_lambda_powertools.tracing",
    )
    if function != "dead_letters":  # which logs and counts a dead letter of any queue
        # Each parses the messages its steps take, not the union of every queue's.
        _absent(function, "leadlists.models.messages")


def test_a_consumer_imports_no_other_queues_messages():
    _absent("export_worker", "leadlists.models.run_messages", "leadlists.models.webhook_message")
    _absent("cleanup", "leadlists.models.run_messages", "leadlists.models.catalog_messages")
    _absent("webhook_delivery", "leadlists.models.run_messages", "leadlists.models.cleanup_message")
