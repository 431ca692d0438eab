"""Every command has help and is documented in the README."""

from __future__ import annotations

from pathlib import Path

import pytest

from balance_trainer.cli import build_parser

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def commands():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    helps = {a.dest: a.help for a in sub._choices_actions}
    return [(name, helps.get(name)) for name in sub.choices]


@pytest.mark.parametrize("name, help_line", commands(), ids=lambda v: str(v))
def test_command_has_help_and_is_in_the_readme(name, help_line):
    assert help_line, f"{name} has no help line"
    assert f"balance-trainer {name}" in README or f"`{name}" in README, name


def test_quick_start_has_exactly_two_commands():
    quick = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = quick.split("```sh")[1:]
    cmds = [b.split("```", 1)[0].strip() for b in blocks]
    assert len(cmds) == 2
    assert all(c.startswith("python3 -m venv .venv &&") for c in cmds)
    ci = (Path(__file__).resolve().parents[1] / ".ci" / "run").read_text(encoding="utf-8")
    assert cmds[1] in ci  # CI runs exactly the README's test command
