"""Input checks shared by the COP measures of :mod:`.metrics` and :mod:`.spectral`.

Each turns a bad input into an :class:`~.errors.AnalysisError` (or
:class:`~.errors.InsufficientDataError`) whose message says what to fix.
"""

from __future__ import annotations

import math

import numpy as np

from .errors import AnalysisError, InsufficientDataError


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
