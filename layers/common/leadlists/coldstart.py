"""What keeps a function's cold start short: lazy model building, and SnapStart's hooks.

Pydantic builds a model's validator (its core schema) when the class is created; a function
importing the layer would build every model of every module it imports, most of them for other
routes. Deferred, a model is built the first time it validates or serializes (Powertools builds a
route's request and response models on the route's first call), once per process.

With SnapStart (template.yaml, Globals) Lambda runs the function's init once per published
version, snapshots the memory, and restores it on a cold start. `register_snapshot_hooks` warms
what the first request would otherwise pay (the route's models, the clients) before the snapshot,
and re-seeds what must differ between restored instances after it. The hooks come from the
`snapshot_restore_py` module of Lambda's Python runtime; elsewhere (tests, the local runtime)
there is nothing to register.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Callable
from typing import Any


def defer_model_building() -> None:
    # pydantic's default for `ConfigDict(defer_build=...)`; models that set it keep their own.
    from pydantic._internal import _config

    _config.config_defaults["defer_build"] = True


def build_models() -> int:
    """Build every deferred model of the layer's imported modules. Returns how many."""
    from pydantic import BaseModel

    built = 0
    for name, module in list(sys.modules.items()):
        if module is None or not name.startswith("leadlists."):
            continue
        for value in list(vars(module).values()):
            if (
                isinstance(value, type)
                and issubclass(value, BaseModel)
                and value.__module__ == name  # the layer's own, each once
                and not value.__pydantic_complete__
            ):
                built += bool(value.model_rebuild())
    return built


def register_snapshot_hooks(warm: Callable[[], Any]) -> bool:
    """Run `warm` before Lambda snapshots the initialized function, re-seed `random` after each
    restore (every restored instance would otherwise draw the same retry jitter). Returns whether
    the runtime offers the hooks."""
    try:
        from snapshot_restore_py import (  # type: ignore[import-not-found]
            register_after_restore,
            register_before_snapshot,
        )
    except ImportError:
        return False
    register_before_snapshot(warm)
    register_after_restore(random.seed)
    return True
