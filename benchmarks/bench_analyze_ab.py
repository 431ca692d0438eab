"""A/B benchmark: ``analyze`` of the 20 HBEDB files, this tree against an older commit.

Run: ``.venv/bin/python benchmarks/bench_analyze_ab.py --baseline-ref 617c5fa [--runs 7]``

The baseline is the tree of ``--baseline-ref`` unpacked by ``git archive`` into a temporary
folder (no git worktree is created, nothing in the repository changes) and run with this
venv's interpreter and ``PYTHONPATH`` set to that folder, so both sides use the same Python,
numpy and scipy and differ only in our code. Each round runs old and new back to back, in
alternating order, so the load of this shared machine falls on both alike. Two measures:

1. **fresh process**: wall time of ``python -m balance_trainer.cli analyze --json FILES``
   (interpreter start, imports, reading, analysis, JSON out) — what a person typing
   ``balance-trainer analyze`` waits for;
2. **in-process**: in a fresh interpreter that has imported ``balance_trainer.analysis``,
   the first pass of ``analyze_file`` over the 20 files (it pays the lazy imports, e.g.
   scipy.signal) and the median of ``--passes`` further passes (warm), once by the wall clock
   and once by the process's CPU time (``time.process_time``), which the other engineers'
   load on a shared machine disturbs far less than the wall clock.

Reports the median (and min) over ``--runs`` rounds per side and the new/old ratio of the
medians (below 1: the new tree is faster). Also checks both sides analysed every file and
reports the largest difference of any measure both sides publish.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HBEDB = sorted((ROOT / "tests" / "data" / "hbedb").glob("BDS*.txt"))

# Runs inside a fresh interpreter of either tree; prints one JSON line of timings.
IN_PROCESS = """
import json, statistics, sys, time
clock = time.process_time if sys.argv[1] == "cpu" else time.perf_counter
t0 = clock()
from balance_trainer.analysis import analyze_file
t_import = clock() - t0
files = sys.argv[3:]
t0 = clock()
for f in files:
    analyze_file(f)
first = clock() - t0
warm = []
for _ in range(int(sys.argv[2])):
    t0 = clock()
    for f in files:
        analyze_file(f)
    warm.append(clock() - t0)
print(json.dumps({"import": t_import, "first": first, "warm": statistics.median(warm)}))
"""


def unpack(ref: str, into: Path) -> str:
    """Unpack the tree of ``ref`` into ``into``; return the full commit id."""
    sha = subprocess.run(
        ["git", "rev-parse", "--verify", f"{ref}^{{commit}}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    archive = into / "tree.tar"
    subprocess.run(["git", "archive", "-o", str(archive), sha], cwd=ROOT, check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(into / "tree", filter="data")
    archive.unlink()
    return sha


def env_for(tree: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(tree)
    # the tree's own packages must win over the editable install of this worktree
    env.pop("PYTHONHOME", None)
    return env


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def fresh_process(tree: Path) -> tuple[float, float, list[dict[str, object]]]:
    """(wall s, CPU s of the child, its JSON lines) of one ``analyze --json`` run."""
    cmd = [sys.executable, "-m", "balance_trainer.cli", "analyze", "--json", *map(str, HBEDB)]
    c0, t0 = _children_cpu(), time.perf_counter()
    done = subprocess.run(cmd, cwd=tree, env=env_for(tree), capture_output=True, text=True)
    wall, cpu = time.perf_counter() - t0, _children_cpu() - c0
    if done.returncode != 0:
        raise SystemExit(f"{tree}: analyze exited {done.returncode}: {done.stderr.strip()}")
    return wall, cpu, [json.loads(line) for line in done.stdout.splitlines() if line.strip()]


def in_process(tree: Path, passes: int, clock: str) -> dict[str, float]:
    """Seconds of import, first and warm passes, by the wall clock or the process's CPU time."""
    cmd = [sys.executable, "-c", IN_PROCESS, clock, str(passes), *map(str, HBEDB)]
    done = subprocess.run(
        cmd, cwd=tree, env=env_for(tree), capture_output=True, text=True, check=True
    )
    out: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return out


def largest_difference(old: list[dict[str, object]], new: list[dict[str, object]]) -> str:
    worst, where = 0.0, "identical"
    for a, b in zip(old, new, strict=True):
        ma, mb = a["metrics"], b["metrics"]
        assert isinstance(ma, dict) and isinstance(mb, dict)
        for k in ma.keys() & mb.keys():
            va, vb = ma[k], mb[k]
            if isinstance(va, float) and isinstance(vb, float):
                d = abs(va - vb) / max(abs(va), 1e-12)
                if d > worst:
                    worst, where = d, f"{k} in {Path(str(a['file'])).name}"
    return f"{worst:.2e} relative ({where})"


def summary(name: str, old: list[float], new: list[float]) -> str:
    mo, mn = statistics.median(old), statistics.median(new)
    return (
        f"{name:<38} old median {mo:.3f} s (min {min(old):.3f})   new median {mn:.3f} s "
        f"(min {min(new):.3f})   new/old {mn / mo:.2f}"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--baseline-ref", default="617c5fa", help="commit to compare against")
    ap.add_argument("--runs", type=int, default=7, help="rounds per side (>= 7 for the report)")
    ap.add_argument("--passes", type=int, default=5, help="warm passes per in-process run")
    args = ap.parse_args()
    if len(HBEDB) != 20:
        print(f"tests/data/hbedb: expected 20 BDS files, found {len(HBEDB)}", file=sys.stderr)
        return 1

    with tempfile.TemporaryDirectory(prefix="bench-analyze-ab-") as tmp:
        sha = unpack(args.baseline_ref, Path(tmp))
        trees = {"old": Path(tmp) / "tree", "new": ROOT}
        wall: dict[str, list[float]] = {"old": [], "new": []}
        cpu: dict[str, list[float]] = {"old": [], "new": []}
        # in-process timings by clock ("wall", "cpu") and measure ("import", "first", "warm")
        inproc: dict[tuple[str, str, str], list[float]] = {}
        outputs: dict[str, list[dict[str, object]]] = {}
        for i in range(args.runs):
            order = ("old", "new") if i % 2 == 0 else ("new", "old")
            for side in order:
                t, c, outputs[side] = fresh_process(trees[side])
                wall[side].append(t)
                cpu[side].append(c)
            for clock in ("wall", "cpu"):
                for side in order:
                    r = in_process(trees[side], args.passes, clock)
                    for what, v in r.items():
                        inproc.setdefault((clock, what, side), []).append(v)
        for side in ("old", "new"):
            if len(outputs[side]) != len(HBEDB):
                print(f"{side}: {len(outputs[side])} of {len(HBEDB)} files analysed")
                return 1

    print(
        f"analyze of {len(HBEDB)} HBEDB files: old = {sha[:7]}, new = this tree; "
        f"{args.runs} interleaved rounds, python {sys.version.split()[0]}"
    )
    print(summary("fresh process (analyze --json)", wall["old"], wall["new"]))
    print(summary("  its CPU time (user + system)", cpu["old"], cpu["new"]))
    labels = {
        "import": "import analysis",
        "first": "first pass (cold)",
        "warm": f"warm pass (median {args.passes})",
    }
    for clock in ("wall", "cpu"):
        for what, label in labels.items():
            old, new = inproc[(clock, what, "old")], inproc[(clock, what, "new")]
            print(summary(f"in-process {clock}: {label}", old, new))
    diff = largest_difference(outputs["old"], outputs["new"])
    print(f"largest difference of a measure both publish: {diff}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
