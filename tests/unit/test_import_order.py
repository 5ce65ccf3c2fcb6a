"""One import order, top-level and function-level imports alike:

    launch, checks < journal < cases < reports < app < cli, gui < main

A module imports only from its own floor or below, and no two modules import each other,
however indirectly. `if TYPE_CHECKING:` imports count too: a type a module needs from above
is a sign it sits on the wrong floor."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FLOORS = {
    "launch": 0,
    "checks": 0,
    "journal": 1,
    "cases": 2,
    "reports": 3,
    "app": 4,
    "cli": 5,
    "gui": 5,
    "main": 6,
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def product_modules() -> dict[str, Path]:
    found = {}
    for top in FLOORS:
        folder = ROOT / top
        single = ROOT / f"{top}.py"
        paths = folder.rglob("*.py") if folder.is_dir() else [single] if single.exists() else []
        for path in paths:
            found[module_name(path)] = path
    return found


MODULES = product_modules()


def imports_of(path: Path) -> list[tuple[int, str]]:
    """(line, module) for every import of our own modules, wherever it stands in the file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            # "from checks import wording" imports the module checks.wording
            names = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
        for name in names:
            while name and name not in MODULES:
                name = name.rpartition(".")[0]
            if name:
                found.append((node.lineno, name))
    return found


def floor(module: str) -> int:
    return FLOORS[module.split(".")[0]]


GRAPH = {
    m: {t for _, t in imports_of(p) if t != m and not m.startswith(t + ".")}
    for m, p in MODULES.items()
}


def test_every_product_module_is_on_a_floor():
    assert len(MODULES) > 100
    assert {m.split(".")[0] for m in MODULES} == set(FLOORS)


def test_no_import_points_up():
    upward = [
        f"{MODULES[m].relative_to(ROOT)}:{line} imports {t}"
        for m, p in MODULES.items()
        for line, t in imports_of(p)
        if floor(t) > floor(m)
    ]
    assert upward == []


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_two_modules_import_each_other():
    assert cycles(GRAPH) == []


@pytest.mark.parametrize(
    ("graph", "expected"),
    [
        ({"a": {"b"}, "b": {"c"}, "c": {"a"}}, [["a", "b", "c"]]),
        ({"a": {"b"}, "b": set()}, []),
    ],
)
def test_the_cycle_finder_finds_cycles(graph, expected):
    assert cycles(graph) == expected


def test_the_reader_sees_imports_inside_functions_and_type_checking_blocks(tmp_path):
    source = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from gui import session\n"
        "def f():\n    from app import flows\n"
    )
    path = tmp_path / "probe.py"
    path.write_text(source, encoding="utf-8")
    assert [t for _, t in imports_of(path)] == ["gui", "gui.session", "app", "app.flows"]
