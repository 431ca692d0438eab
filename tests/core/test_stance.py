"""Single-leg steady state, time to stabilise and ML time-to-boundary (balance_trainer.stance)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from balance_trainer import stance as S
from balance_trainer.cli import main
from balance_trainer.config import load_board
from balance_trainer.protocols import analyze_recording_for_test

FS = 80.0


def settling(tau_s=0.4, offset_mm=40.0, seconds=20.0, sway_mm=3.0, seed=0):
    """Stance-foot ML COP: an offset decaying after lift-off at t=0, plus 0.7 Hz sway."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * FS)) / FS
    x = -120.0 + offset_mm * np.exp(-t / tau_s) + sway_mm * np.sin(2 * np.pi * 0.7 * t)
    return t, x + rng.normal(0, 0.2, t.size)


def test_time_to_stabilise_grows_with_the_settling_time_constant():
    fast = S.time_to_stabilise_s(*settling(tau_s=0.2), 0.0, 20.0)
    slow = S.time_to_stabilise_s(*settling(tau_s=1.0), 0.0, 20.0)
    assert fast is not None and slow is not None
    assert fast < slow
    # the smoothed COP is within 2σ (σ ≈ 3 mm/√2 of the sway) once 40·e^(-t/τ) has shrunk
    # to a few mm: t ≈ τ·ln(40/4) ≈ 2.3 τ, less half the smoothing window
    assert 1.5 < slow < 3.0


def test_a_cop_steady_from_lift_off_has_stabilised_at_once():
    t, x = settling(offset_mm=0.0)
    tts = S.time_to_stabilise_s(t, x, 0.0, 20.0)
    assert tts is not None and tts <= 0.3


def test_no_time_to_stabilise_without_a_reference_stretch():
    t, x = settling()
    assert S.time_to_stabilise_s(t, x, 0.0, 4.0) is None  # 3 s to 3.5 s: under 1 s of reference
    assert S.time_to_stabilise_s(t, x, 0.0, 4.6) is not None


def test_steady_window_starts_after_settling_and_stops_before_the_end():
    assert S.steady_window(10.0, 30.0, 1.7) == (11.7, 29.5)
    assert S.steady_window(10.0, 30.0, 0.2) == (11.0, 29.5)  # never sooner than 1 s
    assert S.steady_window(10.0, 30.0, None) == (11.0, 29.5)
    assert S.steady_window(10.0, 13.4, 0.5) is None  # 1.9 s left: measured whole


def ref_ttb(x, fs, lo, hi):
    """Per sample, by the definition, then the mean and SD of the local minima."""
    n = len(x)
    v = [0.0] * n
    for i in range(n):
        a, b = max(i - 1, 0), min(i + 1, n - 1)
        v[i] = (x[b] - x[a]) / ((b - a) / fs)
    ttb = []
    for xi, vi in zip(x, v, strict=True):
        if vi > 0:
            ttb.append(max((hi - xi) / vi, 0.0))
        elif vi < 0:
            ttb.append(max((xi - lo) / -vi, 0.0))
        else:
            ttb.append(math.inf)
    mins = [
        ttb[i]
        for i in range(1, n - 1)
        if ttb[i] < ttb[i - 1] and ttb[i] <= ttb[i + 1] and math.isfinite(ttb[i])
    ]
    m = sum(mins) / len(mins)
    sd = math.sqrt(sum((a - m) ** 2 for a in mins) / (len(mins) - 1))
    return m, sd


def test_time_to_boundary_matches_the_per_sample_definition():
    t, x = settling(offset_mm=0.0, seconds=10.0)
    out = S.ml_time_to_boundary_s(x, FS, (-190.0, -50.0))
    m, sd = ref_ttb(list(x), FS, -190.0, -50.0)
    assert out["ml_time_to_boundary_s"] == pytest.approx(m, rel=1e-9)
    assert out["ml_time_to_boundary_sd_s"] == pytest.approx(sd, rel=1e-9)


def test_more_sway_or_a_narrower_span_brings_the_boundary_closer_in_time():
    _, calm = settling(offset_mm=0.0, sway_mm=2.0)
    _, wild = settling(offset_mm=0.0, sway_mm=8.0)
    wide = (-190.0, -50.0)
    a = S.ml_time_to_boundary_s(calm, FS, wide)["ml_time_to_boundary_s"]
    b = S.ml_time_to_boundary_s(wild, FS, wide)["ml_time_to_boundary_s"]
    c = S.ml_time_to_boundary_s(calm, FS, (-150.0, -90.0))["ml_time_to_boundary_s"]
    assert b < a and c < a


def test_foot_spans_are_each_sides_cell_extent():
    spans = S.foot_spans(load_board("two-plate-4"))
    assert spans == {"left": (-190.0, -50.0), "right": (50.0, 190.0)}


def test_a_simulated_hold_measures_sway_after_the_weight_has_come_across(tmp_path, capsys):
    path = tmp_path / "sls.csv"
    args = ["record", "-o", str(path), "--seconds", "40", "--scenario", "single-leg-left"]
    assert main([*args, "--fast"]) == 0
    capsys.readouterr()
    (trial, *_) = analyze_recording_for_test(path, "single-leg-stance")["trials"]
    m, win, whole = trial["metrics"], trial["sway_window"], trial["whole_trial"]
    assert win["definition"].startswith("steady state")
    assert win["start_s"] >= trial["start_s"] + 1.0 and win["end_s"] == pytest.approx(
        trial["end_s"] - 0.5
    )
    assert 0.3 < m["time_to_stabilise_s"] < 3.0
    # the transfer onto the stance foot is not sway: the steady window sways less
    assert m["ml_range_mm"] < 0.8 * whole["ml_range_mm"]
    assert m["ml_rms_mm"] < whole["ml_rms_mm"]
    assert 0.5 < m["ml_time_to_boundary_s"] < 20.0
