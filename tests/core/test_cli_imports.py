"""A command imports what it runs and nothing else (the fresh-process cost of ``analyze``)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from balance_trainer.cli import build_parser, core_commands, main, requested_core_command

ROOT = Path(__file__).resolve().parents[2]
HBEDB = sorted((ROOT / "tests" / "data" / "hbedb").glob("BDS*.txt"))

# Runs main() in a fresh interpreter and prints the modules it imported, as JSON.
PROBE = """
import io, json, sys, contextlib
from balance_trainer.cli import main
out = io.StringIO()
with contextlib.redirect_stdout(out):
    try:
        status = main(sys.argv[1:])
    except SystemExit as exc:
        status = exc.code
print(json.dumps({"status": status, "modules": sorted(sys.modules)}))
"""


def imported_by(*argv: str, tmp_path: Path) -> tuple[int, set[str]]:
    env = {"HOME": str(tmp_path), "BALANCE_TRAINER_DATA_DIR": str(tmp_path / "data")}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *argv],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**env, "PATH": "/usr/bin:/bin"},
        timeout=120,
        check=True,
    )
    got = json.loads(done.stdout.strip().splitlines()[-1])
    return got["status"], set(got["modules"])


def under(modules: set[str], *prefixes: str) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in prefixes or m.startswith(prefixes))


def test_analyze_imports_no_store_protocols_games_or_hardware(tmp_path):
    status, mods = imported_by("analyze", "--json", str(HBEDB[0]), tmp_path=tmp_path)
    assert status == 0
    assert under(mods, "pygame", "games", "hardware", "gpiozero", "lgpio", "sqlite3") == []
    assert under(mods, "balance_trainer.store", "balance_trainer.protocols") == []
    assert under(mods, "balance_trainer.report", "balance_trainer.run") == []
    assert "scipy.signal" in mods  # the low-pass and the spectra need it


def test_help_of_a_core_command_imports_no_scipy(tmp_path):
    status, mods = imported_by("analyze", "--help", tmp_path=tmp_path)
    assert status == 0
    assert under(mods, "scipy", "pygame", "hardware") == []


def test_only_a_named_core_command_is_registered_alone():
    assert requested_core_command(["analyze", "x.txt"]) == "analyze"
    # global options, outside commands and typos get the whole parser (its help, its errors)
    assert requested_core_command(["--version"]) is None
    assert requested_core_command(["play", "river"]) is None
    assert requested_core_command(["analyse"]) is None
    assert requested_core_command([]) is None


def test_a_command_alone_parses_as_it_does_in_the_whole_parser():
    argv = ["analyze", "--json", "--no-filter", "a.txt", "b.txt"]
    alone = vars(build_parser("analyze").parse_args(argv))
    whole = vars(build_parser().parse_args(argv))
    assert alone.keys() == whole.keys()
    assert {k: v for k, v in alone.items() if k != "func"} == {
        k: v for k, v in whole.items() if k != "func"
    }


@pytest.mark.parametrize("name", core_commands())
def test_every_core_command_registers_alone(name):
    parser = build_parser(name)
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    assert list(sub.choices) == [name]


def test_the_whole_help_still_lists_every_command(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for name in [*core_commands(), "play", "doctor"]:
        assert name in out
