"""Run the command line in-process on a bad input and judge what it did.

The promise under test (issue 17): whatever the input, the command ends with no traceback,
with one error line that names the thing that is wrong, with exit status 2 for bad input or 1
for a fault of the environment, and with every file in the data directory and every input
file exactly as it was.

:func:`run_cli` runs :func:`balance_trainer.cli.main` with a patched environment and captured
output, under a wall-clock alarm (a hang is a failure too: ``--seconds inf`` once ran forever).
:func:`judge` turns what happened into a verdict: ``None`` when the promise was kept, else one
sentence saying how it was broken.

Survey mode (``BT_BAD_INPUT_SURVEY=FILE``): the generated tests record every verdict in FILE
(one JSON object per line) instead of failing, so the suite can be run against old code to
count what it catches (``python tests/bad_input_harness.py FILE`` prints the table).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CASE_TIMEOUT_S = 20.0
"""A case running longer than this has hung (virtual-time runs take well under a second)."""

SURVEY = os.environ.get("BT_BAD_INPUT_SURVEY")

# Lines a command may print on stderr before it fails: what board it opened, progress.
_NOISE_PREFIXES = ("board: ", "recording ", "Calibrating ")


class CaseTimeout(BaseException):
    """Raised by the alarm inside a case that ran past :data:`CASE_TIMEOUT_S`."""


@dataclass
class Outcome:
    status: int | None
    stdout: str
    stderr: str
    exc: BaseException | None


@contextlib.contextmanager
def patched_env(env: Mapping[str, str | None]) -> Iterator[None]:
    saved = dict(os.environ)
    try:
        for k, v in env.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _alarm(signum: int, frame: Any) -> None:
    raise CaseTimeout()


def run_cli(argv: list[str], env: Mapping[str, str | None] | None = None) -> Outcome:
    """``balance_trainer.cli.main(argv)`` in-process, with ``env`` applied and output captured."""
    from balance_trainer import cli

    out, err = io.StringIO(), io.StringIO()
    status: int | None = None
    exc: BaseException | None = None
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, CASE_TIMEOUT_S)
    try:
        with (
            patched_env(env or {}),
            contextlib.redirect_stdout(out),
            contextlib.redirect_stderr(err),
        ):
            try:
                status = cli.main(argv)
            except SystemExit as e:  # argparse
                status = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
            except CaseTimeout as e:
                exc = e
            except Exception as e:  # noqa: BLE001 - any escape is the failure being counted
                exc = e
            except MemoryError as e:
                exc = e
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    return Outcome(status, out.getvalue(), err.getvalue(), exc)


def snapshot(*roots: Path) -> dict[str, str]:
    """sha256 of every file under ``roots`` (SQLite's -wal/-shm side files left out)."""
    digest: dict[str, str] = {}
    for root in roots:
        if root.is_file():
            digest[str(root)] = hashlib.sha256(root.read_bytes()).hexdigest()
            continue
        if not root.exists():
            continue
        for p in sorted(root.rglob("*")):
            if p.is_file() and not p.name.endswith(("-wal", "-shm")):
                digest[str(p)] = hashlib.sha256(p.read_bytes()).hexdigest()
    return digest


def _strict_json(text: str) -> str | None:
    """None when every line of ``text`` is strict JSON (no NaN or Infinity), else the line."""

    def refuse(name: str) -> Any:
        raise ValueError(name)

    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            json.loads(line, parse_constant=refuse)
        except ValueError:
            return line[:80]
    return None


def judge(
    outcome: Outcome,
    *,
    expect: frozenset[int],
    names: tuple[str, ...] = (),
    before: Mapping[str, str] | None = None,
    after: Mapping[str, str] | None = None,
    json_out: bool = False,
) -> str | None:
    """None when the promise was kept; else how it was broken.

    ``expect`` is the set of allowed exit statuses (0 in it: the input may be acceptable);
    ``names``: the error line must contain one of them (the file, option or variable).
    """
    if isinstance(outcome.exc, CaseTimeout):
        return f"hung (> {CASE_TIMEOUT_S:g} s)"
    if outcome.exc is not None:
        return f"traceback: {type(outcome.exc).__name__}: {str(outcome.exc)[:100]}"
    if "Traceback (most recent call last)" in outcome.stderr:
        return "traceback printed"
    if outcome.status not in expect:
        first = outcome.stderr.strip().splitlines()[-1:] or [""]
        return f"exit {outcome.status}, expected {sorted(expect)} ({first[0][:100]})"
    lines = [
        ln
        for ln in outcome.stderr.splitlines()
        if ln.strip() and not ln.startswith(_NOISE_PREFIXES)
    ]
    if outcome.status != 0:
        if len(lines) != 1:
            return f"{len(lines)} lines on stderr, expected one: {lines[:3]}"
        if names and not any(n in lines[0] for n in names):
            return f"error line names none of {names}: {lines[0][:120]}"
        if before is not None and after is not None and dict(before) != dict(after):
            changed = sorted(set(before.items()) ^ set(after.items()))
            return f"data changed: {[c[0] for c in changed][:3]}"
    elif json_out:
        bad = _strict_json(outcome.stdout)
        if bad is not None:
            return f"not strict JSON on stdout: {bad}"
    return None


# --- recording verdicts -----------------------------------------------------------------------


def record(cls: str, case: str, verdict: str | None) -> None:
    """In survey mode, append the verdict; otherwise fail the test on a broken promise."""
    if SURVEY:
        with open(SURVEY, "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"class": cls, "case": case[:200], "verdict": verdict}) + "\n")
        return
    assert verdict is None, f"{cls}: {case}: {verdict}"


# --- the seeded data directory ----------------------------------------------------------------

_SEED: Path | None = None


def seeded_data_dir() -> Path:
    """A data directory with one person (p01), one recorded trial and a sim calibration.

    Made once per process; :func:`fresh_data_dir` hands out copies.
    """
    global _SEED
    if _SEED is None:
        root = Path(tempfile.mkdtemp(prefix="bt-bad-input-seed-"))
        data = root / "data"
        empty_settings = root / "settings.toml"
        empty_settings.write_text("", encoding="utf-8")
        env = {"BALANCE_TRAINER_DATA_DIR": str(data), "BALANCE_TRAINER_CONFIG": str(empty_settings)}
        for argv in (
            ["people", "add", "p01", "--birth-year", "1950"],
            ["record", "--person", "p01", "--seconds", "1", "--fast"],
            ["calibrate", "--fast", "--yes", "--mass", "20", "--seconds", "0.5"],
        ):
            o = run_cli(argv, env)
            assert o.status == 0 and o.exc is None, (argv, o.stderr, o.exc)
        _SEED = data
    return _SEED


@contextlib.contextmanager
def fresh_data_dir() -> Iterator[Path]:
    """A private copy of the seeded data directory (and a scratch folder beside it)."""
    root = Path(tempfile.mkdtemp(prefix="bt-bad-input-"))
    try:
        data = root / "data"
        shutil.copytree(seeded_data_dir(), data)
        yield data
    finally:
        with contextlib.suppress(OSError):
            for p in root.rglob("*"):
                with contextlib.suppress(OSError):
                    p.chmod(0o700 if p.is_dir() else 0o600)
        shutil.rmtree(root, ignore_errors=True)


def base_env(data: Path) -> dict[str, str | None]:
    """The environment a case runs in: its data dir, an empty settings file, no board."""
    settings = data.parent / "settings.toml"
    if not settings.exists():
        settings.write_text("", encoding="utf-8")
    return {
        "BALANCE_TRAINER_DATA_DIR": str(data),
        "BALANCE_TRAINER_CONFIG": str(settings),
        "BALANCE_TRAINER_BOARD": None,
        "XDG_CONFIG_HOME": str(data.parent / "config"),
        "XDG_DATA_HOME": str(data.parent / "xdg-data"),
    }


# --- the survey table -------------------------------------------------------------------------


def table(path: str) -> str:
    """Markdown table of a survey file: cases, clean and failed per class."""
    rows: dict[str, list[int]] = {}
    causes: dict[str, dict[str, int]] = {}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        c = rows.setdefault(r["class"], [0, 0])
        c[0] += 1
        if r["verdict"] is not None:
            c[1] += 1
            kind = r["verdict"].split(":")[0].split(" (")[0][:40]
            causes.setdefault(r["class"], {}).setdefault(kind, 0)
            causes[r["class"]][kind] += 1
    out = ["| class | cases | clean | failed | how they failed |", "|---|---:|---:|---:|---|"]
    tot = [0, 0]
    for cls in sorted(rows):
        n, bad = rows[cls]
        tot[0] += n
        tot[1] += bad
        how = ", ".join(f"{k} {v}" for k, v in sorted(causes.get(cls, {}).items()))
        out.append(f"| {cls} | {n} | {n - bad} | {bad} | {how} |")
    out.append(f"| all | {tot[0]} | {tot[0] - tot[1]} | {tot[1]} | |")
    return "\n".join(out)


if __name__ == "__main__":
    print(table(sys.argv[1]))
