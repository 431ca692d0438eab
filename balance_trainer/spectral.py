"""Frequency-domain sway measures of a COP trial: Welch spectra and the measures built on them.

Split out of :mod:`.metrics`, which re-exports every public name here and dispatches to them by
name (:func:`.metrics.compute_metrics`); the conventions (Welch segments, whole-band versus
0.15-5 Hz band-limited measures) are described in :mod:`.metrics`' docstring.
"""

from __future__ import annotations

import numpy as np

from .cop_checks import _pair, _rate, _series
from .errors import AnalysisError, InsufficientDataError

__all__ = [
    "MIN_SPECTRAL_SAMPLES",
    "PRIETO_BAND_HZ",
    "POWER_BANDS_HZ",
    "sway_spectrum",
    "mean_frequency_hz",
    "median_frequency_hz",
    "band_power_frequency_hz",
    "band_power_shares_pct",
]

MIN_SPECTRAL_SAMPLES = 32
"""Fewest samples for a spectrum at all (:func:`sway_spectrum`): Welch segments of 16 samples."""

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


def _cop_spectrum(
    ml: np.ndarray, fs_hz: float, ap: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray, str]:
    """Welch PSD of ML COP, or of ML plus AP summed (power-weighted) when ``ap`` is given:
    frequencies (Hz), power (mm²/Hz) and the name of what was analysed, for messages."""
    if ap is None:
        f, p = sway_spectrum(_series(ml, "ML COP", MIN_SPECTRAL_SAMPLES), fs_hz)
        return f, p, "ML COP"
    x, y = _pair(ml, ap, MIN_SPECTRAL_SAMPLES)
    f, p2 = sway_spectrum(np.vstack((x, y)), fs_hz)
    return f, p2.sum(axis=0), "COP"


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
    f, p, what = _cop_spectrum(ml, fs_hz, ap)
    return _mean_freq(f, p, what)


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
    f, p, what = _cop_spectrum(ml, fs_hz, ap)
    return _median_freq(f, p, what)


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
    f, p, _ = _cop_spectrum(ml, fs_hz, ap)
    return _band_freq(f, p, fraction, band_hz)


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
