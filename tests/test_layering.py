"""DESIGN.md's layering rules, checked on the parsed source: arrows never point back up.

Imports are read with :mod:`ast`, not by searching the text, so a docstring that mentions
``hardware.sources`` is not an import and an ``import hardware.hx711 as hx`` inside a function
is one. Imports under ``if TYPE_CHECKING:`` are left out: they never run.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("balance_trainer", "hardware", "games")


def module_name(path: Path) -> str:
    """``balance_trainer/commands/test.py`` -> ``balance_trainer.commands.test``."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _import_nodes(node: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and _is_type_checking(child.test):
            for other in child.orelse:
                yield from _import_nodes(other)
            continue
        if isinstance(child, ast.Import | ast.ImportFrom):
            yield child
        yield from _import_nodes(child)


def imported_names(path: Path) -> set[str]:
    """Every dotted module name ``path`` imports (relative imports resolved), anywhere in it.

    For ``from X import y`` both ``X`` and ``X.y`` are given (``y`` may be a submodule).
    """
    here = module_name(path).split(".")
    package = here if path.name == "__init__.py" else here[:-1]
    names: set[str] = set()
    for node in _import_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
            continue
        if node.level:
            base = package[: len(package) - (node.level - 1)]
            mod = ".".join([*base, node.module] if node.module else base)
        else:
            mod = node.module or ""
        names.add(mod)
        names.update(f"{mod}.{a.name}" for a in node.names)
    return names


def top_levels(path: Path) -> set[str]:
    return {name.split(".")[0] for name in imported_names(path)}


def modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def import_graph() -> dict[str, set[str]]:
    """Module -> the project modules it imports (only names that are project modules)."""
    paths = [p for pkg in PACKAGES for p in modules(pkg)]
    known = {module_name(p) for p in paths}
    return {module_name(p): {n for n in imported_names(p) if n in known} for p in paths}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (or a self-import), sorted.

    Tarjan's algorithm; each component is one knot of modules that import each other.
    """
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1 or v in graph.get(v, ()):
                found.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(found)


# -- the checker checks what it should -----------------------------------------------------


def test_imported_names_resolves_relative_imports_and_skips_type_checking(tmp_path, monkeypatch):
    pkg = tmp_path / "games" / "rules"
    pkg.mkdir(parents=True)
    f = pkg / "thing.py"
    f.write_text(
        '"""Mentions hardware.sources in prose only."""\n'
        "from typing import TYPE_CHECKING\n"
        "from . import stats\n"
        "from ..feed import BoardFeed\n"
        "if TYPE_CHECKING:\n"
        "    import hardware.hx711\n"
        "def later():\n"
        "    import gpiozero.pins as p\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    names = imported_names(f)
    assert {"games.rules", "games.rules.stats", "games.feed", "gpiozero.pins"} <= names
    assert not any(n.startswith("hardware") for n in names)


def test_cycles_finds_a_knot_and_nothing_in_a_tree():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


# -- the rules --------------------------------------------------------------------------------


@pytest.mark.parametrize("path", modules("balance_trainer"), ids=module_name)
def test_core_imports_neither_pygame_nor_gpio_nor_games_nor_hardware(path):
    found = top_levels(path)
    assert not found & {"pygame", "gpiozero", "lgpio", "RPi", "evdev", "games", "hardware"}, found


@pytest.mark.parametrize("path", modules("hardware"), ids=module_name)
def test_hardware_knows_nothing_of_games_or_cop(path):
    names = imported_names(path)
    assert not top_levels(path) & {"games", "pygame"}
    cop = {"balance_trainer.balance", "balance_trainer.metrics", "balance_trainer.events"}
    assert not names & cop, names & cop


HARDWARE_TAKES = frozenset(
    {
        "balance_trainer",  # the package itself (its version, STANDARD_GRAVITY re-exported)
        "balance_trainer.errors",
        "balance_trainer.frames",
        "balance_trainer.config",
        "balance_trainer.constants",
    }
)
"""What hardware/ may take from the core: its errors, frames (RawFrame, Source, Clock/Sleep), the
board configuration and the physical constants (gravity, the foot's half-width), so no number is
typed twice (docs/design.md, layering)."""

HARDWARE_ALSO_TAKES = {
    "hardware.replay": {"balance_trainer.recording"},  # a recording source reads the file format
    "hardware.doctor": {"balance_trainer.wiring"},  # a command: opens a source as every one does
}
"""The few hardware modules that take one thing more, and what."""


def core_modules_used(path: Path) -> set[str]:
    """The core modules ``path`` imports (``from balance_trainer.config import Board`` gives
    ``balance_trainer.config``), each the longest imported prefix that is a core module."""
    known = {module_name(p) for p in modules("balance_trainer")}
    used = set()
    for name in imported_names(path):
        if name.split(".")[0] != "balance_trainer":
            continue
        parts = name.split(".")
        while parts and ".".join(parts) not in known:
            parts.pop()
        used.add(".".join(parts))
    return used


def test_core_modules_used_reduces_names_to_their_module(tmp_path, monkeypatch):
    (tmp_path / "balance_trainer").mkdir()
    for name in ("__init__", "config", "errors"):
        (tmp_path / "balance_trainer" / f"{name}.py").write_text("")
    f = tmp_path / "balance_trainer" / "thing.py"
    f.write_text("from .config import Board\nfrom balance_trainer import errors, VERSION\n")
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    got = core_modules_used(f)
    assert got == {"balance_trainer", "balance_trainer.config", "balance_trainer.errors"}


@pytest.mark.parametrize("path", modules("hardware"), ids=module_name)
def test_hardware_takes_from_the_core_only_errors_frames_config_and_constants(path):
    extra = HARDWARE_ALSO_TAKES.get(module_name(path), set())
    assert core_modules_used(path) <= HARDWARE_TAKES | extra, core_modules_used(path) - (
        HARDWARE_TAKES | extra
    )


def test_each_exception_to_what_hardware_takes_is_still_used():
    for mod, extra in HARDWARE_ALSO_TAKES.items():
        path = ROOT / (mod.replace(".", "/") + ".py")
        assert extra <= core_modules_used(path), f"{mod} no longer needs {extra}: drop it"


@pytest.mark.parametrize("path", modules("games"), ids=module_name)
def test_games_never_touch_a_pin(path):
    found = top_levels(path)
    assert not found & {"gpiozero", "lgpio", "RPi"}, found


def test_there_is_no_import_cycle_anywhere():
    assert cycles(import_graph()) == []
