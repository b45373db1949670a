"""Cold start: the layer's models build on first use, SnapStart's hooks build them ahead."""

from __future__ import annotations

import random
import sys
import types
from typing import Any

import pytest

from leadlists import api, coldstart
from leadlists.models.lead_lists import AddCompaniesRequest


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


@pytest.mark.parametrize("module", ["leadlists.models.lead_lists", "leadlists.filters.model"])
def test_build_models_completes_every_model_of_imported_modules(module):
    coldstart.build_models()
    found = [
        v
        for v in vars(sys.modules[module]).values()
        if isinstance(v, type) and hasattr(v, "__pydantic_complete__") and v.__module__ == module
    ]
    assert found and all(v.__pydantic_complete__ for v in found)
