"""The shared layer has no import cycle: every import of every `leadlists` module, including the
ones inside functions (which only hide a cycle from Python until a call), is an edge."""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "layers" / "common" / "leadlists"
Graph = Mapping[str, set[str]]


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(tree: ast.AST, module: str, is_package: bool, known: set[str]) -> set[str]:
    """The layer's modules `tree` imports. A name from a package counts as its submodule when
    there is one (`from leadlists.services import refresh` is `leadlists.services.refresh`), else
    as the package; parents a submodule import runs are left out (they never import back)."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".")[: len(module.split(".")) - node.level + is_package]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                found.add(submodule if submodule in known else base)
    return {name for name in found if name in known and name != module}


def import_graph(package: Path = PACKAGE) -> dict[str, set[str]]:
    paths = sorted(package.rglob("*.py"))
    known = {module_name(p) for p in paths}
    return {
        module_name(p): imported(
            ast.parse(p.read_text(), str(p)), module_name(p), p.name == "__init__.py", known
        )
        for p in paths
    }


def cycles(graph: Graph) -> list[list[str]]:
    """Every strongly connected group of more than one module (or a module importing itself),
    each sorted (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1 or node in graph.get(node, ()):
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def with_source(graph: Graph, module: str, source: str) -> dict[str, set[str]]:
    """The graph with `source`'s imports added to `module`'s."""
    known = set(graph)
    extra = imported(ast.parse(source), module, False, known)
    return {
        name: set(targets) | (extra if name == module else set()) for name, targets in graph.items()
    }


def edges(pairs: Iterable[tuple[str, str]]) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for source, target in pairs:
        graph.setdefault(source, set()).add(target)
        graph.setdefault(target, set())
    return graph


def test_the_layer_has_no_import_cycle():
    graph = import_graph()
    assert "leadlists.services.refresh" in graph and len(graph) > 20  # the layer was parsed
    assert cycles(graph) == []


def test_cycle_finder_finds_cycles_of_any_length():
    assert cycles(edges([("a", "b"), ("b", "c")])) == []
    assert cycles(edges([("a", "b"), ("b", "a"), ("b", "c")])) == [["a", "b"]]
    assert cycles(edges([("a", "b"), ("b", "c"), ("c", "a"), ("d", "d")])) == [
        ["a", "b", "c"],
        ["d"],
    ]


def test_an_import_inside_a_function_counts():
    """Reintroducing the old cycle (refresh importing the fan-out inside a function, while the
    fan-out's finalizer completes runs through refresh) fails the layer's check."""
    source = "def run_queued():\n    from leadlists.services import finalizer\n"
    broken = with_source(import_graph(), "leadlists.services.refresh", source)
    found = cycles(broken)
    assert any(
        {"leadlists.services.finalizer", "leadlists.services.refresh"} <= set(group)
        for group in found
    ), found


def test_relative_and_package_imports_resolve():
    known = {"leadlists", "leadlists.services", "leadlists.services.refresh", "leadlists.queues"}
    tree = ast.parse("from . import refresh\nfrom .. import queues\nimport leadlists\n")
    got = imported(tree, "leadlists.services.merge", False, known)
    assert got == {"leadlists.services.refresh", "leadlists", "leadlists.queues"}
