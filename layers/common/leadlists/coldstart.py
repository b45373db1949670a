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

import ast
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import random
import sys
from collections.abc import Callable, Sequence
from importlib.machinery import ModuleSpec
from pathlib import Path
from types import ModuleType
from typing import Any

_PYDANTIC_CONFIG = "pydantic._internal._config"


def defer_model_building() -> None:
    """Make pydantic's default `ConfigDict(defer_build=True)` (models that set it keep their own)
    as soon as pydantic is imported: a function that never uses pydantic (the authorizer) does
    not import it for this."""
    if _PYDANTIC_CONFIG in sys.modules:
        _defer(sys.modules[_PYDANTIC_CONFIG])
    else:
        sys.meta_path.insert(0, _AfterImport(_PYDANTIC_CONFIG, _defer))


def _defer(config: ModuleType) -> None:
    config.config_defaults["defer_build"] = True


class _AfterImport(importlib.abc.MetaPathFinder):
    """Runs `then(module)` right after module `name` is first executed, before anything uses it."""

    def __init__(self, name: str, then: Callable[[ModuleType], None]) -> None:
        self.name, self.then = name, then

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if fullname != self.name:
            return None
        sys.meta_path.remove(self)
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None:
            return spec
        execute = spec.loader.exec_module

        def exec_module(module: ModuleType) -> None:
            execute(module)
            self.then(module)

        spec.loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


def lazy_reexports(package: str) -> bool:
    """Import `package` without running its `__init__`, when that `__init__` only re-exports
    names of its submodules: each name is then imported from its own submodule when first asked
    for. Powertools' `event_handler` and `data_classes` packages import every resolver (AppSync's
    asyncio among them) and every event class; a function asks for the few it uses. Returns
    whether the package was made lazy (False: already imported, or its `__init__` does more)."""
    if package in sys.modules:
        return False
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None or spec.submodule_search_locations is None:
        return False
    exports = _reexports(Path(spec.origin), package)
    if exports is None:
        return False
    module = importlib.util.module_from_spec(spec)  # its __path__ and __spec__, not its body

    def resolve(name: str) -> Any:
        if name not in exports:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        source, original = exports[name]
        value = getattr(importlib.import_module(source), original)
        setattr(module, name, value)
        return value

    module.__getattr__ = resolve  # type: ignore[method-assign]  # PEP 562
    setattr(module, "__all__", list(exports))  # noqa: B010 - a module attribute mypy knows not
    sys.modules[package] = module
    parent, _, child = package.rpartition(".")
    if parent:
        setattr(sys.modules[parent], child, module)
    return True


def _reexports(init: Path, package: str) -> dict[str, tuple[str, str]] | None:
    """{name: (submodule, its name there)} when `init` holds only a docstring, `from ... import`
    statements and `__all__`; None otherwise."""
    exports: dict[str, tuple[str, str]] = {}
    for node in ast.parse(init.read_text(encoding="utf-8")).body:
        if (
            isinstance(node, ast.ImportFrom)
            and node.module
            and all(a.name != "*" for a in node.names)
        ):
            source = importlib.util.resolve_name("." * node.level + node.module, package)
            exports.update({a.asname or a.name: (source, a.name) for a in node.names})
        elif not (
            (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))
            or (
                isinstance(node, ast.Assign)
                and [getattr(t, "id", None) for t in node.targets] == ["__all__"]
            )
        ):
            return None
    return exports


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
