"""Every example in the README and docs/*.md that needs no hardware runs as written.

The examples are the fenced shell blocks (```sh). Each ``balance-trainer ...`` line is run by
bash, as a reader would type it, in a fresh temporary home folder (so the data directory and
settings are the default ones under it, empty) whose working folder holds links to the
repository's ``examples/``, ``tests/`` and ``docs/``, as in a clone. The blocks of one file run
in order in the same folder, so an example may read what an earlier one wrote (``record -o
session.csv`` then ``analyze session.csv``).

A block whose first line is a comment starting ``# needs`` (e.g. ``# needs the Raspberry Pi
and root: not run by the docs test``) is skipped with that reason; so is a single line ending
in such a comment. Any other line of a shell block must be a ``balance-trainer`` command: an
unmarked ``sudo ...`` fails here, so the README says which examples need hardware. The Quick
start's two commands install the project; ``test_quick_start_is_two_commands_and_ci_runs_the_
second`` checks them instead.

An example passes when it exits 0 within :data:`TIMEOUT_S`, prints no traceback, and writes
the files it names with ``-o`` / ``--screenshot``.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
TIMEOUT_S = 120.0
"""Per example; the slowest here takes ~8 s on the shared 2-core machine."""
SHELLS = ("sh", "bash", "shell", "console")
NEEDS = re.compile(r"#\s*needs\b(.*)$")


@dataclass(frozen=True)
class Example:
    """One line of a fenced shell block."""

    doc: str
    line: int
    text: str
    skip: str | None

    @property
    def id(self) -> str:
        return f"{self.doc}:{self.line}"


def fenced_blocks(text: str) -> list[tuple[int, str, list[str]]]:
    """(line of the opening fence, language, lines) of every fenced block in Markdown text."""
    out: list[tuple[int, str, list[str]]] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        m = re.match(r"^```\s*([\w-]*)\s*$", lines[i])
        if not m:
            i += 1
            continue
        start, lang, body = i + 1, m.group(1), []
        i += 1
        while i < len(lines) and not lines[i].startswith("```"):
            body.append(lines[i])
            i += 1
        out.append((start, lang, body))
        i += 1
    return out


def section_of(text: str, line: int) -> str:
    """The ``## `` heading a line falls under."""
    heading = ""
    for k, raw in enumerate(text.splitlines(), start=1):
        if k > line:
            break
        if raw.startswith("## "):
            heading = raw[3:].strip()
    return heading


def examples(path: Path, root: Path = ROOT) -> list[Example]:
    """Every command line of the shell blocks of one Markdown file, with its skip reason."""
    text = path.read_text(encoding="utf-8")
    doc = str(path.relative_to(root))
    out: list[Example] = []
    for start, lang, body in fenced_blocks(text):
        if lang not in SHELLS:
            continue
        block_skip = None
        if path.name == "README.md" and section_of(text, start) == "Quick start":
            block_skip = "Quick start: installs the project (checked by the Quick start test)"
        first = next((b.strip() for b in body if b.strip()), "")
        m = NEEDS.match(first) if first.startswith("#") else None
        if m:
            block_skip = "needs" + m.group(1).rstrip()
        joined: list[tuple[int, str]] = []
        for k, raw in enumerate(body, start=start + 1):
            if joined and joined[-1][1].endswith("\\"):
                joined[-1] = (joined[-1][0], joined[-1][1][:-1].rstrip() + " " + raw.strip())
            elif raw.strip() and not raw.strip().startswith("#"):
                joined.append((k, raw.strip()))
        for k, line in joined:
            skip = block_skip
            tail = NEEDS.search(line)
            if skip is None and tail and "#" in line:
                skip = "needs" + tail.group(1).rstrip()
            out.append(Example(doc, k, line, skip))
    return out


ALL = [e for p in DOCS for e in examples(p)]


def test_the_docs_have_examples_to_run():
    runnable = [e for e in ALL if e.skip is None]
    # README: play, record, analyze, calibrate, the tests, people/history/report at least
    assert len(runnable) >= 10, [e.id for e in runnable]
    assert {e.doc for e in runnable} >= {"README.md"}


@pytest.mark.parametrize("example", [e for e in ALL if e.skip is None], ids=lambda e: e.id)
def test_every_unmarked_shell_line_is_a_balance_trainer_command(example):
    assert shlex.split(example.text, comments=True)[0] == "balance-trainer", (
        f"{example.id}: {example.text!r} is not a balance-trainer command; mark its block "
        "with a first line '# needs ...' saying what it needs, or make it one"
    )


@pytest.fixture(scope="module")
def workdirs(tmp_path_factory):
    """One home and working folder per document, shared by its examples in order."""
    made: dict[str, tuple[Path, Path]] = {}

    def get(doc: str) -> tuple[Path, Path]:
        if doc not in made:
            home = tmp_path_factory.mktemp("home")
            work = home / "work"
            work.mkdir()
            for name in ("examples", "tests", "docs"):
                (work / name).symlink_to(ROOT / name)
            made[doc] = home, work
        return made[doc]

    return get


def example_env(home: Path) -> dict[str, str]:
    bindir = str(Path(sys.executable).parent)
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("BALANCE_TRAINER_", "XDG_")) and k not in ("HOME", "PATH")
    }
    env.update(
        HOME=str(home),
        PATH=f"{bindir}:/usr/local/bin:/usr/bin:/bin",
        SDL_VIDEODRIVER="dummy",
        SDL_AUDIODRIVER="dummy",
        GPIOZERO_PIN_FACTORY="mock",
    )
    return env


def outputs_named(line: str) -> list[str]:
    words = shlex.split(line, comments=True)
    return [
        words[i + 1]
        for i, w in enumerate(words[:-1])
        if w in ("-o", "--output", "--screenshot", "--record")
    ]


def run_example(example: Example, home: Path, work: Path) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            ["bash", "-c", example.text],
            cwd=work,
            env=example_env(home),
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"{example.id}: {example.text!r} did not finish in {TIMEOUT_S:g} s")


@pytest.mark.parametrize("example", ALL, ids=lambda e: e.id)
def test_readme_example_runs_as_written(example, workdirs):
    if example.skip is not None:
        pytest.skip(example.skip)
    home, work = workdirs(example.doc)
    done = run_example(example, home, work)
    said = (done.stdout + done.stderr)[-2000:]
    assert done.returncode == 0, f"{example.id}: {example.text!r} exited {done.returncode}:\n{said}"
    assert "Traceback" not in done.stderr, f"{example.id}: {example.text!r}:\n{said}"
    for name in outputs_named(example.text):
        assert (work / name).exists(), f"{example.id}: {example.text!r} did not write {name}"


def test_a_broken_example_fails(workdirs, tmp_path):
    """The runner is not a rubber stamp: an example with a bad option or file fails."""
    home, work = workdirs("broken")
    bad = [
        Example("broken", 1, "balance-trainer analyze no-such-file.csv", None),
        Example("broken", 2, "balance-trainer test single-leg-stance --scenario nope --fast", None),
    ]
    for example in bad:
        assert run_example(example, home, work).returncode != 0, example.text


def test_marked_blocks_and_lines_are_skipped_with_their_reason(tmp_path):
    doc = tmp_path / "x.md"
    doc.write_text(
        "## A\n\n```sh\n# needs the Pi: root\nsudo reboot\n```\n\n"
        "```sh\nbalance-trainer doctor   # needs a wired board\nbalance-trainer people list\n"
        "balance-trainer record -o a.csv \\\n    --seconds 2 --fast\n```\n",
        encoding="utf-8",
    )
    got = examples(doc, root=tmp_path)
    assert [(e.text, e.skip) for e in got] == [
        ("sudo reboot", "needs the Pi: root"),
        ("balance-trainer doctor   # needs a wired board", "needs a wired board"),
        ("balance-trainer people list", None),
        ("balance-trainer record -o a.csv --seconds 2 --fast", None),
    ]
    assert outputs_named(got[3].text) == ["a.csv"]


def quick_start_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return [
        "\n".join(body).strip()
        for start, lang, body in fenced_blocks(text)
        if lang in SHELLS and section_of(text, start) == "Quick start"
    ]


def test_quick_start_is_two_commands_and_ci_runs_the_second():
    cmds = quick_start_commands()
    assert len(cmds) == 2, cmds
    assert all("\n" not in c for c in cmds), "each Quick start block is one command line"
    assert all(c.startswith("python3 -m venv .venv && ") for c in cmds)
    assert cmds[0].endswith("balance-trainer play")
    ci = [
        line.strip()
        for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    assert ci[-1] == cmds[1], "the last command of .ci/run must be the README's test command"


def test_readme_norms_table_matches_the_norms_module():
    """Every value in the README's norms table is the one balance_trainer.norms compares with."""
    from balance_trainer.norms import BOHANNON_2006_NORMS, SPRINGER_2007

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    head = "| age | Springer 2007, eyes open |"
    rows = text.split(head, 1)[1].split("\n\n", 1)[0].splitlines()[2:]
    assert len(rows) == 6, rows

    def norm(table, eyes, sex, a0):
        got = [
            n.mean_s
            for n in table
            if n.eyes == eyes and n.sex == sex and n.age_min == a0 and n.statistic != "mean of 3"
        ]
        return got[0] if got else None

    for row in rows:
        cells = [c.strip() for c in row.strip("|").split("|")]
        a0 = int(cells[0].split("–")[0])
        want = [
            norm(SPRINGER_2007, "open", "all", a0),
            norm(SPRINGER_2007, "closed", "female", a0),
            norm(SPRINGER_2007, "closed", "male", a0),
            norm(BOHANNON_2006_NORMS, "open", "all", a0),
        ]
        have = [float(c) if c else None for c in cells[1:5]]
        assert have == want, f"README norms row {cells[0]}: {have} but norms.py has {want}"
