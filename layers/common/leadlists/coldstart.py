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

A function's init allocates a few hundred thousand objects (modules, classes, pydantic's schema
helpers) that all live as long as the process. Python's cyclic garbage collector, counting
those allocations, runs a hundred or more young-generation passes and a full pass over
everything during init, reclaiming nothing: about a tenth of an init's CPU time. In Lambda's
init (`AWS_LAMBDA_FUNCTION_NAME` is set) the layer pauses the collector as it is imported;
`end_init` freezes what init made (a later pass never walks it again) and resumes collecting.
Every function's entry-point factory calls `end_init`; a unit test imports each function with
the collector paused and checks that it runs again afterwards.
"""

from __future__ import annotations

import ast
import gc
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import os
import random
import sys
from collections.abc import Callable, Collection, Sequence
from importlib.machinery import ModuleSpec
from pathlib import Path
from types import CodeType, ModuleType
from typing import Any

_PYDANTIC_CONFIG = "pydantic._internal._config"
_gc_paused = False


def pause_gc() -> None:
    """In Lambda's init, stop the cyclic collector until `end_init` (see the module's doc).
    Elsewhere (tests, the local runtime, scripts) nothing changes."""
    global _gc_paused
    if os.environ.get("AWS_LAMBDA_FUNCTION_NAME") and gc.isenabled():
        gc.disable()
        _gc_paused = True


def end_init() -> None:
    """A function's module is initialized: keep what it made out of every later collection,
    and collect again. Only where `pause_gc` paused it (elsewhere a process's live objects,
    a test's included, are not frozen)."""
    global _gc_paused
    if _gc_paused:
        gc.freeze()
        gc.enable()
        _gc_paused = False


def defer_model_building() -> None:
    """Make pydantic's default `ConfigDict(defer_build=True)` (models that set it keep their own)
    as soon as pydantic is imported: a function that never uses pydantic (the authorizer) does
    not import it for this."""

    def execute(config: ModuleType, run: Callable[[ModuleType], None]) -> None:
        run(config)
        config.config_defaults["defer_build"] = True

    if _PYDANTIC_CONFIG in sys.modules:
        sys.modules[_PYDANTIC_CONFIG].config_defaults["defer_build"] = True
    else:
        _on_import(_PYDANTIC_CONFIG, execute)


def lazy_reexports(package: str) -> None:
    """When `package` is imported, import the names its `__init__` re-exports from its
    submodules (those `__all__` lists) only when each is first asked for, and run the rest of the
    `__init__` as usual. Powertools' `event_handler` and `data_classes` packages import every
    resolver (AppSync's asyncio among them) and every event class, its top-level package Metrics
    and Tracer besides Logger; a function asks for the few it uses. An `__init__` whose other
    statements use a re-exported name runs whole, as usual. Nothing changes for a package
    imported already."""

    def execute(module: ModuleType, run: Callable[[ModuleType], None]) -> None:
        origin = module.__spec__.origin if module.__spec__ else None
        found = _reexports(Path(origin), package) if origin else None
        if found is None:
            run(module)  # an __init__ that cannot be split runs as usual
            return
        exports, public, rest = found

        def resolve(name: str) -> Any:
            if name not in exports:
                raise AttributeError(f"module {package!r} has no attribute {name!r}")
            source, original = exports[name]
            value = getattr(importlib.import_module(source), original)
            setattr(module, name, value)
            return value

        module.__getattr__ = resolve  # type: ignore[method-assign]  # PEP 562
        setattr(module, "__all__", public)  # noqa: B010 - a module attribute mypy knows not
        if rest is not None:
            # The installed package's own statements, compiled from its own file: what `run`
            # would execute, less the re-exports deferred above.
            exec(rest, module.__dict__)  # noqa: S102  # nosec B102

    _on_import(package, execute)


Execute = Callable[[ModuleType, Callable[[ModuleType], None]], None]


def _on_import(name: str, execute: Execute) -> None:
    """The first import of module `name` (none if it is imported already) calls
    `execute(module, run)` where it would `run(module)`, i.e. execute the module's body."""
    if name not in sys.modules:
        sys.meta_path.insert(0, _OnImport(name, execute))


class _OnImport(importlib.abc.MetaPathFinder):
    def __init__(self, name: str, execute: Execute) -> None:
        self.name, self.execute = name, execute

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if fullname != self.name:
            return None
        sys.meta_path.remove(self)
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None:
            return spec
        run = spec.loader.exec_module
        spec.loader.exec_module = lambda module: self.execute(module, run)  # type: ignore[method-assign]
        return spec


Exports = dict[str, tuple[str, str]]  # {name: (submodule, its name there)}


def _reexports(init: Path, package: str) -> tuple[Exports, list[str], CodeType | None] | None:
    """(re-exports, `__all__`, the other statements compiled, None if there are none) of the
    `__init__` at `init`. A re-export is a `from ... import` of names `__all__` lists (without
    `__all__`, an `__init__` of nothing but such imports re-exports them all). None when the
    `__init__` cannot be split: no `__all__` and other statements, or statements that use a
    re-exported name."""
    exports: Exports = {}
    public: list[str] | None = None
    rest: list[ast.stmt] = []
    tree = ast.parse(init.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == [
            "__all__"
        ]:
            public = list(ast.literal_eval(node.value))
        elif not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)):
            rest.append(node)  # the docstring goes; everything else is sorted below
    kept: list[ast.stmt] = []
    for node in rest:
        names = [a.asname or a.name for a in node.names] if isinstance(node, ast.ImportFrom) else []
        if (
            isinstance(node, ast.ImportFrom)
            and node.module
            and "*" not in names
            and (public is None or all(n in public for n in names))
        ):
            source = importlib.util.resolve_name("." * node.level + node.module, package)
            exports.update({a.asname or a.name: (source, a.name) for a in node.names})
        else:
            kept.append(node)
    if kept and (public is None or _uses(kept, exports)):
        return None
    code = compile(ast.Module(kept, []), str(init), "exec") if kept else None
    return exports, list(exports) if public is None else public, code


def _uses(statements: list[ast.stmt], names: Collection[str]) -> bool:
    return any(isinstance(n, ast.Name) and n.id in names for s in statements for n in ast.walk(s))


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
