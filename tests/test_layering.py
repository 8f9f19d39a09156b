"""The package's layers (docs/design.md, "Package layout"): a module imports only from its own floor
or below, whether the import is at the top, inside a function or for type checking only, and no two
modules import each other in a circle, not even through an import inside a function (such an import
only hides a circle until the function runs)."""

from __future__ import annotations

import ast
import itertools
from pathlib import Path

import sseds_study

ROOT = Path(sseds_study.__file__).parent

# Lowest first; a module's floor is that of its first path component (``data/criteo/kernel.py`` -> data).
LAYERS = [
    {"errors", "_lazy", "statistics", "metrics", "numerics", "__init__"},
    {"config", "fileio"},
    {"data"},
    {"models", "train"},
    {"search"},
    {"study"},
    {"deploy", "cli_args"},
    {"figures", "publish"},
    {"analysis", "report"},
    {"cli"},  # the command: it may start anything below it
]
FLOOR = {name: i for i, names in enumerate(LAYERS) for name in names}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def floor_of(module: str) -> int:
    top = module.split(".")[1] if "." in module else "__init__"
    return FLOOR[top]


def imports(path: Path) -> list[tuple[str, bool]]:
    """(module imported, run? -- False for an import under TYPE_CHECKING) for every import in the file;
    relative ones resolved."""
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    tree = ast.parse(path.read_text())
    type_only = {id(n) for node in tree.body if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
                 for n in ast.walk(node)}
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            names = [f"{target}.{a.name}" for a in node.names]
            found = [n for n in names if (ROOT.parent / n.replace(".", "/")).with_suffix(".py").exists()
                     or (ROOT.parent / n.replace(".", "/")).is_dir()]
            for t in found or [target]:
                out.append((t, id(node) not in type_only))
        elif isinstance(node, ast.Import):
            out += [(a.name, id(node) not in type_only) for a in node.names]
    return [(m, now) for m, now in out if m.startswith("sseds_study")]


SOURCES = sorted(ROOT.rglob("*.py"))


def test_every_top_level_module_has_a_floor():
    tops = {p.relative_to(ROOT).parts[0].removesuffix(".py") for p in SOURCES}
    assert tops - set(FLOOR) == set()


def test_no_import_runs_against_the_layers():
    against = [(module_name(p), m) for p in SOURCES for m, _ in imports(p)
               if floor_of(m) > floor_of(module_name(p))]
    assert against == []


def test_no_cycle():
    graph = {module_name(p): {m for m, now in imports(p) if now} for p in SOURCES}
    state: dict[str, int] = {}
    cycles = []

    def visit(node, stack):
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if nxt not in graph:
                continue
            if state.get(nxt) == 1:
                cycles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, stack + [nxt])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    # A submodule importing its own package's face is how Python works, not a cycle of ours.
    real = [c for c in cycles if not all(a.startswith(b + ".") or b.startswith(a + ".") for a, b in itertools.pairwise(c))]
    assert real == []
