"""How well the simulated person's sway fits published data: simulator vs HBEDB per condition.

Run: ``python benchmarks/bench_simulator_fit.py [--seeds 8] [--single] [--tune]``

Targets (quiet stance) come from the 20 HBEDB trials in ``tests/data/hbedb`` (Santos &
Duarte 2016, doi:10.7717/peerj.2648), computed here with the project's own measures on the
files as published (``filter=False``: they are low-passed at 10 Hz already): per age group
(young < 60, older ≥ 60 years) and condition (eyes open/closed, firm/foam), the range over
that group's trials of the 95 % ellipse area, planar mean velocity, ML RMS and AP RMS.

The simulator: ``--seeds`` people (seeds 1..N) aged 30 (young) and 70 (older) stand 60 s in
each condition on the ``two-plate-8`` board (it measures AP), read through its simulated
HX711 cells (spikes off: rejecting them is the core's spike guard's job) and measured with
the same code as any recording (10 Hz zero-phase low-pass). The table gives the median over
the seeds and the share of seeds inside the HBEDB range; ``in range`` says whether the median
is. ``--single`` adds one-leg holds against Oliveira et al. 2018's faller cut-offs.

``--tune`` adjusts ``hardware.sway_calibration.QUIET_FIT`` toward the geometric middle of
each range (ML/AP RMS and ML/AP mean velocity) and prints the new table to paste there.
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
import time
from collections import defaultdict
from itertools import islice
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from balance_trainer.analysis import analyze_file, analyze_trial  # noqa: E402
from balance_trainer.balance import BalanceModel  # noqa: E402
from balance_trainer.calibration import Calibration  # noqa: E402
from balance_trainer.config import load_board  # noqa: E402
from hardware import sway_calibration  # noqa: E402
from hardware.simulated import SimulatedBoard  # noqa: E402

HBEDB = ROOT / "tests" / "data" / "hbedb"
MEASURES = ("ellipse_area_mm2", "mean_velocity_mm_s", "ml_rms_mm", "ap_rms_mm")
TUNED = ("ml_rms_mm", "ap_rms_mm", "ml_mean_velocity_mm_s", "ap_mean_velocity_mm_s")
AGES = {"young": 30.0, "old": 70.0}
CONDITIONS = (("open", "firm"), ("closed", "firm"), ("open", "foam"), ("closed", "foam"))
# Oliveira et al. 2018 (doi:10.1371/journal.pone.0203887), 30 s one-legged stance, eyes open,
# older adults (mean 67 y): fallers above these cut-offs.
OLIVEIRA_CUTOFFS = {"ellipse_area_mm2": 1030.0, "ml_mean_velocity_mm_s": 34.0,
                    "ap_mean_velocity_mm_s": 29.0}  # fmt: skip


def hbedb_targets() -> dict[tuple[str, str, str], dict[str, list[float]]]:
    """Per (group, eyes, surface): each measure's values over that group's HBEDB trials."""
    out: dict[tuple[str, str, str], dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    with open(HBEDB / "reference.tsv", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            m = analyze_file(HBEDB / f"{row['Trial']}.txt", filter=False)["metrics"]
            key = (row["AgeGroup"].lower(), row["Vision"].lower(), row["Surface"].lower())
            for name in dict.fromkeys((*MEASURES, *TUNED)):
                out[key][name].append(float(m[name]))
    return out


def simulate(
    age: float, eyes: str, surface: str, seed: int, scenario: str = "quiet", seconds: float = 60.0
) -> dict[str, float]:
    """Sway measures of one simulated trial (quiet: 60 s; single-leg: the first steady hold)."""
    sim = SimulatedBoard(
        load_board("two-plate-8"),
        scenario,
        seed=seed,
        realtime=False,
        spike_rate=0.0,
        age_years=age,
        eyes=eyes,
        surface=surface,
    )
    if scenario != "quiet":
        lift = next(e.t_s for e in sim.events if e.name == "lift_off")
        down = next(e.t_s for e in sim.events if e.name == "touchdown")
        start, stop = lift + 3.0, min(down - 0.5, lift + 3.0 + 30.0)
    else:
        start, stop = 0.0, seconds
    frames = list(islice(sim.frames(), int(round(stop * sim.fs)) + 1))
    t = np.array([f.t for f in frames])
    counts = np.array([f.counts for f in frames], dtype=float)
    off, scale = sim.builtin_calibration()
    bal = BalanceModel(sim.board).compute(
        t, Calibration(sim.board.cell_names, off, scale).forces(counts)
    )
    keep = t >= start
    m = analyze_trial(
        t[keep], bal.cop_ml_mm[keep], bal.cop_ap_mm[keep], load_n=bal.total_n[keep], filter=True
    )
    return {k: float(v) for k, v in m.items() if isinstance(v, (int, float))}


def run_group(
    group: str, eyes: str, surface: str, seeds: int, scenario: str = "quiet"
) -> dict[str, np.ndarray]:
    rows = [simulate(AGES[group], eyes, surface, s, scenario) for s in range(1, seeds + 1)]
    # a measure a short hold leaves null (frequency below 20 s) is left out for all
    keys = [k for k in rows[0] if all(k in r for r in rows)]
    return {k: np.array([r[k] for r in rows]) for k in keys}


def geo_mid(values: list[float]) -> float:
    return math.sqrt(min(values) * max(values))


def tune(targets: dict, seeds: int, steps: int) -> None:
    fit = dict(sway_calibration.QUIET_FIT)
    for key in sorted(targets):
        group, eyes, surface = key
        for _ in range(steps):
            sway_calibration.QUIET_FIT[key] = fit[key]
            sim = run_group(group, eyes, surface, seeds)
            med = {k: float(np.median(sim[k])) for k in TUNED}
            want = {k: geo_mid(targets[key][k]) for k in TUNED}
            n_ml, r_ml, n_ap, r_ap = fit[key]
            # amplitude mostly from the slow rambling, velocity mostly from the fast noise
            r_ml *= want["ml_rms_mm"] / med["ml_rms_mm"]
            r_ap *= want["ap_rms_mm"] / med["ap_rms_mm"]
            n_ml *= want["ml_mean_velocity_mm_s"] / med["ml_mean_velocity_mm_s"]
            n_ap *= want["ap_mean_velocity_mm_s"] / med["ap_mean_velocity_mm_s"]
            fit[key] = (n_ml, r_ml, n_ap, r_ap)
        sway_calibration.QUIET_FIT[key] = fit[key]
        print(f"    {key!r}: ({', '.join(f'{v:.3f}' for v in fit[key])}),", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=8, help="simulated people per cell")
    parser.add_argument("--single", action="store_true", help="add one-leg holds")
    parser.add_argument("--tune", action="store_true", help="refit QUIET_FIT and print it")
    parser.add_argument("--steps", type=int, default=4, help="tuning steps per condition")
    args = parser.parse_args()
    t0 = time.perf_counter()
    targets = hbedb_targets()
    if args.tune:
        print("QUIET_FIT = {")
        tune(targets, args.seeds, args.steps)
        print("}")
    print(f"quiet stance, 60 s, simulator (median of {args.seeds} seeds) vs HBEDB range")
    print(
        f"{'group':6} {'eyes':6} {'surface':7} {'measure':22} {'HBEDB range':>19} "
        f"{'simulator':>10} {'seeds in':>8}  in range"
    )
    misses = 0
    for group in ("young", "old"):
        for eyes, surface in CONDITIONS:
            key = (group, eyes, surface)
            sim = run_group(group, eyes, surface, args.seeds)
            n = len(targets[key]["ml_rms_mm"])
            for name in MEASURES:
                lo, hi = min(targets[key][name]), max(targets[key][name])
                med = float(np.median(sim[name]))
                share = float(np.mean((sim[name] >= lo) & (sim[name] <= hi)))
                ok = lo <= med <= hi
                misses += not ok
                print(
                    f"{group:6} {eyes:6} {surface:7} {name:22} {lo:8.2f} - {hi:8.2f} "
                    f"{med:10.2f} {100 * share:7.0f}%  {'yes' if ok else 'NO'}"
                    + (f"   (HBEDB n={n})" if name == MEASURES[0] else "")
                )
    if args.single:
        print("\none-leg stance, eyes open, firm, steady hold (3 s after lift-off, ≤ 30 s)")
        for group in ("young", "old"):
            sim = run_group(group, "open", "firm", args.seeds, "single-leg-left")
            for name, cut in OLIVEIRA_CUTOFFS.items():
                med = float(np.median(sim[name]))
                print(
                    f"{group:6} {name:24} simulator {med:8.1f}   Oliveira 2018 fallers above "
                    f"{cut:g}: {'below' if med < cut else 'ABOVE'}"
                )
            print(f"{group:6} {'ml_rms_mm':24} simulator {np.median(sim['ml_rms_mm']):8.1f}")
    print(f"\n{misses} medians outside their HBEDB range; {time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
