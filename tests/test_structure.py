"""The package's structure: every module imports only downward, and nothing imports the CLI.

Imports inside functions count too: a cycle hidden in a function still ties two modules
into one, and fails at run time in whichever order they are first imported.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import streamnets

PACKAGE = Path(streamnets.__file__).parent


def module_name(path: Path, root: Path = PACKAGE) -> str:
    parts = path.relative_to(root.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, name: str) -> set[str]:
    """Every ``streamnets`` module that ``path`` imports, at any depth of its syntax tree."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found |= {f"{base}.{alias.name}" for alias in node.names}
    return {n for n in found if n.split(".")[0] == "streamnets"}


def import_graph(root: Path = PACKAGE) -> dict[str, set[str]]:
    """Module -> the package modules it imports (``from a import b`` counts ``a.b`` when it
    is a module)."""
    files = {module_name(p, root): p for p in root.rglob("*.py")}
    return {name: {m for m in imports_of(path, name) if m in files and m != name}
            for name, path in files.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in graph:
        if node not in index:
            visit(node)
    return groups


def test_the_package_has_no_import_cycle():
    graph = import_graph()
    parents = {name.rpartition(".")[0] for name in graph}
    # A package importing its own submodules (data/__init__ re-exporting) is not a cycle.
    graph = {n: {m for m in targets if not (n in parents and m.startswith(n + "."))}
             for n, targets in graph.items()}
    assert cycles(graph) == []


def test_the_checker_finds_a_cycle_hidden_inside_a_function(tmp_path):
    package = tmp_path / "streamnets"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from streamnets.b import f\n")
    (package / "b.py").write_text("def f():\n    from streamnets import a\n    return a\n")
    (package / "c.py").write_text("import streamnets.a\n")
    assert cycles(import_graph(package)) == [["streamnets.a", "streamnets.b"]]


def test_nothing_imports_the_cli():
    importers = [name for name, targets in import_graph().items() if "streamnets.cli" in targets]
    assert importers == []


def test_the_api_page_documents_every_module():
    page = (PACKAGE.parents[1] / "book" / "api.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"automodule:: (streamnets[\w.]*)", page))
    modules = {name for name in import_graph() if not name.endswith("__init__")}
    packages = {name for name in modules
                if (PACKAGE.parent / name.replace(".", "/") / "__init__.py").is_file()}
    assert documented == modules - packages
