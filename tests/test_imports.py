"""The import graph of ``analysis``, read with ``ast``: no cycle, no upward arrow, no private name across modules.

Layers, bottom to top (a module may import its own layer or lower ones):

0. the facade ``analysis`` (it imports lazily, by name), ``errors``, ``text``, ``schema``
1. ``vocab``, ``config``, and ``io``: the disk layer, low so that every executor
   may write through it (it writes what ``present`` made, never imports it)
2. ``ingest``, ``stats``
3. ``score``, ``aggregation``, ``dynamics``, ``events``, ``reference``, ``validate``
4. ``engine`` executors: ``pool``, ``tasks``, ``cache``, ``stream``
6. ``present``
7. ``engine.pipeline``: the product (``run``, ``Results.write``, ``build_report``)
8. ``cli``, ``__main__``

Function-level imports count: a lazy import is still a dependency.
"""

import ast
from functools import cache
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "analysis"

LAYERS = {
    "analysis": 0, "analysis.errors": 0, "analysis.text": 0, "analysis.schema": 0,
    "analysis.vocab": 1, "analysis.config": 1, "analysis.io": 1,
    "analysis.ingest": 2, "analysis.stats": 2,
    "analysis.score": 3, "analysis.aggregation": 3, "analysis.dynamics": 3, "analysis.events": 3,
    "analysis.reference": 3, "analysis.validate": 3,
    "analysis.engine": 4,
    "analysis.present": 6,
    "analysis.engine.pipeline": 7,
    "analysis.cli": 8, "analysis.__main__": 8,
}


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


MODULES = _modules()


def layer(module: str) -> int:
    """The layer of the longest prefix of ``module`` in :data:`LAYERS`."""
    parts = module.split(".")
    for end in range(len(parts), 0, -1):
        prefix = ".".join(parts[:end])
        if prefix in LAYERS:
            return LAYERS[prefix]
    raise AssertionError(f"{module}: no layer; add it to LAYERS in tests/test_imports.py")


def _package_of(module: str) -> str:
    return module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]


def _base(module: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = _package_of(module)
    for _ in range(node.level - 1):
        package = package.rpartition(".")[0]
    return f"{package}.{node.module}" if node.module else package


@cache
def _tree(module: str) -> ast.Module:
    return ast.parse(MODULES[module].read_text(encoding="utf-8"))


@cache
def _nodes(module: str) -> tuple[ast.AST, ...]:
    return tuple(ast.walk(_tree(module)))


def imports(module: str) -> list[tuple[str, str, int]]:
    """``(target module, imported name or "", line)`` for every import of an ``analysis`` module in ``module``."""
    tree = _tree(module)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, "", node.lineno) for alias in node.names if alias.name.split(".")[0] == "analysis"]
        elif isinstance(node, ast.ImportFrom):
            base = _base(module, node)
            if base.split(".")[0] != "analysis":
                continue
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                found.append((submodule, "", node.lineno) if submodule in MODULES else (base, alias.name, node.lineno))
    return found


def _private_members() -> dict[str, set[str]]:
    """Module → the private names its classes define (``self._x = …`` and ``def _x`` in a class body)."""
    members: dict[str, set[str]] = {}
    for module in MODULES:
        names = set()
        for node in _nodes(module):
            if isinstance(node, ast.ClassDef):
                for item in node.body:
                    if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef) and _private(item.name):
                        names.add(item.name)
                for inner in ast.walk(node):
                    if (isinstance(inner, ast.Attribute) and isinstance(inner.ctx, ast.Store)
                            and isinstance(inner.value, ast.Name) and inner.value.id == "self" and _private(inner.attr)):
                        names.add(inner.attr)
        members[module] = names
    return members


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _resolves(target: str) -> str:
    """The module an import target names (a package, a module, or the package of an imported name)."""
    while target not in MODULES and "." in target:
        target = target.rpartition(".")[0]
    return target


def test_every_module_has_a_layer():
    for module in MODULES:
        layer(module)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_upward_import(module):
    upward = [f"line {line}: {module} (layer {layer(module)}) imports {_resolves(target)} "
              f"(layer {layer(_resolves(target))})"
              for target, _, line in imports(module) if layer(_resolves(target)) > layer(module)]
    assert not upward, "\n".join(upward)


def test_no_import_cycle():
    graph = {module: sorted({_resolves(target) for target, _, _ in imports(module)} - {module}) for module in MODULES}
    # A package's __init__ importing its own submodules, and a submodule importing a sibling through
    # the package, is how packages are built; cycles among real modules are what this forbids.
    state: dict[str, int] = {}
    stack: list[str] = []
    cycles = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for neighbour in graph[node]:
            if state.get(neighbour) == 1:
                cycles.append(" → ".join([*stack[stack.index(neighbour):], neighbour]))
            elif neighbour not in state:
                visit(neighbour)
        stack.pop()
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module)
    assert not cycles, "\n".join(cycles)


_STDLIB = frozenset(__import__("sys").stdlib_module_names)


def test_no_private_name_crosses_a_module():
    members = _private_members()
    problems = []
    for module in MODULES:
        bound = {}
        for target, name, line in imports(module):
            if name and _private(name) and _resolves(target) != module:
                problems.append(f"{module} line {line}: imports {name} from {target}")
        for node in _nodes(module):
            if isinstance(node, ast.ImportFrom | ast.Import):
                for alias in node.names:
                    bound[alias.asname or alias.name.split(".")[0]] = alias.name
        others = set().union(*(names for other, names in members.items() if other != module)) - members[module]
        for node in _nodes(module):
            if not isinstance(node, ast.Attribute) or not _private(node.attr):
                continue
            if isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"):
                continue
            # os._exit, sys._getframe: the standard library's documented names, not our private ones
            if isinstance(node.value, ast.Name) and node.value.id in bound and node.value.id not in _STDLIB:
                problems.append(f"{module} line {node.lineno}: {node.value.id}.{node.attr} is private to its module")
            elif node.attr in others:
                problems.append(f"{module} line {node.lineno}: .{node.attr} is a private member of a class "
                                f"defined in another module")
    assert not problems, "\n".join(problems)


def test_the_parser_resolves_relative_imports():
    assert any(t == "analysis.score.scorer" for t, _, _ in imports("analysis.score"))
    assert any(t == "analysis.ingest.dates" for t, _, _ in imports("analysis.ingest.readers"))
    assert any(t == "analysis.ingest" for t, _, _ in imports("analysis.engine.stream"))
