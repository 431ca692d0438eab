"""Single-leg stance: the steady-state window, time to stabilise and ML time-to-boundary.

A single-leg trial starts at lift-off (the lifted foot's load crossing 10 % of body weight),
when the weight is still coming across onto the stance foot: the first second or two of a
hold is that transfer, not sway. The sway measures of a single-leg trial are therefore taken
over a **steady-state window**, and how long the transfer took is reported on its own:

``time_to_stabilise_s``
    Seconds from lift-off until the stance foot's ML COP has settled: the first time from
    which its 0.5 s moving mean (:data:`SMOOTH_S`) stays within the steady band for
    :data:`STAY_S` (1 s). The steady band is the median of the stance-foot ML COP over the
    reference stretch (:data:`REFERENCE_START_S` = 3 s after lift-off to :data:`END_MARGIN_S`
    before the end) ± ``max(2 σ, 2 mm)``, σ its robust standard deviation (1.4826 × MAD).
    None when the hold is too short for a reference stretch of 1 s, or the COP never settles.

steady-state window
    From lift-off + ``max(time_to_stabilise_s, MIN_SETTLE_S)`` to :data:`END_MARGIN_S`
    (0.5 s) before the trial's end (the foot coming down moves the COP before it touches),
    when that leaves at least :data:`MIN_STEADY_S` (2 s); else the trial is measured whole and
    says so.

``ml_time_to_boundary_s``
    After Hertel et al. (2006): for every sample, the time the stance foot's ML COP would take
    to reach the edge of the base of support at its instantaneous velocity; the measure is the
    mean of the local minima of that series, s. Hertel used the foot's outline; a board knows
    only the ML span of the stance side's cells (:func:`foot_spans`), which is wider than the
    foot's load-bearing width, so these times are longer than Hertel's and comparable only
    between trials on the same board.

References
----------
Hertel J, Olmsted-Kramer LC, Challis JH (2006) Time-to-boundary measures of postural control
during single leg quiet standing. J Appl Biomech 22(1):67-73.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .config import Board

__all__ = [
    "SMOOTH_S",
    "STAY_S",
    "REFERENCE_START_S",
    "END_MARGIN_S",
    "MIN_SETTLE_S",
    "MIN_STEADY_S",
    "foot_spans",
    "time_to_stabilise_s",
    "steady_window",
    "ml_time_to_boundary_s",
]

SMOOTH_S = 0.5
"""Moving-mean window for the settling test, s (averages out a sway cycle of ~0.5-2 Hz)."""
STAY_S = 1.0
"""The smoothed COP must stay in the steady band this long to count as settled, s."""
REFERENCE_START_S = 3.0
"""The steady reference starts this long after lift-off, s."""
END_MARGIN_S = 0.5
"""Left out before a trial's end, s: the lifted foot on its way down moves the COP."""
MIN_SETTLE_S = 1.0
"""The steady window never starts sooner than this after lift-off, s."""
MIN_STEADY_S = 2.0
"""Shortest steady window, s; a shorter hold is measured whole."""
BAND_MIN_MM = 2.0
"""Narrowest steady band half-width, mm (a very still stance has a tiny σ)."""


def foot_spans(board: Board) -> dict[str, tuple[float, float]]:
    """ML extent of each side's cells, mm, ``{side: (min x, max x)}``, for sides with ML spacing.

    This is the widest the stance foot's own COP can read on this board: the boundary the
    time-to-boundary uses.
    """
    out: dict[str, tuple[float, float]] = {}
    for side in ("left", "right"):
        if board.side_has_ml_spacing(side):
            x = board.x_mm[board.side_mask(side)]
            out[side] = (float(x.min()), float(x.max()))
    return out


def _moving_mean(x: np.ndarray, n: int) -> np.ndarray:
    if n <= 1 or x.size < n:
        return x.copy()
    c = np.cumsum(np.r_[0.0, x])
    return np.asarray((c[n:] - c[:-n]) / n)  # value k covers x[k : k + n]


def time_to_stabilise_s(
    t_s: np.ndarray, ml_mm: np.ndarray, lift_s: float, end_s: float
) -> float | None:
    """Seconds from lift-off until the stance foot's ML COP has settled (module docstring).

    Parameters
    ----------
    t_s : ndarray, shape (n,)
        Frame times, s, uniformly spaced.
    ml_mm : ndarray, shape (n,)
        The stance foot's own ML COP, mm (NaN where unknown).
    lift_s, end_s : float
        Lift-off and the end of the trial, s.

    Returns
    -------
    float or None
        Time to stabilise, s; None without a 1 s reference stretch or if it never settles.
    """
    t = np.asarray(t_s, dtype=float)
    x = np.asarray(ml_mm, dtype=float)
    ref = (t >= lift_s + REFERENCE_START_S) & (t <= end_s - END_MARGIN_S) & np.isfinite(x)
    if t.size < 2 or np.count_nonzero(ref) < 2:
        return None
    dt = float(np.median(np.diff(t)))
    if not dt > 0 or np.count_nonzero(ref) * dt < 1.0:
        return None
    centre = float(np.median(x[ref]))
    sigma = 1.4826 * float(np.median(np.abs(x[ref] - centre)))
    half = max(2.0 * sigma, BAND_MIN_MM)
    seg = (t >= lift_s) & (t <= end_s - END_MARGIN_S)
    ts, xs = t[seg], x[seg]
    if not np.all(np.isfinite(xs)):
        return None
    n = max(1, int(round(SMOOTH_S / dt)))
    m = _moving_mean(xs, n)
    tm = ts[: m.size] + (n - 1) * dt / 2.0  # centre time of each window
    inside = np.abs(m - centre) <= half
    stay = max(1, int(round(STAY_S / dt)))
    if inside.size < stay:
        return None
    # Runs of `stay` consecutive in-band windows; the first such run marks the settling time.
    run = np.convolve(inside.astype(int), np.ones(stay, dtype=int), mode="valid")
    ok = np.flatnonzero(run == stay)
    if ok.size == 0:
        return None
    return max(0.0, float(tm[ok[0]] - lift_s))


def steady_window(lift_s: float, end_s: float, tts_s: float | None) -> tuple[float, float] | None:
    """The steady-state window ``(start_s, end_s)`` of a trial, or None if under 2 s.

    From lift-off + ``max(tts_s, MIN_SETTLE_S)`` (``MIN_SETTLE_S`` when ``tts_s`` is None) to
    ``END_MARGIN_S`` before the end.
    """
    start = lift_s + max(MIN_SETTLE_S, tts_s if tts_s is not None else MIN_SETTLE_S)
    stop = end_s - END_MARGIN_S
    if stop - start < MIN_STEADY_S:
        return None
    return start, stop


def ml_time_to_boundary_s(
    ml_mm: np.ndarray, fs_hz: float, boundary_mm: tuple[float, float]
) -> dict[str, Any]:
    """ML time-to-boundary of the stance foot's COP after Hertel et al. (2006), s.

    For each sample ``i`` with ML velocity ``v_i`` (central difference, mm/s), the time to reach
    the boundary it moves toward is ``(b_hi - x_i) / v_i`` for ``v_i > 0`` and
    ``(x_i - b_lo) / -v_i`` for ``v_i < 0``. The local minima of that series are the moments
    closest to losing balance; their mean is ``ml_time_to_boundary_s`` and their standard
    deviation ``ml_time_to_boundary_sd_s``.

    Parameters
    ----------
    ml_mm : ndarray, shape (n,)
        Stance foot's ML COP, mm, uniformly sampled (low-pass filtered first: differences of
        noise give meaningless velocities).
    fs_hz : float
        Sampling rate, Hz.
    boundary_mm : (float, float)
        ML extent of the base of support, mm (:func:`foot_spans`).

    Returns
    -------
    dict
        ``ml_time_to_boundary_s``, ``ml_time_to_boundary_sd_s`` (None with fewer than 3 minima),
        ``ml_ttb_minima`` (how many).
    """
    x = np.asarray(ml_mm, dtype=float)
    lo, hi = boundary_mm
    none: dict[str, Any] = {
        "ml_time_to_boundary_s": None,
        "ml_time_to_boundary_sd_s": None,
        "ml_ttb_minima": 0,
    }
    if x.size < 5 or not np.all(np.isfinite(x)) or not hi > lo:
        return none
    v = np.gradient(x) * fs_hz
    with np.errstate(divide="ignore", invalid="ignore"):
        ttb = np.where(v > 0, (hi - x) / v, np.where(v < 0, (x - lo) / -v, np.inf))
    ttb = np.maximum(ttb, 0.0)  # a COP outside the span (noise at the edge) is at the boundary
    finite = np.isfinite(ttb)
    mid = ttb[1:-1]
    minima = mid[(mid < ttb[:-2]) & (mid <= ttb[2:]) & finite[1:-1]]
    if minima.size < 3:
        return none
    return {
        "ml_time_to_boundary_s": float(minima.mean()),
        "ml_time_to_boundary_sd_s": float(minima.std(ddof=1)),
        "ml_ttb_minima": int(minima.size),
    }
