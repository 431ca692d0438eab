"""Benchmark the sway measures and the analysis of real lab files.

Run: ``.venv/bin/python benchmarks/bench_metrics.py`` (add ``--quick`` to skip the slow
per-sample spectral baseline, which takes several seconds).

Reports, on this machine and in this run:

1. all COP measures (``compute_metrics``) for a 60 s, 100 Hz trial (target ≤ 5 ms), and the
   whole ``analyze_trial`` pipeline (validation + 10 Hz low-pass + measures) on it;
2. reading and analysing the 20 HBEDB files in tests/data/hbedb (target ≤ 1.5 s in total);
3. the ratio against a straightforward per-sample Python implementation of the same measures
   measured here: (a) the eleven time-domain measures, (b) all fourteen, where the Welch
   spectra are per-sample DFT sums (no FFT), as one would write them without numpy.

One fresh-process run on a shared machine is noisy (seconds either way); for "is analyze
slower than commit X", run ``benchmarks/bench_analyze_ab.py --baseline-ref X``, which
interleaves >= 7 runs of both trees and reports medians, CPU time and the ratio.
"""

from __future__ import annotations

import argparse
import math
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from balance_trainer.analysis import analyze_file, analyze_trial  # noqa: E402
from balance_trainer.metrics import METRIC_NAMES, SPECTRAL_NAMES, compute_metrics  # noqa: E402

HBEDB = sorted((ROOT / "tests" / "data" / "hbedb").glob("BDS*.txt"))
TIME_DOMAIN = tuple(n for n in METRIC_NAMES if n not in SPECTRAL_NAMES)


# --- the straightforward per-sample baseline ------------------------------------------------------


def py_time_domain(ml: list[float], ap: list[float], fs: float) -> dict[str, float]:
    n = len(ml)
    out: dict[str, float] = {}
    for axis, x in (("ml", ml), ("ap", ap)):
        mean = sum(x) / n
        out[f"{axis}_range_mm"] = max(x) - min(x)
        out[f"{axis}_rms_mm"] = math.sqrt(sum((v - mean) ** 2 for v in x) / n)
        path = 0.0
        for i in range(1, n):
            path += abs(x[i] - x[i - 1])
        out[f"{axis}_path_mm"] = path
        out[f"{axis}_mean_velocity_mm_s"] = path / (n / fs)
    path = 0.0
    for i in range(1, n):
        path += math.hypot(ml[i] - ml[i - 1], ap[i] - ap[i - 1])
    out["path_length_mm"] = path
    out["mean_velocity_mm_s"] = path / (n / fs)
    mx, my = sum(ml) / n, sum(ap) / n
    sxx = syy = sxy = 0.0
    for a, b in zip(ml, ap, strict=True):
        sxx += (a - mx) ** 2
        syy += (b - my) ** 2
        sxy += (a - mx) * (b - my)
    sxx, syy, sxy = sxx / (n - 1), syy / (n - 1), sxy / (n - 1)
    m = n - 2
    f_q = (m / 2) * (0.05 ** (-2 / m) - 1)
    k = 2 * (n + 1) * (n - 1) / (n * (n - 2)) * f_q
    out["ellipse_area_mm2"] = math.pi * k * math.sqrt(max(sxx * syy - sxy * sxy, 0.0))
    return out


def py_welch(x: list[float]) -> list[float]:
    """One-sided Welch power per bin (unscaled) by per-sample DFT sums."""
    n = len(x)
    seg = n // 2
    step = seg - seg // 2
    cos_t = [math.cos(2 * math.pi * k / seg) for k in range(seg)]
    sin_t = [math.sin(2 * math.pi * k / seg) for k in range(seg)]
    win = [0.5 - 0.5 * c for c in cos_t]
    nbins = seg // 2 + 1
    psd = [0.0] * nbins
    for s in range(0, n - seg + 1, step):
        part = x[s : s + seg]
        mean = sum(part) / seg
        y = [(v - mean) * w for v, w in zip(part, win, strict=True)]
        for j in range(nbins):
            re = im = 0.0
            idx = 0
            for v in y:
                re += v * cos_t[idx]
                im -= v * sin_t[idx]
                idx += j
                if idx >= seg:
                    idx -= seg
            p = re * re + im * im
            psd[j] += p if j in (0, seg // 2) else 2 * p
    return psd


def py_all(ml: list[float], ap: list[float], fs: float) -> dict[str, float]:
    out = py_time_domain(ml, ap, fs)
    seg = len(ml) // 2
    freqs = [j * fs / seg for j in range(seg // 2 + 1)]
    pml, pap = py_welch(ml), py_welch(ap)

    def trapz(y: list[float]) -> float:
        return sum(y) - 0.5 * (y[0] + y[-1])

    def mean_f(p: list[float]) -> float:
        return trapz([f * v for f, v in zip(freqs, p, strict=True)]) / trapz(p)

    def median_f(p: list[float]) -> float:
        half, acc = trapz(p) / 2, 0.0
        for i in range(1, len(p)):
            piece = (p[i] + p[i - 1]) / 2
            if acc + piece >= half:
                return freqs[i - 1] + (half - acc) / piece * (freqs[i] - freqs[i - 1])
            acc += piece
        return freqs[-1]

    out["ml_mean_frequency_hz"] = mean_f(pml)
    out["ml_median_frequency_hz"] = median_f(pml)
    out["mean_frequency_hz"] = mean_f([a + b for a, b in zip(pml, pap, strict=True)])
    return out


# --- timing ---------------------------------------------------------------------------------------


def best_of(fn, repeat: int) -> tuple[float, float]:
    """(median, best) wall time of fn() in seconds over ``repeat`` runs."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), min(times)


def trial_60s(fs: float = 100.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    n = int(60 * fs)
    t = np.arange(n) / fs
    ml = 4 * np.sin(2 * np.pi * 0.3 * t) + np.cumsum(rng.normal(0, 0.08, n))
    ap = 6 * np.sin(2 * np.pi * 0.2 * t + 1) + np.cumsum(rng.normal(0, 0.1, n))
    return t, ml, ap


def main() -> int:
    ap_ = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap_.add_argument("--quick", action="store_true", help="skip the per-sample spectral baseline")
    args = ap_.parse_args()

    t, ml, ap = trial_60s()
    fs = 100.0
    compute_metrics(ml, ap, fs)  # warm caches and imports
    med, best = best_of(lambda: compute_metrics(ml, ap, fs), 200)
    print(
        f"all {len(METRIC_NAMES)} measures, 60 s at 100 Hz: median {med * 1e3:.2f} ms, "
        f"best {best * 1e3:.2f} ms (target <= 5 ms)"
    )
    med_td, _ = best_of(lambda: compute_metrics(ml, ap, fs, names=TIME_DOMAIN), 200)
    print(f"  time-domain {len(TIME_DOMAIN)} only: median {med_td * 1e3:.3f} ms")
    med_pipe, _ = best_of(lambda: analyze_trial(t, ml, ap, load_n=np.full(t.size, 700.0)), 50)
    print(
        f"analyze_trial (validate + 10 Hz low-pass + all measures): median {med_pipe * 1e3:.2f} ms"
    )

    def all_files(filt: bool) -> None:
        for p in HBEDB:
            analyze_file(p, filter=filt)

    t0 = time.perf_counter()
    all_files(False)
    first = time.perf_counter() - t0
    med_files, _ = best_of(lambda: all_files(False), 5)
    med_files_f, _ = best_of(lambda: all_files(True), 5)
    print(
        f"read + analyse {len(HBEDB)} HBEDB files: first pass {first:.3f} s, median "
        f"{med_files:.3f} s as published (--no-filter), {med_files_f:.3f} s with low-pass "
        "(target <= 1.5 s)"
    )

    cmd = [sys.executable, "-m", "balance_trainer.cli", "analyze", "--json", *map(str, HBEDB)]
    t0 = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, cwd=ROOT, check=False)
    whole = time.perf_counter() - t0
    print(
        f"  the same as a fresh 'balance-trainer analyze --json' process (imports included): "
        f"{whole:.3f} s, exit status {done.returncode}"
    )

    ml_l, ap_l = ml.tolist(), ap.tolist()
    base_td, _ = best_of(lambda: py_time_domain(ml_l, ap_l, fs), 5)
    ours = compute_metrics(ml, ap, fs, names=TIME_DOMAIN)
    check = py_time_domain(ml_l, ap_l, fs)
    assert all(math.isclose(ours[k], check[k], rel_tol=1e-9) for k in TIME_DOMAIN)
    print(
        f"per-sample Python, {len(TIME_DOMAIN)} time-domain measures: {base_td * 1e3:.1f} ms "
        f"-> ours is {base_td / med_td:.0f}x faster"
    )
    if not args.quick:
        t0 = time.perf_counter()
        full = py_all(ml_l, ap_l, fs)
        base_all = time.perf_counter() - t0
        ours_all = compute_metrics(ml, ap, fs)
        # the per-sample baseline has the fourteen original measures, not the band-limited ones
        assert all(math.isclose(ours_all[k], full[k], rel_tol=1e-7) for k in full)
        print(
            f"per-sample Python, all {len(METRIC_NAMES)} measures (DFT by sums): "
            f"{base_all:.1f} s -> ours is {base_all / med:.0f}x faster"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
