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
from .cop_checks import _pair, _rate, _series
from .errors import AnalysisError, UsageError
from .spectral import (
    MIN_SPECTRAL_SAMPLES,
    POWER_BANDS_HZ,
    PRIETO_BAND_HZ,
    _band_freq,
    _band_shares,
    _mean_freq,
    _median_freq,
    band_power_frequency_hz,
    band_power_shares_pct,
    mean_frequency_hz,
    median_frequency_hz,
    sway_spectrum,
)

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

MIN_SPECTRAL_SECONDS = 20.0
"""Shortest window, s, for which :func:`compute_metrics` reports any frequency measure.

Welch segments of half the window give a frequency resolution of ``2 / T``: 0.1 Hz at 20 s.
Below that the 0.15 Hz band edge and the sway peak (typically 0.2-0.5 Hz in quiet stance) fall
into one or two bins. Prieto et al. (1996) analysed 30 s trials; Santos & Duarte (2016) 60 s."""

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


# --- frequency bands of the dispatcher ------------------------------------------------------


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
