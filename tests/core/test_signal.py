"""Resampling, the offline low-pass and the live smoother (balance_trainer.signal)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from balance_trainer.errors import AnalysisError, InsufficientDataError
from balance_trainer.signal import LiveSmoother, lowpass, resample_uniform

# --- resample_uniform ---------------------------------------------------------------------------


def slow_window_average(t, x, fs):
    """Obvious reference: for each grid point, average the samples inside its window."""
    m = int(math.floor((t[-1] - t[0]) * fs + 0.5)) + 1
    grid = [t[0] + k / fs for k in range(m)]
    out = []
    for g in grid:
        inside = [v for tv, v in zip(t, x, strict=True) if g - 0.5 / fs <= tv < g + 0.5 / fs]
        out.append(sum(inside) / len(inside) if inside else None)
    # fill empty windows linearly between the nearest filled ones
    for k, v in enumerate(out):
        if v is None:
            lo = max(j for j in range(k) if out[j] is not None)
            hi = min(j for j in range(k + 1, m) if out[j] is not None)
            w = (k - lo) / (hi - lo)
            out[k] = out[lo] * (1 - w) + out[hi] * w
    return np.array(grid), np.array(out, dtype=float)


def test_resample_leaves_samples_on_the_grid_unchanged():
    t = np.arange(100) / 80.0
    x = np.sin(t)
    tu, xu = resample_uniform(t, x, 80.0)
    assert np.allclose(tu, t)
    assert np.array_equal(xu, x)


def test_resample_averages_every_sample_in_a_window():
    t = np.array([0.0, 0.1, 0.14, 0.2, 0.26, 0.3])
    x = np.array([1.0, 2.0, 4.0, 6.0, 8.0, 10.0])
    tu, xu = resample_uniform(t, x, 10.0)
    assert np.allclose(tu, [0.0, 0.1, 0.2, 0.3])
    # window of 0.1 s holds 0.1 and 0.14; window of 0.3 s holds 0.26 and 0.3
    assert np.allclose(xu, [1.0, 3.0, 6.0, 9.0])


def test_resample_fills_a_gap_on_the_line_between_its_neighbours():
    t = np.array([0.0, 0.1, 0.4, 0.5])
    x = np.array([0.0, 1.0, 4.0, 5.0])
    _, xu = resample_uniform(t, x, 10.0)
    assert np.allclose(xu, [0.0, 1.0, 2.0, 3.0, 4.0, 5.0])


def test_resample_matches_a_slow_per_window_reference_on_jittered_data():
    rng = np.random.default_rng(7)
    fs = 80.0
    t = np.sort(np.arange(300) / fs + rng.normal(0, 0.004, 300))
    keep = rng.random(300) > 0.1  # dropped frames leave empty windows
    t, x = t[keep], np.cumsum(rng.normal(0, 1, keep.sum()))
    tu, xu = resample_uniform(t, x, fs)
    tr, xr = slow_window_average(list(t), list(x), fs)
    assert np.allclose(tu, tr)
    assert np.allclose(xu, xr)


def test_resample_treats_columns_independently():
    t = np.array([0.0, 0.04, 0.1, 0.2])
    x = np.column_stack([[1.0, 3.0, 5.0, 7.0], [10.0, 30.0, 50.0, 70.0]])
    _, xu = resample_uniform(t, x, 10.0)
    _, a = resample_uniform(t, x[:, 0], 10.0)
    _, b = resample_uniform(t, x[:, 1], 10.0)
    assert xu.shape == (3, 2)
    assert np.array_equal(xu[:, 0], a) and np.array_equal(xu[:, 1], b)


def test_resample_adds_no_path_to_a_ramp_sampled_with_jitter():
    rng = np.random.default_rng(3)
    t = np.sort(np.arange(500) / 100.0 + rng.uniform(-0.004, 0.004, 500))
    _, xu = resample_uniform(t, 2.0 * t, 100.0)
    path = np.abs(np.diff(xu)).sum()
    assert path == pytest.approx(xu[-1] - xu[0])  # monotone: no back-and-forth invented


def test_resample_refuses_time_going_backwards():
    with pytest.raises(AnalysisError, match="backwards at sample 2"):
        resample_uniform(np.array([0.0, 0.1, 0.05]), np.zeros(3), 10.0)


def test_resample_refuses_no_samples_and_a_bad_rate():
    with pytest.raises(InsufficientDataError):
        resample_uniform(np.array([]), np.array([]), 10.0)
    with pytest.raises(AnalysisError, match="positive rate"):
        resample_uniform(np.array([0.0, 1.0]), np.zeros(2), 0.0)
    with pytest.raises(AnalysisError, match="one row per time"):
        resample_uniform(np.array([0.0, 1.0]), np.zeros(3), 10.0)


# --- lowpass ------------------------------------------------------------------------------------


def _amplitude_ratio(f_hz, fs=100.0, cutoff=10.0):
    t = np.arange(4000) / fs
    x = np.sin(2 * np.pi * f_hz * t)
    y = lowpass(x, fs, cutoff)
    mid = slice(1000, 3000)  # away from the edges
    return np.sqrt(np.mean(y[mid] ** 2) / np.mean(x[mid] ** 2))


def test_lowpass_passes_sway_frequencies_untouched():
    assert _amplitude_ratio(1.0) == pytest.approx(1.0, abs=1e-6)


def test_lowpass_is_6_db_down_at_the_cutoff_because_it_runs_twice():
    assert _amplitude_ratio(10.0) == pytest.approx(0.5, abs=0.01)


def test_lowpass_removes_noise_well_above_the_cutoff():
    assert _amplitude_ratio(30.0) < 1e-3


def test_lowpass_has_no_phase_lag():
    fs = 100.0
    t = np.arange(3000) / fs
    x = np.sin(2 * np.pi * 2.0 * t)
    y = lowpass(x, fs)
    mid = slice(500, 2500)
    lags = range(-5, 6)
    corr = [np.dot(x[mid], np.roll(y, -k)[mid]) for k in lags]
    assert list(lags)[int(np.argmax(corr))] == 0
    assert np.max(np.abs(y[mid] - x[mid])) < 0.01


def test_lowpass_filters_each_column():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(500, 2))
    y = lowpass(x, 100.0)
    assert np.allclose(y[:, 1], lowpass(x[:, 1], 100.0))


def test_lowpass_refuses_a_cutoff_at_or_above_nyquist():
    with pytest.raises(AnalysisError, match="Nyquist"):
        lowpass(np.zeros(100), 20.0, 10.0)


def test_lowpass_refuses_nan_and_too_short_input():
    x = np.zeros(100)
    x[5] = np.nan
    with pytest.raises(AnalysisError, match="NaN"):
        lowpass(x, 100.0)
    with pytest.raises(InsufficientDataError):
        lowpass(np.zeros(10), 100.0)


# --- LiveSmoother -------------------------------------------------------------------------------


def run(sm, xs):
    return np.array([sm.update(v) for v in xs])


@pytest.mark.parametrize("fs", [50.0, 80.0, 100.0])
def test_live_smoother_lags_a_ramp_by_exactly_its_documented_delay(fs):
    sm = LiveSmoother(fs, 4.0)
    t = np.arange(400) / fs
    y = run(sm, 3.0 * t)  # 3 mm/s ramp
    lag_s = (3.0 * t[-1] - y[-1]) / 3.0
    assert lag_s == pytest.approx(sm.delay_s, rel=1e-6)


def test_live_smoother_delay_is_about_40_ms_at_80_hz():
    assert 0.035 < LiveSmoother(80.0, 4.0).delay_s < 0.045


def test_live_smoother_is_3_db_down_at_its_cutoff():
    fs, fc = 80.0, 4.0
    sm = LiveSmoother(fs, fc)
    t = np.arange(2000) / fs
    y = run(sm, np.sin(2 * np.pi * fc * t))
    tail = y[1000:]
    assert np.sqrt(2 * np.mean(tail**2)) == pytest.approx(2**-0.5, rel=0.01)


def test_live_smoother_follows_a_step_without_overshoot():
    sm = LiveSmoother(80.0)
    y = run(sm, [0.0] * 5 + [10.0] * 200)
    assert np.all(np.diff(y) >= 0)
    assert y.max() <= 10.0
    assert y[-1] == pytest.approx(10.0, abs=1e-6)


def test_live_smoother_starts_at_the_first_sample_instead_of_zero():
    sm = LiveSmoother(80.0)
    assert sm.update(42.0) == 42.0
    assert sm.update(42.0) == pytest.approx(42.0)


def test_live_smoother_nan_gives_nan_and_does_not_poison_later_output():
    sm = LiveSmoother(80.0)
    run(sm, [100.0] * 50)
    assert math.isnan(sm.update(float("nan")))
    # After the gap the filter restarts at the new value, not gliding from 100.
    assert sm.update(-5.0) == -5.0
    assert sm.update(-5.0) == pytest.approx(-5.0)


def test_live_smoother_reset_forgets_the_past():
    sm = LiveSmoother(80.0)
    run(sm, [50.0] * 20)
    sm.reset()
    assert sm.update(1.0) == 1.0


def test_live_smoother_refuses_impossible_settings():
    with pytest.raises(AnalysisError):
        LiveSmoother(80.0, 40.0)
    with pytest.raises(AnalysisError):
        LiveSmoother(0.0)
