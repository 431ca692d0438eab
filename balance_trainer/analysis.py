"""Offline analysis of one balance trial: validate, make uniform, filter, measure.

The pipeline (DESIGN.md, "Key decisions"):

1. **Validate.** NaN, time going backwards, too few samples or a total load below
   :data:`~balance_trainer.balance.DEFAULT_MIN_LOAD_N` (nobody on the board) raise a named
   error; nothing is silently dropped or patched.
2. **Uniform grid.** When the samples do not sit one per slot of a uniform grid at the nominal
   rate (timing jitter, dropped frames), they are resampled onto it by window averaging
   (:func:`~balance_trainer.signal.resample_uniform`). Data already on a uniform grid is left
   untouched.
3. **Low-pass.** 4th-order zero-phase Butterworth at 10 Hz (:func:`~balance_trainer.signal.lowpass`)
   unless ``filter=False`` (lab data published already filtered) or the data is sampled too
   slowly for a 10 Hz cutoff.
4. **Measures** from :mod:`balance_trainer.metrics`.

The result says which of these steps ran, in ``processing``.
"""

from __future__ import annotations

import math
import os
from typing import Any

import numpy as np

from .balance import DEFAULT_MIN_LOAD_N
from .errors import AnalysisError, BalanceTrainerError, InsufficientDataError
from .metrics import (
    METRIC_NAMES,
    MIN_SPECTRAL_SAMPLES,
    MIN_SPECTRAL_SECONDS,
    compute_metrics,
    spectral_bands_hz,
)
from .readers import Trial, read_trial
from .signal import lowpass, resample_uniform

__all__ = [
    "RESULT_NAMES",
    "LOWPASS_CUTOFF_HZ",
    "LOWPASS_ORDER",
    "MIN_TRIAL_SAMPLES",
    "SIDE_NOISE_N",
    "MIN_STRETCH_S",
    "analyze_trial",
    "analyze_file",
    "trim_off_board",
    "on_board_span",
    "on_board_stretches",
]

LOWPASS_CUTOFF_HZ = 10.0
LOWPASS_ORDER = 4
MIN_TRIAL_SAMPLES = MIN_SPECTRAL_SAMPLES
"""Fewest samples a trial needs for every measure (the frequency measures need the most)."""

SIDE_NOISE_N = 10.0
"""How far below zero, N, one side's load may read and still be noise around an empty side.

A lifted foot leaves its cells at zero plus noise and tare drift: the simulator's cells read
down to -0.06 N per side, a real HX711 cell after hours a few newtons (about 0.2-0.5 kg of drift
on a 50 kg cell). Ten newtons (about 1 kg) covers both with margin; below that the data is
wrong (a cell wired backwards, a stale tare) and the left share outside 0..1 is refused."""

SHARE_NOISE = 0.01
"""Without the total load, how far outside 0..1 a left share may lie and count as noise (1 %:
10 N of a 1 kN person)."""

MIN_STRETCH_S = 1.0
"""Shortest on-board stretch, s, that :func:`analyze_file` will analyse."""

RATE_MISMATCH = 0.10
"""A stated rate more than 10 % away from the sample times' own rate is not used."""

RESULT_NAMES: tuple[str, ...] = (
    "duration_s",
    "sample_rate_hz",
    "mean_load_n",
    *METRIC_NAMES,
    "left_share",
)
"""Keys of the metric dict, in report order (DESIGN.md names)."""


def _array(x: Any, what: str, n: int | None) -> np.ndarray:
    a = np.asarray(x, dtype=float)
    if a.ndim != 1:
        raise AnalysisError(f"{what} must be one value per sample (1-D); got shape {a.shape}")
    if n is not None and a.size != n:
        raise AnalysisError(f"{what} has {a.size} samples but the times have {n}; they must match")
    return a


def _first_bad(mask: np.ndarray) -> int:
    return int(np.flatnonzero(mask)[0])


def _validate_time(t: np.ndarray) -> None:
    if t.size == 0:
        raise InsufficientDataError("the trial has no samples; there is nothing to analyse")
    if not np.all(np.isfinite(t)):
        i = _first_bad(~np.isfinite(t))
        raise AnalysisError(f"time at sample {i} is {t[i]}; every sample needs a finite time")
    dt = np.diff(t)
    if np.any(dt < 0):
        i = _first_bad(dt < 0) + 1
        raise AnalysisError(
            f"time goes backwards at sample {i} ({t[i]:.6g} s after {t[i - 1]:.6g} s); "
            "samples must be in time order"
        )
    if t.size < MIN_TRIAL_SAMPLES:
        raise InsufficientDataError(
            f"the trial has {t.size} samples; the sway measures need at least {MIN_TRIAL_SAMPLES}"
        )
    if not t[-1] > t[0]:
        raise AnalysisError(
            f"all {t.size} samples have the same time {t[0]:g} s; the trial has no duration"
        )


def _validate_load(t: np.ndarray, load: np.ndarray) -> None:
    low = ~(load >= DEFAULT_MIN_LOAD_N)  # also catches NaN
    if low.any():
        i = _first_bad(low)
        raise AnalysisError(
            f"total load is {load[i]:.1f} N at {t[i]:.3f} s (sample {i}); below "
            f"{DEFAULT_MIN_LOAD_N:g} N nobody is on the board and the COP is undefined - "
            "analyse only the time someone stands on it"
        )


def _validate_cop(t: np.ndarray, x: np.ndarray, what: str) -> None:
    bad = ~np.isfinite(x)
    if bad.any():
        i = _first_bad(bad)
        raise AnalysisError(
            f"{what} is {x[i]} at {t[i]:.3f} s (sample {i}); missing samples cannot be "
            "analysed - cut the trial before them or fill them"
        )


def _nominal_rate(t: np.ndarray, fs_hz: float | None, notes: list[str]) -> float:
    measured = (t.size - 1) / (t[-1] - t[0])
    measured = float(f"{measured:.9g}")  # 5999 / 59.99 s should read as 100 Hz, not 100.0000001
    if fs_hz is None:
        return measured
    fs = float(fs_hz)
    if not (math.isfinite(fs) and fs > 0):
        raise AnalysisError(f"sample rate is {fs_hz!r} Hz; it must be a positive number")
    if abs(measured / fs - 1) > RATE_MISMATCH:
        notes.append(f"stated rate {fs:g} Hz ignored: the sample times give {measured:.4g} Hz")
        return measured
    return fs


def analyze_trial(
    t_s: np.ndarray,
    cop_ml_mm: np.ndarray,
    cop_ap_mm: np.ndarray | None = None,
    *,
    load_n: np.ndarray | None = None,
    left_share: np.ndarray | float | None = None,
    filter: bool = True,
    fs_hz: float | None = None,
) -> dict[str, Any]:
    """Sway measures of one trial, with a description of the processing that produced them.

    Parameters
    ----------
    t_s : ndarray, shape (n,)
        Sample times, s, non-decreasing.
    cop_ml_mm : ndarray, shape (n,)
        ML COP, mm.
    cop_ap_mm : ndarray, shape (n,), optional
        AP COP, mm; None for a board without AP spacing (AP measures are then None).
    load_n : ndarray, shape (n,), optional
        Total vertical load, N; every sample must carry at least 50 N (someone on the board).
    left_share : ndarray, shape (n,), or float, optional
        Share of the load on the left foot, 0..1 (two-sided boards); its mean is reported.
    filter : bool, default True
        Apply the 10 Hz zero-phase low-pass before measuring.
    fs_hz : float, optional
        Nominal sampling rate, Hz (e.g. the recording header's). Default: the rate the sample
        times give, ``(n - 1) / (t[-1] - t[0])``. A stated rate more than 10 % away from that
        is not used, and ``processing`` says so.

    Returns
    -------
    dict
        Keys :data:`RESULT_NAMES` (``duration_s`` in s, ``sample_rate_hz`` in Hz,
        ``mean_load_n`` in N or None, the COP measures in mm, mm/s, mm², Hz, ``left_share``
        0..1 or None), then ``processing``: a dict with ``resampled_to_hz`` (Hz or None),
        ``lowpass`` (the filter's description or None), ``notes`` (list of str) and
        ``summary`` (one readable line).

    Raises
    ------
    InsufficientDataError
        Fewer than :data:`MIN_TRIAL_SAMPLES` samples.
    AnalysisError
        NaN or infinity, time going backwards or standing still, a load below 50 N, a left
        share outside 0..1, mismatched lengths.
    """
    t = _array(t_s, "time", None)
    _validate_time(t)
    n = t.size
    ml = _array(cop_ml_mm, "ML COP", n)
    ap = None if cop_ap_mm is None else _array(cop_ap_mm, "AP COP", n)
    load = None if load_n is None else _array(load_n, "total load", n)
    if load is not None:
        _validate_load(t, load)
    _validate_cop(t, ml, "ML COP")
    if ap is not None:
        _validate_cop(t, ap, "AP COP")
    share: np.ndarray | None = None
    notes: list[str] = []
    if left_share is not None:
        share = np.asarray(left_share, dtype=float)
        share = np.full(n, float(share)) if share.ndim == 0 else _array(share, "left share", n)
        share = _check_share(share, load, notes)

    fs = _nominal_rate(t, fs_hz, notes)

    # One column per series, so all of them are resampled on the same grid in one go.
    columns = (
        [ml]
        + ([ap] if ap is not None else [])
        + ([load] if load is not None else [])
        + ([share] if share is not None else [])
    )
    stack = np.column_stack(columns)
    slots = np.floor((t - t[0]) * fs + 0.5)
    resampled = not np.array_equal(slots, np.arange(n))
    if resampled:
        _, stack = resample_uniform(t, stack, fs)
        notes.append(f"{n} irregular samples window-averaged onto {stack.shape[0]} at {fs:g} Hz")
        if stack.shape[0] < MIN_TRIAL_SAMPLES:
            raise InsufficientDataError(
                f"the trial gives {stack.shape[0]} samples at {fs:g} Hz; the sway measures "
                f"need at least {MIN_TRIAL_SAMPLES}"
            )
    m = stack.shape[0]

    lp: dict[str, Any] | None = None
    cop_cols = 1 if ap is None else 2
    if filter:
        if fs / 2 > LOWPASS_CUTOFF_HZ:
            stack[:, :cop_cols] = lowpass(stack[:, :cop_cols], fs, LOWPASS_CUTOFF_HZ, LOWPASS_ORDER)
            lp = {
                "filter": "butterworth",
                "order": LOWPASS_ORDER,
                "cutoff_hz": LOWPASS_CUTOFF_HZ,
                "zero_phase": True,
            }
        else:
            notes.append(
                f"low-pass skipped: {LOWPASS_CUTOFF_HZ:g} Hz is not below the Nyquist "
                f"frequency {fs / 2:g} Hz of this data"
            )

    ml_u = stack[:, 0]
    ap_u = stack[:, 1] if ap is not None else None
    col = cop_cols
    load_u = share_u = None
    if load is not None:
        load_u = stack[:, col]
        col += 1
    if share is not None:
        share_u = stack[:, col]

    null_reasons: dict[str, str] = {}
    cop = compute_metrics(ml_u, ap_u, fs, reasons=null_reasons)
    result: dict[str, Any] = {
        "duration_s": m / fs,
        "sample_rate_hz": fs,
        "mean_load_n": None if load_u is None else float(load_u.mean()),
        **cop,
        "left_share": None if share_u is None else float(share_u.mean()),
    }
    result["processing"] = {
        "resampled_to_hz": fs if resampled else None,
        "lowpass": lp,
        "spectral_band_hz": spectral_bands_hz(fs),
        "min_spectral_s": MIN_SPECTRAL_SECONDS,
        "null_reasons": null_reasons,
        "notes": notes,
        "summary": _summary(fs, resampled, lp, filter),
    }
    return result


def _check_share(share: np.ndarray, load: np.ndarray | None, notes: list[str]) -> np.ndarray:
    """The left share clipped to 0..1 where it strays by sensor noise; refused beyond that.

    With the total load known, a share ``s`` above 1 means the right side reads
    ``-(s - 1) · load`` newtons (below 0, the left side ``s · load``): noise when that is above
    ``-SIDE_NOISE_N``.
    """
    low = np.minimum(share, 0.0)
    high = np.maximum(share - 1.0, 0.0)
    if load is not None:
        side = (high - low) * np.abs(load)  # how far below zero the empty side reads, N
        bad = ~(side <= SIDE_NOISE_N)  # also catches NaN
        if bad.any():
            i = _first_bad(bad)
            foot = "right" if share[i] > 1 else "left"
            raise AnalysisError(
                f"left share is {share[i]:.4g} at sample {i}: the {foot} foot reads "
                f"{-side[i]:.1f} N, below the -{SIDE_NOISE_N:g} N a cell's noise explains - "
                "re-tare the board (balance-trainer calibrate) or check the cell wiring"
            )
    else:
        bad = ~((low >= -SHARE_NOISE) & (high <= SHARE_NOISE))
        if bad.any():
            i = _first_bad(bad)
            raise AnalysisError(
                f"left share is {share[i]:.4g} at sample {i}; it must lie between 0 and 1 "
                f"(within {SHARE_NOISE:g} for sensor noise)"
            )
    strays = int(np.count_nonzero((low < 0) | (high > 0)))
    if strays:
        notes.append(
            f"left share clipped to 0..1 on {strays} samples where an unloaded side read "
            "slightly below zero (cell noise)"
        )
    return np.asarray(np.clip(share, 0.0, 1.0))


def _summary(fs: float, resampled: bool, lp: dict[str, Any] | None, asked: bool) -> str:
    parts = [
        f"resampled to {fs:g} Hz (window average)"
        if resampled
        else f"one sample per {fs:g} Hz slot, not resampled"
    ]
    if lp is not None:
        parts.append(
            f"{lp['order']}th-order zero-phase Butterworth low-pass {lp['cutoff_hz']:g} Hz"
        )
    elif asked:
        parts.append("no low-pass (rate too low)")
    else:
        parts.append("no low-pass (--no-filter)")
    return "; ".join(parts)


def trim_off_board(
    trial: Trial, stretches: list[slice] | None = None
) -> tuple[slice, float, float]:
    """The longest stretch of ``trial`` with someone on the board throughout.

    A recording usually starts before the person steps on and ends after they step off; those
    edges have no COP. When the person steps off and on again in between, the trial is the
    longest continuous stance (a gap has no COP to measure, and bridging it would invent
    sway): :func:`analyze_file` reports the others as cut.

    Parameters
    ----------
    trial : Trial
    stretches : list of slice, optional
        :func:`on_board_stretches` of the trial, when the caller has them already.

    Returns
    -------
    span : slice
        Indices of the stretch.
    start_trim_s, end_trim_s : float
        Seconds cut before and after it.

    Raises
    ------
    AnalysisError
        Nobody is on the board at any time, or never for :data:`MIN_STRETCH_S`.
    """
    if stretches is None:
        stretches = on_board_stretches(trial.load_n, trial.cop_ml_mm)
    t = trial.t_s
    if not stretches:
        peak = float(np.nanmax(trial.load_n)) if trial.n_samples else 0.0
        raise AnalysisError(
            f"nobody is on the board at any time: total load never reaches "
            f"{DEFAULT_MIN_LOAD_N:g} N (highest {peak:.1f} N); record with someone standing on it"
        )
    span = max(stretches, key=lambda s: float(t[s.stop - 1] - t[s.start]))
    length = float(t[span.stop - 1] - t[span.start])
    whole = span.start == 0 and span.stop == trial.n_samples  # a short file: analyze_trial says
    if length < MIN_STRETCH_S and not whole:
        raise AnalysisError(
            f"nobody stands on the board for {MIN_STRETCH_S:g} s at a time (longest "
            f"{length:.2f} s from {t[span.start]:.2f} s); record with someone standing on it"
        )
    return span, float(t[span.start] - t[0]), float(t[-1] - t[span.stop - 1])


def on_board_stretches(load_n: np.ndarray, cop_ml_mm: np.ndarray) -> list[slice]:
    """Index ranges of the runs of samples with someone on the board, in time order.

    On the board: total load (N) at least ``DEFAULT_MIN_LOAD_N`` and a finite ML COP (mm).
    """
    on = (np.asarray(load_n) >= DEFAULT_MIN_LOAD_N) & np.isfinite(cop_ml_mm)
    edges = np.flatnonzero(np.diff(np.r_[0, on.astype(np.int8), 0]))
    return [slice(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def on_board_span(load_n: np.ndarray, cop_ml_mm: np.ndarray) -> slice | None:
    """Indices from the first to the last sample with someone on the board, or None.

    On the board: total load (N) at least ``DEFAULT_MIN_LOAD_N`` and a finite ML COP (mm).
    """
    on = (np.asarray(load_n) >= DEFAULT_MIN_LOAD_N) & np.isfinite(cop_ml_mm)
    idx = np.flatnonzero(on)
    if idx.size == 0:
        return None
    return slice(int(idx[0]), int(idx[-1]) + 1)


def analyze_file(
    path: str | os.PathLike[str], *, format: str | None = None, filter: bool = True
) -> dict[str, Any]:
    """Read a trial from a file and analyse it.

    Leading and trailing samples with nobody on the board (our recordings start before the
    person steps on) are cut first and ``processing['trimmed_s']`` says how much; when the
    person stepped off in between, the longest continuous stance is analysed
    (:func:`trim_off_board`) and ``processing['notes']`` says which.

    Parameters
    ----------
    path : path-like
        A data file in one of :data:`balance_trainer.readers.FORMATS`.
    format : str, optional
        Force a format instead of detecting it.
    filter : bool, default True
        Apply the 10 Hz zero-phase low-pass.

    Returns
    -------
    dict
        ``{"file": str, "format": str, "processing": dict, "metrics": dict}``, ``metrics``
        keyed by :data:`RESULT_NAMES`.

    Raises
    ------
    BalanceTrainerError
        A reading or analysis error (see :func:`~balance_trainer.readers.read_trial` and
        :func:`analyze_trial`); analysis messages are prefixed with the file name.
    """
    trial = read_trial(path, format)
    try:
        if trial.n_samples == 0:
            raise InsufficientDataError("the file has no samples; there is nothing to analyse")
        stretches = on_board_stretches(trial.load_n, trial.cop_ml_mm)
        span, cut0, cut1 = trim_off_board(trial, stretches)

        def part(a: np.ndarray | None) -> np.ndarray | None:
            return None if a is None else a[span]

        result = analyze_trial(
            trial.t_s[span],
            trial.cop_ml_mm[span],
            part(trial.cop_ap_mm),
            load_n=trial.load_n[span],
            left_share=part(trial.left_share),
            filter=filter,
            fs_hz=trial.sample_rate_hz,
        )
    except BalanceTrainerError as exc:
        raise type(exc)(f"{path}: {exc}") from exc
    processing = result.pop("processing")
    n_stretches = len(stretches)
    lead: list[str] = []
    if cut0 > 0 or cut1 > 0:
        processing["trimmed_s"] = {"start": cut0, "end": cut1}
        why = "with nobody on the board" if n_stretches == 1 else "outside the analysed stance"
        lead.append(f"cut {cut0:.2f} s at the start and {cut1:.2f} s at the end {why}")
    if n_stretches > 1:
        t = trial.t_s
        lead.append(
            f"someone stepped off the board: {n_stretches} stretches on it; analysed the "
            f"longest, {t[span.start] - t[0]:.2f}-{t[span.stop - 1] - t[0]:.2f} s"
        )
    processing["notes"][:0] = lead
    return {
        "file": os.fspath(path),
        "format": trial.format,
        "processing": processing,
        "metrics": result,
    }
