"""Types and format as a habit: mypy (strict on the core) and ruff run as part of the suite.

The configuration is ``[tool.mypy]`` and ``[tool.ruff]`` in ``pyproject.toml``; these tests run
the same tools a developer runs, on the whole repository, and show their output on failure.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

MYPY_PENDING: set[str] = set()
"""Files still allowed mypy errors: none (issue 11 part A made the last ones clean)."""


def run(*args: str, timeout: float = 300.0) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_ruff_finds_no_lint_errors():
    out = run("ruff", "check", "--no-cache", ".")
    assert out.returncode == 0, out.stdout + out.stderr


def test_every_python_file_is_ruff_formatted():
    out = run("ruff", "format", "--check", "--no-cache", ".")
    assert out.returncode == 0, out.stdout + out.stderr


def mypy_errors_by_file(output: str) -> dict[str, list[str]]:
    """``path -> error lines`` from mypy's output (notes are left out)."""
    found: dict[str, list[str]] = {}
    for line in output.splitlines():
        m = re.match(r"^([^:\s]+\.py):\d+(?::\d+)?: error: ", line)
        if m:
            found.setdefault(m.group(1).replace("\\", "/"), []).append(line)
    return found


def test_mypy_error_lines_are_read_per_file():
    text = (
        "balance_trainer/a.py:3: error: Bad  [misc]\n"
        "balance_trainer/a.py:3: note: See here\n"
        "games/b.py:10:5: error: Worse  [arg-type]\n"
        "Found 2 errors in 2 files (checked 3 source files)\n"
    )
    assert {k: len(v) for k, v in mypy_errors_by_file(text).items()} == {
        "balance_trainer/a.py": 1,
        "games/b.py": 1,
    }


def test_the_core_passes_mypy_strict():
    out = run("mypy", "balance_trainer")
    assert "error: " in out.stdout or out.returncode == 0, out.stdout + out.stderr
    errors = mypy_errors_by_file(out.stdout)
    unexpected = {path: lines for path, lines in errors.items() if path not in MYPY_PENDING}
    assert not unexpected, "\n".join(line for lines in unexpected.values() for line in lines)
