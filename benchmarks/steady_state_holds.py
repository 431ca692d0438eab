"""Sway of simulated single-leg holds: whole trial against the steady-state window.

Run: ``.venv/bin/python benchmarks/steady_state_holds.py [N]`` (default 10 holds: seeds 0..4,
both legs). Each hold is a 40 s ``record --scenario single-leg-<side> --fast`` recording,
analysed with ``analyze --test single-leg-stance``; the first trial of each is reported. Prints
one row per hold (ML range and RMS, whole trial and steady state, time to stabilise, ML
time-to-boundary) and the ranges over all holds.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from balance_trainer.cli import main  # noqa: E402
from balance_trainer.protocols import analyze_recording_for_test  # noqa: E402


def holds(n: int) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(n):
            side, seed = ("left", "right")[i % 2], i // 2
            path = Path(tmp) / f"{side}-{seed}.csv"
            args = ["record", "-o", str(path), "--seconds", "40", "--fast"]
            main([*args, "--scenario", f"single-leg-{side}", "--seed", str(seed)])
            res = analyze_recording_for_test(path, "single-leg-stance")
            if not res["trials"]:
                continue
            tr = res["trials"][0]
            rows.append({"hold": f"{side} seed {seed}", **tr["whole_trial"], "trial": tr})
    return rows


def main_() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    rows = holds(n)
    head = (
        f"{'hold':<14}{'hold s':>8}{'range whole':>13}{'range steady':>14}"
        f"{'RMS whole':>11}{'RMS steady':>12}{'TTS s':>7}{'TTB ML s':>10}"
    )
    print(head)
    cols: dict[str, list[float]] = {}
    for r in rows:
        tr = r["trial"]
        m = tr["metrics"]  # type: ignore[index]
        vals = {
            "range whole": r["ml_range_mm"],
            "range steady": m["ml_range_mm"],
            "RMS whole": r["ml_rms_mm"],
            "RMS steady": m["ml_rms_mm"],
            "TTS": m["time_to_stabilise_s"],
            "TTB": m["ml_time_to_boundary_s"],
        }
        for k, v in vals.items():
            if v is not None:
                cols.setdefault(k, []).append(float(v))  # type: ignore[arg-type]

        def f(v: object, fmt: str) -> str:
            return "-" if v is None else format(v, fmt)

        print(
            f"{r['hold']:<14}{tr['hold_s']:>8.1f}{f(vals['range whole'], '.1f'):>13}"  # type: ignore[index]
            f"{f(vals['range steady'], '.1f'):>14}{f(vals['RMS whole'], '.2f'):>11}"
            f"{f(vals['RMS steady'], '.2f'):>12}{f(vals['TTS'], '.2f'):>7}"
            f"{f(vals['TTB'], '.2f'):>10}"
        )
    for k, v in cols.items():
        print(f"{k:>13}: {min(v):.2f}-{max(v):.2f} over {len(v)} holds")
    return 0


if __name__ == "__main__":
    raise SystemExit(main_())
