"""No import cycle in Station's packages, function-local imports included.

The graph is read from the source with the standard library's ``ast`` (no third-party
tool): every ``import`` and ``from ... import`` anywhere in a module (inside functions and
``if TYPE_CHECKING:`` blocks too) is an edge to the module it names. ``from pkg import
name`` points at ``pkg.name`` when that is a module, else at ``pkg``; importing a
submodule is not counted as importing the packages above it (grimp counts the same way).
A cycle is a strongly connected group of two or more modules.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True, slots=True)
class Edge:
    """One import: ``source`` imports ``target`` at ``line``."""

    source: str
    target: str
    line: int


def modules(root: Path, package: str) -> dict[str, Path]:
    """Every module of ``package`` under ``root``, by dotted name (a package by its own name)."""
    found: dict[str, Path] = {}
    for path in sorted((root / package).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def imports(root: Path, package: str) -> list[Edge]:
    """Every import from one module of ``package`` to another, wherever it stands."""
    known = modules(root, package)

    def nearest(name: str) -> str | None:
        while name and name not in known:
            name = name.rpartition(".")[0]
        return name or None

    edges: list[Edge] = []
    for name, path in known.items():
        here = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            targets: list[str | None] = []
            if isinstance(node, ast.Import):
                targets = [nearest(alias.name) for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = here.rsplit(".", node.level - 1)[0] if node.level > 1 else here
                    base = f"{anchor}.{base}" if base else anchor
                targets = [
                    f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else nearest(base)
                    for alias in node.names
                ]
            edges += [
                Edge(name, target, node.lineno)
                for target in targets
                if target is not None and target != name
            ]
    return edges


def cycles(edges: list[Edge]) -> list[list[str]]:
    """The groups of modules that import each other, round and round (Tarjan's algorithm)."""
    graph: dict[str, set[str]] = {}
    for edge in edges:
        graph.setdefault(edge.source, set()).add(edge.target)
        graph.setdefault(edge.target, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def describe(group: list[str], edges: list[Edge]) -> str:
    """A cycle's modules and the imports that tie them, with line numbers."""
    members = set(group)
    ties = sorted(
        {
            f"  {e.source} -> {e.target} (line {e.line})"
            for e in edges
            if e.source in members and e.target in members
        }
    )
    return "\n".join([" <-> ".join(group), *ties])


@pytest.mark.parametrize("package", ["station", "printers"])
def test_no_package_has_an_import_cycle(package: str) -> None:
    edges = imports(ROOT, package)
    assert edges, "the graph was read"  # a wrong root would find no cycle too

    found = cycles(edges)

    assert not found, "import cycles:\n" + "\n".join(describe(g, edges) for g in found)


def test_no_module_imports_the_package_root_but_the_command_line() -> None:
    # station/__init__.py builds the app and so imports every layer: only an entry point
    # may import it (the version lives in station/version.py).
    users = sorted({e.source for e in imports(ROOT, "station") if e.target == "station"})

    assert users == ["station.cli"]


def test_the_checker_sees_function_local_and_relative_imports(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "sub" / "__init__.py").write_text("")
    (package / "a.py").write_text("def later():\n    from pkg.sub import b\n")
    (package / "sub" / "b.py").write_text("from .. import c\n")
    (package / "c.py").write_text("import pkg.a\nfrom pkg import sub\n")
    (package / "d.py").write_text("from pkg.sub.b import name\n")  # into the cycle, not in it

    edges = imports(tmp_path, "pkg")

    assert cycles(edges) == [["pkg.a", "pkg.c", "pkg.sub.b"]]
    assert Edge("pkg.a", "pkg.sub.b", 2) in edges
