"""DESIGN.md's layering rules, checked on the source: arrows never point back up."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def modules(package: str):
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("path", modules("balance_trainer"), ids=lambda p: p.name)
def test_core_imports_neither_pygame_nor_gpio_nor_games(path):
    found = imports_of(path)
    assert not found & {"pygame", "gpiozero", "lgpio", "RPi", "evdev", "games"}, found
    if path.name != "wiring.py":  # the one door from the core to a source
        assert "hardware" not in found, f"{path} imports hardware/"


@pytest.mark.parametrize("path", modules("hardware"), ids=lambda p: p.name)
def test_hardware_knows_nothing_of_games_or_cop(path):
    found = imports_of(path)
    assert "games" not in found and "pygame" not in found
    text = path.read_text(encoding="utf-8")
    assert "balance_trainer.balance" not in text and "balance_trainer.metrics" not in text


@pytest.mark.parametrize("path", modules("games"), ids=lambda p: p.name)
def test_games_never_touch_a_pin(path):
    found = imports_of(path)
    assert not found & {"gpiozero", "lgpio", "RPi"}, found
