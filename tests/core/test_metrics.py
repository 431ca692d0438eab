"""Sway measures (balance_trainer.metrics): exact answers, invariants and a slow reference."""

from __future__ import annotations

import cmath
import math

import numpy as np
import pytest
from scipy import stats

from balance_trainer import metrics as M
from balance_trainer.errors import AnalysisError, InsufficientDataError, UsageError

# --- a slow, obvious reference, one sample at a time ----------------------------------------------


def ref_mean(x):
    return sum(x) / len(x)


def ref_range(x):
    return max(x) - min(x)


def ref_rms(x):
    m = ref_mean(x)
    return math.sqrt(sum((v - m) ** 2 for v in x) / len(x))


def ref_path(x, y=None):
    total = 0.0
    for i in range(1, len(x)):
        dx = x[i] - x[i - 1]
        dy = 0.0 if y is None else y[i] - y[i - 1]
        total += math.sqrt(dx * dx + dy * dy)
    return total


def ref_ellipse(x, y, level=0.95):
    n = len(x)
    mx, my = ref_mean(x), ref_mean(y)
    sxx = sum((a - mx) ** 2 for a in x) / (n - 1)
    syy = sum((b - my) ** 2 for b in y) / (n - 1)
    sxy = sum((a - mx) * (b - my) for a, b in zip(x, y, strict=True)) / (n - 1)
    f = stats.f.ppf(level, 2, n - 2)
    k = 2 * (n + 1) * (n - 1) / (n * (n - 2)) * f
    return math.pi * k * math.sqrt(sxx * syy - sxy**2)


def ref_welch(x, fs):
    """One-sided Welch PSD by the definition: Hann, N/2 segments, N/4 step, mean removed."""
    n = len(x)
    seg = n // 2
    step = seg - seg // 2
    win = [0.5 - 0.5 * math.cos(2 * math.pi * k / seg) for k in range(seg)]
    nbins = seg // 2 + 1
    psd = [0.0] * nbins
    starts = list(range(0, n - seg + 1, step))
    for s in starts:
        part = x[s : s + seg]
        m = sum(part) / seg
        for j in range(nbins):
            acc = 0j
            for k in range(seg):
                acc += (part[k] - m) * win[k] * cmath.exp(-2j * math.pi * j * k / seg)
            power = abs(acc) ** 2
            psd[j] += power if j in (0, seg // 2) else 2 * power  # fold negative frequencies
    freqs = [j * fs / seg for j in range(nbins)]
    return freqs, psd  # unscaled: only ratios are used


def ref_trapz(y):
    return sum((y[i] + y[i - 1]) / 2 for i in range(1, len(y)))


def ref_mean_freq(f, p):
    return ref_trapz([a * b for a, b in zip(f, p, strict=True)]) / ref_trapz(p)


def ref_median_freq(f, p):
    half = ref_trapz(p) / 2
    acc = 0.0
    for i in range(1, len(p)):
        piece = (p[i] + p[i - 1]) / 2
        if acc + piece >= half:
            return f[i - 1] + (half - acc) / piece * (f[i] - f[i - 1])
        acc += piece
    return f[-1]


def ref_band_freq(f, p, q, lo=0.15, hi=5.0):
    fb = [a for a in f if lo <= a <= hi]
    pb = [b for a, b in zip(f, p, strict=True) if lo <= a <= hi]
    target = q * ref_trapz(pb)
    acc = 0.0
    for i in range(1, len(pb)):
        piece = (pb[i] + pb[i - 1]) / 2
        if acc + piece >= target:
            return fb[i - 1] + (target - acc) / piece * (fb[i] - fb[i - 1])
        acc += piece
    return fb[-1]


def ref_share(f, p, lo, hi):
    inside = sum(b for a, b in zip(f, p, strict=True) if lo <= a < hi)
    return 100 * inside / sum(b for a, b in zip(f, p, strict=True) if 0.15 <= a < 5.0)


def reference_metrics(ml, ap, fs):
    ml, ap = list(ml), list(ap)
    n = len(ml)
    f, pml = ref_welch(ml, fs)
    _, pap = ref_welch(ap, fs)
    both = [a + b for a, b in zip(pml, pap, strict=True)]
    return {
        "ml_range_mm": ref_range(ml),
        "ml_rms_mm": ref_rms(ml),
        "ml_path_mm": ref_path(ml),
        "ml_mean_velocity_mm_s": ref_path(ml) / (n / fs),
        "ml_mean_frequency_hz": ref_mean_freq(f, pml),
        "ml_median_frequency_hz": ref_median_freq(f, pml),
        "ml_f50_hz": ref_band_freq(f, pml, 0.5),
        "ml_f95_hz": ref_band_freq(f, pml, 0.95),
        "ml_power_low_pct": ref_share(f, pml, 0.15, 0.5),
        "ml_power_mid_pct": ref_share(f, pml, 0.5, 2.0),
        "ml_power_high_pct": ref_share(f, pml, 2.0, 5.0),
        "ap_range_mm": ref_range(ap),
        "ap_rms_mm": ref_rms(ap),
        "ap_path_mm": ref_path(ap),
        "ap_mean_velocity_mm_s": ref_path(ap) / (n / fs),
        "path_length_mm": ref_path(ml, ap),
        "mean_velocity_mm_s": ref_path(ml, ap) / (n / fs),
        "ellipse_area_mm2": ref_ellipse(ml, ap),
        "mean_frequency_hz": ref_mean_freq(f, both),
        "f50_hz": ref_band_freq(f, both, 0.5),
        "f95_hz": ref_band_freq(f, both, 0.95),
    }


def sway(n, seed, fs=50.0):
    """Random-walk-like sway with some oscillation: not a case the formulas make easy."""
    rng = np.random.default_rng(seed)
    t = np.arange(n) / fs
    ml = np.cumsum(rng.normal(0, 0.3, n)) + 2 * np.sin(2 * np.pi * 0.7 * t)
    ap = np.cumsum(rng.normal(0, 0.5, n)) + 0.5 * ml
    return ml, ap


@pytest.mark.parametrize("seed,n", [(0, 120), (1, 201), (2, 256)])
def test_fast_metrics_agree_with_the_slow_per_sample_reference(seed, n):
    ml, ap = sway(n, seed)
    # min_spectral_s=0: short windows keep the per-sample DFT reference quick
    fast = M.compute_metrics(ml, ap, 50.0, min_spectral_s=0)
    slow = reference_metrics(ml, ap, 50.0)
    assert list(fast) == list(slow)
    for name, value in slow.items():
        assert fast[name] == pytest.approx(value, rel=1e-9), name


def test_each_measure_function_gives_what_the_dispatcher_gives():
    ml, ap = sway(300, 5)
    d = M.compute_metrics(ml, ap, 50.0, min_spectral_s=0)
    assert M.range_mm(ml) == d["ml_range_mm"]
    assert M.rms_mm(ap) == d["ap_rms_mm"]
    assert M.path_mm(ml) == d["ml_path_mm"]
    assert M.mean_velocity_mm_s(ap, 50.0) == pytest.approx(d["ap_mean_velocity_mm_s"])
    assert M.planar_path_mm(ml, ap) == pytest.approx(d["path_length_mm"])
    assert M.planar_mean_velocity_mm_s(ml, ap, 50.0) == pytest.approx(d["mean_velocity_mm_s"])
    assert M.ellipse_area_mm2(ml, ap) == pytest.approx(d["ellipse_area_mm2"])
    assert M.mean_frequency_hz(ml, 50.0) == pytest.approx(d["ml_mean_frequency_hz"])
    assert M.median_frequency_hz(ml, 50.0) == pytest.approx(d["ml_median_frequency_hz"])
    assert M.mean_frequency_hz(ml, 50.0, ap) == pytest.approx(d["mean_frequency_hz"])
    assert M.band_power_frequency_hz(ml, 50.0) == pytest.approx(d["ml_f50_hz"])
    assert M.band_power_frequency_hz(ml, 50.0, ap, fraction=0.95) == pytest.approx(d["f95_hz"])
    shares = M.band_power_shares_pct(ml, 50.0)
    assert shares is not None and shares["mid"] == pytest.approx(d["ml_power_mid_pct"])


# --- analytic cases -----------------------------------------------------------------------------


def circle(r=10.0, f=0.5, fs=100.0, seconds=20.0):
    t = np.arange(int(seconds * fs)) / fs
    return r * np.cos(2 * np.pi * f * t), r * np.sin(2 * np.pi * f * t), t


def test_circle_path_is_two_pi_r_f_t():
    r, f, fs = 10.0, 0.5, 100.0
    ml, ap, t = circle(r, f, fs)
    span = t[-1] - t[0]
    path = M.planar_path_mm(ml, ap)
    # sampled, the path is N - 1 chords of the circle; the arc 2πr·f·T is their limit
    chord = 2 * r * math.sin(math.pi * f / fs)
    assert path == pytest.approx((ml.size - 1) * chord, rel=1e-12)
    assert path == pytest.approx(2 * np.pi * r * f * span, rel=1e-4)
    # velocity divides by N / fs, the trial's duration
    expected_v = 2 * np.pi * r * f * span / (ml.size / fs)
    assert M.planar_mean_velocity_mm_s(ml, ap, fs) == pytest.approx(expected_v, rel=1e-4)


def test_circle_has_range_2r_rms_r_over_root_2_and_the_exact_ellipse():
    r = 10.0
    ml, ap, _ = circle(r)
    n = ml.size
    assert M.range_mm(ml) == pytest.approx(2 * r)
    assert M.rms_mm(ml) == pytest.approx(r / math.sqrt(2))
    # covariance (N/(N-1)) r²/2 on both axes, none across
    sd = (n / (n - 1)) * r * r / 2
    k = 2 * (n + 1) * (n - 1) / (n * (n - 2)) * stats.f.ppf(0.95, 2, n - 2)
    assert M.ellipse_area_mm2(ml, ap) == pytest.approx(math.pi * k * sd, rel=1e-9)


def test_sinusoid_amplitude_and_frequency_come_out():
    a, f, fs = 7.0, 0.5, 100.0
    t = np.arange(6000) / fs
    x = a * np.sin(2 * np.pi * f * t)
    span = t[-1]
    assert M.range_mm(x) == pytest.approx(2 * a, rel=1e-6)
    assert M.rms_mm(x) == pytest.approx(a / math.sqrt(2), rel=1e-6)
    assert M.path_mm(x) == pytest.approx(4 * a * f * span, rel=1e-3)
    assert M.mean_frequency_hz(x, fs) == pytest.approx(f, rel=0.01)
    assert M.median_frequency_hz(x, fs) == pytest.approx(f, rel=0.05)


def test_the_ml_mean_frequency_tells_slow_from_fast_sway():
    fs = 100.0
    t = np.arange(3000) / fs
    slow = M.mean_frequency_hz(np.sin(2 * np.pi * 0.3 * t), fs)
    fast = M.mean_frequency_hz(np.sin(2 * np.pi * 1.5 * t), fs)
    assert slow == pytest.approx(0.3, rel=0.05)
    assert fast == pytest.approx(1.5, rel=0.02)


@pytest.mark.parametrize("angle", [0.3, 1.0, 2.5])
def test_planar_measures_do_not_change_when_the_cop_is_rotated(angle):
    ml, ap = sway(500, 9)
    c, s = math.cos(angle), math.sin(angle)
    rml, rap = c * ml - s * ap, s * ml + c * ap
    before = M.compute_metrics(ml, ap, 50.0, min_spectral_s=0)
    after = M.compute_metrics(rml, rap, 50.0, min_spectral_s=0)
    planar = ("ellipse_area_mm2", "path_length_mm", "mean_velocity_mm_s", "mean_frequency_hz")
    for name in (*planar, "f50_hz", "f95_hz"):
        assert after[name] == pytest.approx(before[name], rel=1e-9), name
    assert after["ml_rms_mm"] != pytest.approx(before["ml_rms_mm"], rel=1e-3)


@pytest.mark.parametrize("k", [0.1, 3.0])
def test_scaling_by_k_scales_lengths_by_k_and_area_by_k_squared(k):
    ml, ap = sway(400, 4)
    base = M.compute_metrics(ml, ap, 50.0, min_spectral_s=0)
    scaled = M.compute_metrics(k * ml, k * ap, 50.0, min_spectral_s=0)
    for name, value in base.items():
        if name.endswith(("_hz", "_pct")):
            power = 0
        elif name.endswith("_mm2"):
            power = 2
        else:
            power = 1
        assert scaled[name] == pytest.approx(value * k**power, rel=1e-9), name


def test_a_constant_offset_changes_nothing_but_the_mean():
    ml, ap = sway(400, 6)
    base = M.compute_metrics(ml, ap, 50.0, min_spectral_s=0)
    moved = M.compute_metrics(ml + 37.0, ap - 120.0, 50.0, min_spectral_s=0)
    for name, value in base.items():
        assert moved[name] == pytest.approx(value, rel=1e-9, abs=1e-9), name
    assert np.mean(ml + 37.0) == pytest.approx(np.mean(ml) + 37.0)


def test_ellipse_quantile_closed_form_matches_the_f_distribution():
    for n in (10, 100, 6000):
        ml, ap = sway(n, n)
        expected = ref_ellipse(list(ml), list(ap))
        assert M.ellipse_area_mm2(ml, ap) == pytest.approx(expected, rel=1e-10)


def test_ellipse_approaches_the_chi_square_ellipse_for_long_trials():
    ml, ap = sway(6000, 11)
    d = np.cov(np.vstack([ml, ap]))
    chi = math.pi * stats.chi2.ppf(0.95, 2) * math.sqrt(np.linalg.det(d))
    area = M.ellipse_area_mm2(ml, ap)
    assert area > chi
    assert area == pytest.approx(chi, rel=1e-3)


def test_ellipse_of_a_cop_moving_on_a_line_is_zero():
    x = np.linspace(0, 10, 50)
    assert M.ellipse_area_mm2(x, 2 * x + 1) == pytest.approx(0.0, abs=1e-9)


# --- dispatcher -------------------------------------------------------------------------------


def test_metric_names_put_ml_first_and_match_the_design():
    names = M.METRIC_NAMES
    assert names[0].startswith("ml_")
    last_ml = max(i for i, n in enumerate(names) if n.startswith("ml_"))
    first_other = min(i for i, n in enumerate(names) if not n.startswith("ml_"))
    assert last_ml < first_other
    assert set(names) == {
        "ml_range_mm",
        "ml_rms_mm",
        "ml_path_mm",
        "ml_mean_velocity_mm_s",
        "ap_range_mm",
        "ap_rms_mm",
        "ap_path_mm",
        "ap_mean_velocity_mm_s",
        "path_length_mm",
        "mean_velocity_mm_s",
        "ellipse_area_mm2",
        "mean_frequency_hz",
        "ml_mean_frequency_hz",
        "ml_median_frequency_hz",
        "ml_f50_hz",
        "ml_f95_hz",
        "f50_hz",
        "f95_hz",
        "ml_power_low_pct",
        "ml_power_mid_pct",
        "ml_power_high_pct",
    }


def test_without_ap_every_measure_that_needs_ap_is_none_not_zero():
    ml, ap = sway(300, 2)
    full = M.compute_metrics(ml, ap, 50.0, min_spectral_s=0)
    why: dict[str, str] = {}
    ml_only = M.compute_metrics(ml, None, 50.0, min_spectral_s=0, reasons=why)
    assert why["f50_hz"] == why["ellipse_area_mm2"] == "the board measures no AP COP"
    assert list(ml_only) == list(M.METRIC_NAMES)
    for name, value in ml_only.items():
        if name.startswith("ml_"):
            assert value == pytest.approx(full[name]), name
        else:
            assert value is None, name


def test_names_select_a_subset_in_report_order():
    ml, ap = sway(300, 2)
    out = M.compute_metrics(ml, ap, 50.0, names=["ellipse_area_mm2", "ml_rms_mm"])
    assert list(out) == ["ml_rms_mm", "ellipse_area_mm2"]


def test_unknown_metric_name_is_a_usage_error_naming_it():
    with pytest.raises(UsageError, match="ml_sway_mm"):
        M.compute_metrics(np.zeros(100), None, 50.0, names=["ml_sway_mm"])


def test_too_few_samples_raise_insufficient_data():
    with pytest.raises(InsufficientDataError, match="at least 32"):
        M.mean_frequency_hz(np.arange(20.0), 50.0)
    # time-domain measures need only a handful; frequency ones are null below 20 s
    out = M.compute_metrics(np.arange(20.0), None, 50.0)
    assert out["ml_range_mm"] == 19.0 and out["ml_mean_frequency_hz"] is None
    with pytest.raises(InsufficientDataError):
        M.rms_mm(np.arange(3.0))
    with pytest.raises(InsufficientDataError):
        M.compute_metrics(np.arange(3.0), None, 50.0)


# --- band-limited spectra (Prieto 1996) and the minimum length ------------------------------------


def test_frequency_measures_are_null_below_20_s_with_the_reason_and_present_from_20_s():
    fs = 80.0
    rng = np.random.default_rng(3)
    x = np.cumsum(rng.normal(0, 0.2, 2000))  # 25 s
    why: dict[str, str] = {}
    short = M.compute_metrics(x[: int(19.9 * fs)], None, fs, reasons=why)
    for name in ("ml_mean_frequency_hz", "ml_median_frequency_hz", "ml_f50_hz", "ml_f95_hz"):
        assert short[name] is None
        assert "19.9 s window is too short" in why[name] and "20 s" in why[name]
    assert short["ml_rms_mm"] is not None and "ml_rms_mm" not in why
    full = M.compute_metrics(x[: int(20 * fs)], None, fs)
    assert all(full[n] is not None for n in ("ml_f50_hz", "ml_f95_hz", "ml_power_low_pct"))


def test_band_limited_f50_ignores_drift_that_drags_the_whole_band_median_down():
    fs = 100.0
    t = np.arange(6000) / fs  # 60 s
    sway_1hz = np.sin(2 * np.pi * 1.0 * t)
    drift = 8.0 * np.sin(2 * np.pi * 0.03 * t)  # slow drift, far below 0.15 Hz
    m = M.compute_metrics(sway_1hz + drift, None, fs)
    assert m["ml_median_frequency_hz"] < 0.15  # the drift's power dominates the whole band
    assert m["ml_f50_hz"] == pytest.approx(1.0, abs=0.05)
    assert m["ml_f50_hz"] <= m["ml_f95_hz"] < 5.0


def test_power_shares_split_the_band_and_put_a_sine_in_its_own_band():
    fs = 100.0
    t = np.arange(4000) / fs
    for f, band in ((0.3, "low"), (1.0, "mid"), (3.0, "high")):
        m = M.compute_metrics(np.sin(2 * np.pi * f * t), None, fs)
        shares = {k: m[f"ml_power_{k}_pct"] for k in M.POWER_BANDS_HZ}
        assert sum(shares.values()) == pytest.approx(100.0)
        assert shares[band] > 95.0, (f, shares)


def test_a_band_narrower_than_two_spectral_bins_gives_none_not_a_made_up_frequency():
    fs = 50.0
    x = np.sin(2 * np.pi * 0.4 * np.arange(1500) / fs)  # 30 s: 0.067 Hz bins
    assert M.band_power_frequency_hz(x, fs, band_hz=(0.15, 0.2)) is None
    assert M.band_power_frequency_hz(x, fs, band_hz=(0.15, 1.0)) == pytest.approx(0.4, abs=0.05)
    with pytest.raises(AnalysisError, match="power fraction is 1.5"):
        M.band_power_frequency_hz(x, fs, fraction=1.5)


def test_spectral_bands_name_the_band_of_every_frequency_measure():
    bands = M.spectral_bands_hz(80.0)
    assert set(bands) == set(M.SPECTRAL_NAMES)
    assert bands["ml_median_frequency_hz"] == [0.0, 40.0]
    assert bands["ml_f95_hz"] == [0.15, 5.0] and bands["ml_power_high_pct"] == [2.0, 5.0]
    assert M.spectral_bands_hz(6.0)["f50_hz"] == [0.15, 3.0]  # capped at Nyquist


def test_nan_in_the_cop_is_refused_with_its_position():
    x = np.arange(100.0)
    x[42] = np.nan
    with pytest.raises(AnalysisError, match="sample 42"):
        M.compute_metrics(x, None, 50.0)
    with pytest.raises(AnalysisError, match="AP COP"):
        M.compute_metrics(np.arange(100.0), x, 50.0)


def test_a_cop_that_never_moves_has_no_frequency():
    with pytest.raises(AnalysisError, match="does not move"):
        M.compute_metrics(np.full(1500, 3.0), None, 50.0)  # 30 s standing like a statue


def test_mismatched_lengths_and_bad_rates_are_refused():
    with pytest.raises(AnalysisError, match="must match"):
        M.compute_metrics(np.arange(100.0), np.arange(99.0), 50.0)
    with pytest.raises(AnalysisError, match="positive"):
        M.compute_metrics(np.arange(100.0), None, -1.0)
