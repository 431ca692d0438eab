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
    "compute_metrics",
]

METRIC_NAMES: tuple[str, ...] = (
    "ml_range_mm",
    "ml_rms_mm",
    "ml_path_mm",
    "ml_mean_velocity_mm_s",
    "ml_mean_frequency_hz",
    "ml_median_frequency_hz",
    "ap_range_mm",
    "ap_rms_mm",
    "ap_path_mm",
    "ap_mean_velocity_mm_s",
    "path_length_mm",
    "mean_velocity_mm_s",
    "ellipse_area_mm2",
    "mean_frequency_hz",
)
"""Every COP measure :func:`compute_metrics` knows, in report order (ML first)."""

AP_METRIC_NAMES: frozenset[str] = frozenset(
    n for n in METRIC_NAMES if n.startswith("ap_") or not n.startswith("ml_")
)
"""Measures that need AP COP; ``None`` for a board without AP spacing."""

MIN_SAMPLES = 4
"""Fewest samples for the time-domain measures (the ellipse's F quantile needs N - 2 ≥ 2)."""

MIN_SPECTRAL_SAMPLES = 32
"""Fewest samples for the frequency measures: Welch segments of at least 16 samples."""


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
    from scipy import signal as _sig  # imported on use: it costs ~0.6 s at start-up

    return _sig.welch(
        a,
        fs=_rate(fs_hz),
        window="hann",
        nperseg=seg,
        noverlap=seg // 2,
        nfft=seg,
        detrend="constant",
        axis=-1,
    )


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
    """Mean (power-weighted) frequency of COP sway, Hz.

    ``f_mean = ∫ f P(f) df / ∫ P(f) df`` with ``P`` the Welch PSD of ML (:func:`sway_spectrum`),
    or ``P = P_ML + P_AP`` when ``ap`` is given (AP and ML weighted by their power), integrated
    with the trapezoid rule. With AP this reproduces HBEDB's COPmfreq within 2 % on all 20
    shared trials (the published spectra's exact implementation is not known to us).

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
    Prieto TE et al. (1996), doi:10.1109/10.532130 (MFREQ); Santos DA, Duarte M (2016),
    doi:10.7717/peerj.2648 (COPmfreq); Welch (1967), doi:10.1109/TAU.1967.1161901.
    """
    if ap is None:
        f, p = sway_spectrum(_series(ml, "ML COP", MIN_SPECTRAL_SAMPLES), fs_hz)
        return _mean_freq(f, p, "ML COP")
    x, y = _pair(ml, ap, MIN_SPECTRAL_SAMPLES)
    f, p = sway_spectrum(np.vstack((x, y)), fs_hz)
    return _mean_freq(f, p.sum(axis=0), "COP")


def median_frequency_hz(ml: np.ndarray, fs_hz: float, ap: np.ndarray | None = None) -> float:
    """Median frequency of COP sway, Hz: half the spectral power lies below it.

    The cumulative trapezoid integral of the Welch PSD (:func:`sway_spectrum`) of ML (plus AP
    when given) is interpolated linearly to the frequency where it reaches half its total.

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
    Prieto TE et al. (1996), doi:10.1109/10.532130 (50 % power frequency);
    Welch (1967), doi:10.1109/TAU.1967.1161901.
    """
    if ap is None:
        f, p = sway_spectrum(_series(ml, "ML COP", MIN_SPECTRAL_SAMPLES), fs_hz)
        return _median_freq(f, p, "ML COP")
    x, y = _pair(ml, ap, MIN_SPECTRAL_SAMPLES)
    f, p = sway_spectrum(np.vstack((x, y)), fs_hz)
    return _median_freq(f, p.sum(axis=0), "COP")


# --- dispatcher ---------------------------------------------------------------------------------


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


_COMPUTE: dict[str, Callable[[_Trial], float]] = {
    "ml_range_mm": lambda t: _range(t.ml),
    "ml_rms_mm": lambda t: _rms(t.ml),
    "ml_path_mm": lambda t: _path1(t.ml),
    "ml_mean_velocity_mm_s": lambda t: t.velocity(_path1(t.ml)),
    "ml_mean_frequency_hz": _ml_mean_freq,
    "ml_median_frequency_hz": _ml_median_freq,
    "ap_range_mm": lambda t: _range(t.ap),
    "ap_rms_mm": lambda t: _rms(t.ap),
    "ap_path_mm": lambda t: _path1(t.ap),
    "ap_mean_velocity_mm_s": lambda t: t.velocity(_path1(t.ap)),
    "path_length_mm": lambda t: _path2(t.ml, t.ap),
    "mean_velocity_mm_s": lambda t: t.velocity(_path2(t.ml, t.ap)),
    "ellipse_area_mm2": lambda t: _ellipse(t.ml, t.ap),
    "mean_frequency_hz": _planar_mean_freq,
}
assert tuple(_COMPUTE) == METRIC_NAMES

_SPECTRAL = frozenset({"ml_mean_frequency_hz", "ml_median_frequency_hz", "mean_frequency_hz"})


def compute_metrics(
    ml_mm: np.ndarray,
    ap_mm: np.ndarray | None,
    fs_hz: float,
    *,
    names: Iterable[str] | None = None,
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

    Returns
    -------
    dict
        ``{name: value}`` in :data:`METRIC_NAMES` order; measures in :data:`AP_METRIC_NAMES`
        are ``None`` when ``ap_mm`` is None.

    Raises
    ------
    UsageError
        An unknown measure name.
    InsufficientDataError
        Fewer samples than a requested measure needs (:data:`MIN_SAMPLES`,
        :data:`MIN_SPECTRAL_SAMPLES`).
    AnalysisError
        NaN or infinity in the COP, mismatched lengths, a bad rate, or a COP that never moves
        when a frequency measure is asked for.
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
    min_n = MIN_SPECTRAL_SAMPLES if _SPECTRAL.intersection(wanted) else MIN_SAMPLES
    if ap_mm is None:
        trial = _Trial(_series(ml_mm, "ML COP", min_n), None, fs)
    else:
        trial = _Trial(*_pair(ml_mm, ap_mm, min_n), fs)
    out: dict[str, float | None] = {}
    for name in wanted:
        if trial.ap is None and name in AP_METRIC_NAMES:
            out[name] = None
        else:
            out[name] = float(_COMPUTE[name](trial))
    return out
