"""Sway measures of a centre-of-pressure (COP) trial, one function per measure.

Every function takes COP coordinates in mm, uniformly sampled at ``fs_hz``, and returns a plain
float. Medio-lateral (ML) comes first everywhere: lateral sway is what this product is about.
:func:`compute_metrics` computes any set of them by the names used in JSON output (DESIGN.md);
for a board without antero-posterior (AP) spacing it reports every measure that needs AP as
``None``, never as zero.

Conventions shared by all measures (those of Santos & Duarte 2016, doi:10.7717/peerj.2648, whose
published results the tests reproduce):

* range and RMS are about the trial mean, so a constant offset changes neither;
* a trial of ``N`` samples lasts ``N / fs`` seconds (each sample stands for one interval), and
  mean velocities are path lengths divided by that duration;
* spectra are Welch estimates with a Hann window, segments of ``N // 2`` samples overlapping by
  ``N // 4``, FFT length ``N // 2`` and constant (mean) detrending per segment; power-weighted
  frequencies integrate the spectrum with the trapezoid rule.

Two families of frequency measures, told apart by the band they integrate over:

* **whole band** (0 Hz to Nyquist): ``mean_frequency_hz``, ``ml_mean_frequency_hz`` and
  ``ml_median_frequency_hz``. These are what Santos & Duarte (2016) publish for HBEDB
  (COPmfreq), so they stay whole-band for that comparison, drift below 0.15 Hz included;
* **band-limited to 0.15-5 Hz** (:data:`PRIETO_BAND_HZ`), as Prieto et al. (1996) computed their
  spectral measures, so that slow drift (below 0.15 Hz) and noise (above 5 Hz) do not count as
  sway: ``ml_f50_hz`` / ``ml_f95_hz`` (and ``f50_hz`` / ``f95_hz`` from the summed ML + AP
  spectra), the frequencies below which 50 % and 95 % of the band's power lie, and the share
  of the band's power in each of :data:`POWER_BANDS_HZ` (``ml_power_low_pct`` etc.).

Every frequency measure is ``None`` for a window shorter than :data:`MIN_SPECTRAL_SECONDS`
(20 s): a 20 s window gives Welch segments of 10 s, i.e. 0.1 Hz bins, already coarse against a
0.15 Hz band edge; a 2.5 s squat repetition would give 0.8 Hz bins and a meaningless spectrum.
:func:`compute_metrics` says why each ``None`` is ``None`` when given a ``reasons`` dict.

General references: Prieto TE et al. (1996) Measures of postural steadiness: differences between
healthy young and elderly adults. IEEE Trans Biomed Eng 43(9):956-966, doi:10.1109/10.532130;
Duarte M, Freitas SMSF (2010) Revision of posturography based on force plate for balance
evaluation. Rev Bras Fisioter 14(3):183-192, doi:10.1590/S1413-35552010000300003.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

import numpy as np

from .constants import ELLIPSE_LEVEL, prediction_ellipse_scale
from .errors import AnalysisError, InsufficientDataError, UsageError

__all__ = [
    "METRIC_NAMES",
    "AP_METRIC_NAMES",
    "MIN_SAMPLES",
    "MIN_SPECTRAL_SAMPLES",
    "MIN_SPECTRAL_SECONDS",
    "PRIETO_BAND_HZ",
    "POWER_BANDS_HZ",
    "SPECTRAL_NAMES",
    "spectral_bands_hz",
    "range_mm",
    "rms_mm",
    "path_mm",
    "mean_velocity_mm_s",
    "planar_path_mm",
    "planar_mean_velocity_mm_s",
    "ellipse_area_mm2",
    "sway_spectrum",
    "mean_frequency_hz",
    "median_frequency_hz",
    "band_power_frequency_hz",
    "band_power_shares_pct",
    "compute_metrics",
]

METRIC_NAMES: tuple[str, ...] = (
    "ml_range_mm",
    "ml_rms_mm",
    "ml_path_mm",
    "ml_mean_velocity_mm_s",
    "ml_mean_frequency_hz",
    "ml_median_frequency_hz",
    "ml_f50_hz",
    "ml_f95_hz",
    "ml_power_low_pct",
    "ml_power_mid_pct",
    "ml_power_high_pct",
    "ap_range_mm",
    "ap_rms_mm",
    "ap_path_mm",
    "ap_mean_velocity_mm_s",
    "path_length_mm",
    "mean_velocity_mm_s",
    "ellipse_area_mm2",
    "mean_frequency_hz",
    "f50_hz",
    "f95_hz",
)
"""Every COP measure :func:`compute_metrics` knows, in report order (ML first)."""

AP_METRIC_NAMES: frozenset[str] = frozenset(
    n for n in METRIC_NAMES if n.startswith("ap_") or not n.startswith("ml_")
)
"""Measures that need AP COP; ``None`` for a board without AP spacing."""

SPECTRAL_NAMES: frozenset[str] = frozenset(n for n in METRIC_NAMES if n.endswith(("_hz", "_pct")))
"""Frequency-domain measures: ``None`` below :data:`MIN_SPECTRAL_SECONDS`."""

_WHOLE_BAND = frozenset({"ml_mean_frequency_hz", "ml_median_frequency_hz", "mean_frequency_hz"})

MIN_SAMPLES = 4
"""Fewest samples for the time-domain measures (the ellipse's F quantile needs N - 2 ≥ 2)."""

MIN_SPECTRAL_SAMPLES = 32
"""Fewest samples for a spectrum at all (:func:`sway_spectrum`): Welch segments of 16 samples."""

MIN_SPECTRAL_SECONDS = 20.0
"""Shortest window, s, for which :func:`compute_metrics` reports any frequency measure.

Welch segments of half the window give a frequency resolution of ``2 / T``: 0.1 Hz at 20 s.
Below that the 0.15 Hz band edge and the sway peak (typically 0.2-0.5 Hz in quiet stance) fall
into one or two bins. Prieto et al. (1996) analysed 30 s trials; Santos & Duarte (2016) 60 s."""

PRIETO_BAND_HZ: tuple[float, float] = (0.15, 5.0)
"""Band of the band-limited spectral measures, Hz (Prieto et al. 1996, doi:10.1109/10.532130)."""

POWER_BANDS_HZ: dict[str, tuple[float, float]] = {
    "low": (0.15, 0.5),
    "mid": (0.5, 2.0),
    "high": (2.0, 5.0),
}
"""The named bands of ``ml_power_<name>_pct``, Hz, [low, high), splitting :data:`PRIETO_BAND_HZ`.

Named by range only: which control loop dominates which band is debated, and a force plate
does not see it."""


# --- input checks -----------------------------------------------------------------------------


def _series(x: np.ndarray, what: str, min_n: int) -> np.ndarray:
    a = np.asarray(x, dtype=float)
    if a.ndim != 1:
        raise AnalysisError(f"{what} must be one value per sample (1-D); got shape {a.shape}")
    if a.size < min_n:
        raise InsufficientDataError(
            f"{what}: {a.size} samples; this measure needs at least {min_n}"
        )
    if not np.all(np.isfinite(a)):
        i = int(np.flatnonzero(~np.isfinite(a))[0])
        raise AnalysisError(
            f"{what} is {a[i]} at sample {i}; remove or fill missing samples before analysis"
        )
    return a


def _pair(ml: np.ndarray, ap: np.ndarray, min_n: int) -> tuple[np.ndarray, np.ndarray]:
    x = _series(ml, "ML COP", min_n)
    y = _series(ap, "AP COP", min_n)
    if x.size != y.size:
        raise AnalysisError(f"ML COP has {x.size} samples but AP COP has {y.size}; they must match")
    return x, y


def _rate(fs_hz: float) -> float:
    fs = float(fs_hz)
    if not (math.isfinite(fs) and fs > 0):
        raise AnalysisError(f"sample rate is {fs_hz!r} Hz; it must be a positive number")
    return fs


# --- time domain --------------------------------------------------------------------------------


def range_mm(x: np.ndarray) -> float:
    """Range of one COP coordinate, mm.

    ``range = max(x) - min(x)``, the peak-to-peak excursion (the same about the mean).

    Parameters
    ----------
    x : ndarray, shape (n,)
        COP coordinate (ML or AP), mm.

    Returns
    -------
    float
        Range, mm.

    References
    ----------
    Prieto TE et al. (1996), doi:10.1109/10.532130 (RANGE).
    """
    return _range(_series(x, "COP", MIN_SAMPLES))


def _range(x: np.ndarray) -> float:
    return float(x.max() - x.min())


def rms_mm(x: np.ndarray) -> float:
    """Root-mean-square distance of one COP coordinate from its mean, mm.

    ``rms = sqrt(mean((x - mean(x))²))`` (population form, divisor N).

    Parameters
    ----------
    x : ndarray, shape (n,)
        COP coordinate (ML or AP), mm.

    Returns
    -------
    float
        RMS about the mean, mm.

    References
    ----------
    Prieto TE et al. (1996), doi:10.1109/10.532130 (RDIST along one axis).
    """
    return _rms(_series(x, "COP", MIN_SAMPLES))


def _rms(x: np.ndarray) -> float:
    d = x - x.mean()
    return float(math.sqrt(np.dot(d, d) / d.size))


def path_mm(x: np.ndarray) -> float:
    """Path length of one COP coordinate, mm.

    ``path = Σ_{i=1}^{N-1} |x_i - x_{i-1}|``.

    Parameters
    ----------
    x : ndarray, shape (n,)
        COP coordinate (ML or AP), mm, uniformly sampled.

    Returns
    -------
    float
        Total distance travelled along that axis, mm.

    References
    ----------
    Prieto TE et al. (1996), doi:10.1109/10.532130 (TOTEX along one axis).
    """
    return _path1(_series(x, "COP", MIN_SAMPLES))


def _path1(x: np.ndarray) -> float:
    return float(np.abs(np.diff(x)).sum())


def mean_velocity_mm_s(x: np.ndarray, fs_hz: float) -> float:
    """Mean velocity of one COP coordinate, mm/s.

    ``velocity = path / (N / fs)``, with the trial lasting ``N / fs`` seconds (the convention
    of Santos & Duarte 2016's published COPvelo, which the planar form reproduces exactly).

    Parameters
    ----------
    x : ndarray, shape (n,)
        COP coordinate (ML or AP), mm, uniformly sampled.
    fs_hz : float
        Sampling rate, Hz.

    Returns
    -------
    float
        Mean speed along that axis, mm/s.

    References
    ----------
    Prieto TE et al. (1996), doi:10.1109/10.532130 (MVELO along one axis).
    """
    a = _series(x, "COP", MIN_SAMPLES)
    return _path1(a) * _rate(fs_hz) / a.size


def planar_path_mm(ml: np.ndarray, ap: np.ndarray) -> float:
    """Planar COP path length, mm.

    ``path = Σ_{i=1}^{N-1} sqrt((ml_i - ml_{i-1})² + (ap_i - ap_{i-1})²)``.

    Parameters
    ----------
    ml, ap : ndarray, shape (n,)
        ML and AP COP, mm, uniformly sampled.

    Returns
    -------
    float
        Length of the statokinesigram, mm.

    References
    ----------
    Prieto TE et al. (1996), doi:10.1109/10.532130 (TOTEX).
    """
    x, y = _pair(ml, ap, MIN_SAMPLES)
    return _path2(x, y)


def _path2(x: np.ndarray, y: np.ndarray) -> float:
    return float(np.hypot(np.diff(x), np.diff(y)).sum())


def planar_mean_velocity_mm_s(ml: np.ndarray, ap: np.ndarray, fs_hz: float) -> float:
    """Planar mean COP velocity, mm/s.

    ``velocity = planar_path / (N / fs)``. Reproduces HBEDB's COPvelo (×10, cm/s → mm/s) to
    floating-point precision.

    Parameters
    ----------
    ml, ap : ndarray, shape (n,)
        ML and AP COP, mm, uniformly sampled.
    fs_hz : float
        Sampling rate, Hz.

    Returns
    -------
    float
        Mean COP speed, mm/s.

    References
    ----------
    Prieto TE et al. (1996), doi:10.1109/10.532130 (MVELO); Santos DA, Duarte M (2016),
    doi:10.7717/peerj.2648 (COPvelo).
    """
    x, y = _pair(ml, ap, MIN_SAMPLES)
    return _path2(x, y) * _rate(fs_hz) / x.size


def ellipse_area_mm2(ml: np.ndarray, ap: np.ndarray, level: float = ELLIPSE_LEVEL) -> float:
    """Area of the prediction ellipse of the COP, mm² (95 % by default).

    The region expected to hold a new COP sample with probability ``level`` when the mean and
    covariance are estimated from the ``N`` samples:

    ``area = π · k · sqrt(det S)``,
    ``k = 2 (N + 1)(N - 1) / (N (N - 2)) · F_{level}(2, N - 2)``,

    where ``S`` is the sample covariance matrix of (ML, AP) (divisor N - 1) and ``F_q(2, m)``
    the F distribution's quantile, which for two numerator degrees of freedom has the closed
    form ``(m / 2) · ((1 - q)^(-2/m) - 1)``. For large N, ``k`` tends to the χ² quantile
    ``-2 ln(1 - q)`` (5.991 at 95 %). This form reproduces HBEDB's COParea (×100, cm² → mm²)
    to floating-point precision; the χ² approximation is 0.08 % smaller and the confidence
    ellipse of the mean (which Schubert & Kirchner show is the wrong tool) is N + 1 times smaller.

    Parameters
    ----------
    ml, ap : ndarray, shape (n,)
        ML and AP COP, mm.
    level : float, default 0.95
        Probability content of the ellipse, 0 < level < 1.

    Returns
    -------
    float
        Area, mm² (0 when the COP moves along a straight line or not at all).

    References
    ----------
    Schubert P, Kirchner M (2014) Ellipse area calculations and their applicability in
    posturography. Gait Posture 39(1):518-522, doi:10.1016/j.gaitpost.2013.09.001.
    """
    if not 0 < level < 1:
        raise AnalysisError(f"ellipse level is {level}; give a probability such as 0.95")
    x, y = _pair(ml, ap, MIN_SAMPLES)
    return _ellipse(x, y, level)


def _ellipse(x: np.ndarray, y: np.ndarray, level: float = ELLIPSE_LEVEL) -> float:
    n = x.size
    dx = x - x.mean()
    dy = y - y.mean()
    sxx = np.dot(dx, dx) / (n - 1)
    syy = np.dot(dy, dy) / (n - 1)
    sxy = np.dot(dx, dy) / (n - 1)
    det = max(float(sxx * syy - sxy * sxy), 0.0)  # rounding can make a line's det a hair < 0
    return math.pi * prediction_ellipse_scale(n, level) * math.sqrt(det)


# --- frequency domain ---------------------------------------------------------------------------


def sway_spectrum(x: np.ndarray, fs_hz: float) -> tuple[np.ndarray, np.ndarray]:
    """Welch power spectral density of COP coordinate(s), as the frequency measures use it.

    Hann window, segments of ``N // 2`` samples with ``N // 4`` overlap, FFT length ``N // 2``,
    constant detrending per segment, one-sided density.

    Parameters
    ----------
    x : ndarray, shape (n,) or (k, n)
        COP coordinate(s), mm, uniformly sampled (one row per coordinate when 2-D).
    fs_hz : float
        Sampling rate, Hz.

    Returns
    -------
    f_hz : ndarray, shape (N//4 + 1,)
        Frequencies, Hz.
    psd : ndarray, shape (..., N//4 + 1)
        Power spectral density, mm²/Hz.

    References
    ----------
    Welch P (1967) The use of fast Fourier transform for the estimation of power spectra.
    IEEE Trans Audio Electroacoust 15(2):70-73, doi:10.1109/TAU.1967.1161901.
    """
    a = np.asarray(x, dtype=float)
    n = a.shape[-1]
    if n < MIN_SPECTRAL_SAMPLES:
        raise InsufficientDataError(
            f"spectrum: {n} samples; frequency measures need at least {MIN_SPECTRAL_SAMPLES}"
        )
    seg = n // 2
    from scipy import signal as _sig  # on use: ~0.6 s to import

    f_hz, psd = _sig.welch(
        a,
        fs=_rate(fs_hz),
        window="hann",
        nperseg=seg,
        noverlap=seg // 2,
        nfft=seg,
        detrend="constant",
        axis=-1,
    )
    return np.asarray(f_hz), np.asarray(psd)


def _trapz_uniform(y: np.ndarray) -> float:
    # Trapezoid rule on a uniform grid, in units of the grid step (which cancels in ratios).
    return float(y.sum() - 0.5 * (y[0] + y[-1]))


def _mean_freq(f: np.ndarray, p: np.ndarray, what: str) -> float:
    total = _trapz_uniform(p)
    if not total > 0:
        raise AnalysisError(
            f"{what} does not move (zero sway power); frequency measures are undefined - "
            "check that someone stood on the board during the trial"
        )
    return _trapz_uniform(f * p) / total


def _median_freq(f: np.ndarray, p: np.ndarray, what: str) -> float:
    # Cumulative trapezoid area, then the frequency where it reaches half the total.
    cum = np.concatenate(([0.0], np.cumsum(0.5 * (p[1:] + p[:-1]))))
    total = cum[-1]
    if not total > 0:
        raise AnalysisError(
            f"{what} does not move (zero sway power); frequency measures are undefined - "
            "check that someone stood on the board during the trial"
        )
    return float(np.interp(0.5 * total, cum, f))


def mean_frequency_hz(ml: np.ndarray, fs_hz: float, ap: np.ndarray | None = None) -> float:
    """Mean (power-weighted) frequency of COP sway over the whole spectrum, Hz.

    The first spectral moment, ``f_mean = ∫ f P(f) df / ∫ P(f) df`` over 0 Hz to Nyquist, with
    ``P`` the Welch PSD of ML (:func:`sway_spectrum`), or ``P = P_ML + P_AP`` when ``ap`` is
    given (AP and ML weighted by their power), integrated with the trapezoid rule. This is the
    "mean frequency" of Duarte & Freitas (2010) and Santos & Duarte (2016)'s COPmfreq: with AP
    it reproduces HBEDB's published values within 2 % on all 20 shared trials (their exact
    spectral implementation is not known to us). It is whole-band on purpose, for that
    comparison, so drift below 0.15 Hz pulls it down; for band-limited measures see
    :func:`band_power_frequency_hz`.

    It is not Prieto et al. (1996)'s MFREQ, a time-domain quantity (the rotation frequency of
    the COP were it to travel its mean distance on a circle), nor their centroidal frequency
    CFREQ (the square root of the second moment), though all three are called "mean frequency"
    somewhere in the literature.

    Parameters
    ----------
    ml : ndarray, shape (n,)
        ML COP, mm, uniformly sampled.
    fs_hz : float
        Sampling rate, Hz.
    ap : ndarray, shape (n,), optional
        AP COP, mm; include it for the planar mean frequency.

    Returns
    -------
    float
        Mean frequency, Hz.

    References
    ----------
    Santos DA, Duarte M (2016), doi:10.7717/peerj.2648 (COPmfreq); Duarte M, Freitas SMSF
    (2010), doi:10.1590/S1413-35552010000300003; Welch (1967), doi:10.1109/TAU.1967.1161901.
    """
    if ap is None:
        f, p = sway_spectrum(_series(ml, "ML COP", MIN_SPECTRAL_SAMPLES), fs_hz)
        return _mean_freq(f, p, "ML COP")
    x, y = _pair(ml, ap, MIN_SPECTRAL_SAMPLES)
    f, p = sway_spectrum(np.vstack((x, y)), fs_hz)
    return _mean_freq(f, p.sum(axis=0), "COP")


def median_frequency_hz(ml: np.ndarray, fs_hz: float, ap: np.ndarray | None = None) -> float:
    """Median frequency of COP sway over the whole spectrum, Hz: half the power lies below it.

    The cumulative trapezoid integral of the Welch PSD (:func:`sway_spectrum`) of ML (plus AP
    when given) from 0 Hz to Nyquist is interpolated linearly to the frequency where it reaches
    half its total. Whole-band, so drift below 0.15 Hz counts; Prieto et al. (1996)'s 50 %
    power frequency is band-limited to 0.15-5 Hz: that is :func:`band_power_frequency_hz`
    (``ml_f50_hz``).

    Parameters
    ----------
    ml : ndarray, shape (n,)
        ML COP, mm, uniformly sampled.
    fs_hz : float
        Sampling rate, Hz.
    ap : ndarray, shape (n,), optional
        AP COP, mm; include it for the planar median frequency.

    Returns
    -------
    float
        Median frequency, Hz.

    References
    ----------
    Welch (1967), doi:10.1109/TAU.1967.1161901.
    """
    if ap is None:
        f, p = sway_spectrum(_series(ml, "ML COP", MIN_SPECTRAL_SAMPLES), fs_hz)
        return _median_freq(f, p, "ML COP")
    x, y = _pair(ml, ap, MIN_SPECTRAL_SAMPLES)
    f, p = sway_spectrum(np.vstack((x, y)), fs_hz)
    return _median_freq(f, p.sum(axis=0), "COP")


def _band(f: np.ndarray, lo: float, hi: float) -> np.ndarray:
    return (f >= lo) & (f <= hi)


def _band_freq(f: np.ndarray, p: np.ndarray, q: float, band: tuple[float, float]) -> float | None:
    # Cumulative trapezoid area over the band's bins, then the frequency where it reaches q.
    m = _band(f, *band)
    fb, pb = f[m], p[m]
    if fb.size < 2:
        return None
    cum = np.concatenate(([0.0], np.cumsum(0.5 * (pb[1:] + pb[:-1]))))
    if not cum[-1] > 0:
        return None
    return float(np.interp(q * cum[-1], cum, fb))


def _band_shares(
    f: np.ndarray, p: np.ndarray, bands: dict[str, tuple[float, float]], whole: tuple[float, float]
) -> dict[str, float] | None:
    # Bin sums (not trapezoids), so the named bands add up to exactly 100 % of the whole band.
    total = float(p[(f >= whole[0]) & (f < whole[1])].sum())
    if not total > 0:
        return None
    return {
        k: 100.0 * float(p[(f >= lo) & (f < hi)].sum()) / total for k, (lo, hi) in bands.items()
    }


def band_power_frequency_hz(
    ml: np.ndarray,
    fs_hz: float,
    ap: np.ndarray | None = None,
    *,
    fraction: float = 0.5,
    band_hz: tuple[float, float] = PRIETO_BAND_HZ,
) -> float | None:
    """Frequency below which ``fraction`` of the sway power in a band lies, Hz (F50, F95).

    Over the Welch PSD bins (:func:`sway_spectrum`) with ``band_hz[0] ≤ f ≤ band_hz[1]`` (ML,
    or ML + AP summed when ``ap`` is given), the cumulative trapezoid integral is interpolated
    linearly to ``fraction`` of its total. ``fraction=0.5`` is ``ml_f50_hz``, 0.95 is
    ``ml_f95_hz``. The default band 0.15-5 Hz is Prieto et al. (1996)'s: it leaves out the
    drift below 0.15 Hz and the noise above 5 Hz.

    Parameters
    ----------
    ml : ndarray, shape (n,)
        ML COP, mm, uniformly sampled.
    fs_hz : float
        Sampling rate, Hz.
    ap : ndarray, shape (n,), optional
        AP COP, mm; include it for the planar F50/F95.
    fraction : float, default 0.5
        Share of the band's power, 0 < fraction < 1.
    band_hz : (float, float), default (0.15, 5.0)
        The band, Hz.

    Returns
    -------
    float or None
        Frequency, Hz; None when the band holds fewer than two spectral bins or no power.

    References
    ----------
    Prieto TE et al. (1996), doi:10.1109/10.532130 (50 % and 95 % power frequencies).
    """
    if not 0 < fraction < 1:
        raise AnalysisError(f"power fraction is {fraction}; give a share such as 0.5 or 0.95")
    if ap is None:
        f, p = sway_spectrum(_series(ml, "ML COP", MIN_SPECTRAL_SAMPLES), fs_hz)
        return _band_freq(f, p, fraction, band_hz)
    x, y = _pair(ml, ap, MIN_SPECTRAL_SAMPLES)
    f, p2 = sway_spectrum(np.vstack((x, y)), fs_hz)
    return _band_freq(f, p2.sum(axis=0), fraction, band_hz)


def band_power_shares_pct(
    ml: np.ndarray, fs_hz: float, bands: dict[str, tuple[float, float]] | None = None
) -> dict[str, float] | None:
    """Share of the 0.15-5 Hz ML sway power in each named band, %.

    Sums of the Welch PSD bins (:func:`sway_spectrum`) with ``lo ≤ f < hi`` for each band,
    over the sum for ``0.15 ≤ f < 5`` Hz; the default bands (:data:`POWER_BANDS_HZ`) partition
    that range, so their shares add up to 100.

    Parameters
    ----------
    ml : ndarray, shape (n,)
        ML COP, mm, uniformly sampled.
    fs_hz : float
        Sampling rate, Hz.
    bands : dict of str to (float, float), optional
        Named bands, Hz; default :data:`POWER_BANDS_HZ`.

    Returns
    -------
    dict or None
        ``{name: percent}``; None when there is no power in 0.15-5 Hz.

    References
    ----------
    Prieto TE et al. (1996), doi:10.1109/10.532130 (the 0.15-5 Hz band).
    """
    f, p = sway_spectrum(_series(ml, "ML COP", MIN_SPECTRAL_SAMPLES), fs_hz)
    return _band_shares(f, p, POWER_BANDS_HZ if bands is None else bands, PRIETO_BAND_HZ)


def spectral_bands_hz(fs_hz: float) -> dict[str, list[float]]:
    """The band, Hz, each frequency measure of :func:`compute_metrics` integrates over.

    For ``processing`` in analysis results: whole-band measures span 0 Hz to Nyquist, the
    band-limited ones :data:`PRIETO_BAND_HZ` (capped at Nyquist), the power shares their
    :data:`POWER_BANDS_HZ` entry.
    """
    nyq = _rate(fs_hz) / 2.0
    out: dict[str, list[float]] = {}
    for name in METRIC_NAMES:
        if name in _WHOLE_BAND:
            out[name] = [0.0, nyq]
        elif name.endswith("_pct"):
            lo, hi = POWER_BANDS_HZ[name.removeprefix("ml_power_").removesuffix("_pct")]
            out[name] = [lo, min(hi, nyq)]
        elif name in SPECTRAL_NAMES:
            out[name] = [PRIETO_BAND_HZ[0], min(PRIETO_BAND_HZ[1], nyq)]
    return out


# --- dispatcher -------------------------------------------------------------------------------


class _Trial:
    """Validated arrays plus lazily computed shared pieces (spectra, differences)."""

    def __init__(self, ml: np.ndarray, ap: np.ndarray | None, fs: float) -> None:
        self.ml = ml
        self.ap = ap
        self.fs = fs
        self.n = ml.size
        self._spec: tuple[np.ndarray, np.ndarray] | None = None

    def spectra(self) -> tuple[np.ndarray, np.ndarray]:
        """(f, psd) with psd rows ML[, AP]; one Welch call for both axes."""
        if self._spec is None:
            rows = self.ml[None, :] if self.ap is None else np.vstack((self.ml, self.ap))
            self._spec = sway_spectrum(rows, self.fs)
        return self._spec

    @property
    def apx(self) -> np.ndarray:
        """AP COP, for the measures that are only asked for when it exists."""
        assert self.ap is not None
        return self.ap

    def velocity(self, path: float) -> float:
        return path * self.fs / self.n


def _ml_mean_freq(t: _Trial) -> float:
    f, p = t.spectra()
    return _mean_freq(f, p[0], "ML COP")


def _ml_median_freq(t: _Trial) -> float:
    f, p = t.spectra()
    return _median_freq(f, p[0], "ML COP")


def _planar_mean_freq(t: _Trial) -> float:
    f, p = t.spectra()
    return _mean_freq(f, p[0] + p[1], "COP")


def _ml_band_freq(q: float) -> Callable[[_Trial], float | None]:
    def fn(t: _Trial) -> float | None:
        f, p = t.spectra()
        return _band_freq(f, p[0], q, PRIETO_BAND_HZ)

    return fn


def _planar_band_freq(q: float) -> Callable[[_Trial], float | None]:
    def fn(t: _Trial) -> float | None:
        f, p = t.spectra()
        return _band_freq(f, p[0] + p[1], q, PRIETO_BAND_HZ)

    return fn


def _ml_share(band: str) -> Callable[[_Trial], float | None]:
    def fn(t: _Trial) -> float | None:
        f, p = t.spectra()
        shares = _band_shares(f, p[0], POWER_BANDS_HZ, PRIETO_BAND_HZ)
        return None if shares is None else shares[band]

    return fn


_COMPUTE: dict[str, Callable[[_Trial], float | None]] = {
    "ml_range_mm": lambda t: _range(t.ml),
    "ml_rms_mm": lambda t: _rms(t.ml),
    "ml_path_mm": lambda t: _path1(t.ml),
    "ml_mean_velocity_mm_s": lambda t: t.velocity(_path1(t.ml)),
    "ml_mean_frequency_hz": _ml_mean_freq,
    "ml_median_frequency_hz": _ml_median_freq,
    "ml_f50_hz": _ml_band_freq(0.50),
    "ml_f95_hz": _ml_band_freq(0.95),
    "ml_power_low_pct": _ml_share("low"),
    "ml_power_mid_pct": _ml_share("mid"),
    "ml_power_high_pct": _ml_share("high"),
    "ap_range_mm": lambda t: _range(t.apx),
    "ap_rms_mm": lambda t: _rms(t.apx),
    "ap_path_mm": lambda t: _path1(t.apx),
    "ap_mean_velocity_mm_s": lambda t: t.velocity(_path1(t.apx)),
    "path_length_mm": lambda t: _path2(t.ml, t.apx),
    "mean_velocity_mm_s": lambda t: t.velocity(_path2(t.ml, t.apx)),
    "ellipse_area_mm2": lambda t: _ellipse(t.ml, t.apx),
    "mean_frequency_hz": _planar_mean_freq,
    "f50_hz": _planar_band_freq(0.50),
    "f95_hz": _planar_band_freq(0.95),
}
assert tuple(_COMPUTE) == METRIC_NAMES


def compute_metrics(
    ml_mm: np.ndarray,
    ap_mm: np.ndarray | None,
    fs_hz: float,
    *,
    names: Iterable[str] | None = None,
    min_spectral_s: float = MIN_SPECTRAL_SECONDS,
    reasons: dict[str, str] | None = None,
) -> dict[str, float | None]:
    """Compute COP sway measures by name.

    Parameters
    ----------
    ml_mm : ndarray, shape (n,)
        ML COP, mm, uniformly sampled at ``fs_hz``.
    ap_mm : ndarray, shape (n,) or None
        AP COP, mm; ``None`` for a board without AP spacing.
    fs_hz : float
        Sampling rate, Hz.
    names : iterable of str, optional
        Which measures, from :data:`METRIC_NAMES`; all of them by default.
    min_spectral_s : float, default :data:`MIN_SPECTRAL_SECONDS`
        Shortest window, s (``n / fs``), for the frequency measures (:data:`SPECTRAL_NAMES`);
        shorter windows get ``None`` for them.
    reasons : dict, optional
        Filled with ``{name: why}`` for every measure returned as ``None``.

    Returns
    -------
    dict
        ``{name: value}`` in :data:`METRIC_NAMES` order; measures in :data:`AP_METRIC_NAMES`
        are ``None`` when ``ap_mm`` is None, frequency measures ``None`` below
        ``min_spectral_s``, band-limited ones ``None`` when the band holds no power.

    Raises
    ------
    UsageError
        An unknown measure name.
    InsufficientDataError
        Fewer samples than :data:`MIN_SAMPLES` for a time-domain measure.
    AnalysisError
        NaN or infinity in the COP, mismatched lengths, a bad rate, or a COP that never moves
        when a whole-band frequency measure is asked for.
    """
    if names is None:
        wanted = METRIC_NAMES
    else:
        asked = list(names)
        unknown = [n for n in asked if n not in _COMPUTE]
        if unknown:
            raise UsageError(
                f"unknown metric {unknown[0]!r}; known metrics: {', '.join(METRIC_NAMES)}"
            )
        wanted = tuple(n for n in METRIC_NAMES if n in set(asked))
    fs = _rate(fs_hz)
    n_in = int(np.asarray(ml_mm).reshape(-1).size)
    long_enough = n_in / fs >= min_spectral_s and n_in >= MIN_SPECTRAL_SAMPLES
    needs_spec = long_enough and bool(SPECTRAL_NAMES.intersection(wanted))
    min_n = MIN_SPECTRAL_SAMPLES if needs_spec else MIN_SAMPLES
    if ap_mm is None:
        trial = _Trial(_series(ml_mm, "ML COP", min_n), None, fs)
    else:
        trial = _Trial(*_pair(ml_mm, ap_mm, min_n), fs)
    out: dict[str, float | None] = {}
    why: dict[str, str] = {}
    for name in wanted:
        if trial.ap is None and name in AP_METRIC_NAMES:
            out[name] = None
            why[name] = "the board measures no AP COP"
        elif name in SPECTRAL_NAMES and not long_enough:
            out[name] = None
            why[name] = (
                f"a {trial.n / fs:.3g} s window is too short for a spectrum; frequency measures "
                f"need at least {min_spectral_s:g} s"
            )
        else:
            v = _COMPUTE[name](trial)
            out[name] = None if v is None else float(v)
            if v is None:
                lo, hi = PRIETO_BAND_HZ
                why[name] = f"no sway power between {lo:g} and {hi:g} Hz"
    if reasons is not None:
        reasons.update(why)
    return out
