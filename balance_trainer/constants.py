"""Numbers and definitions the whole project shares, each written down once.

Physical constants, the thresholds that mean "someone is on the board", the reference foot
width of the pelvic-control index, and the two small formulas that several modules report
(the prediction ellipse's scale and left/right asymmetry). Modules import these instead of
retyping them, so a test pins each down in one place.
"""

from __future__ import annotations

import math

STANDARD_GRAVITY = 9.80665
"""Standard acceleration of gravity, m/s² (exact by definition: CGPM 1901; ISO 80000-3).
Newtons to kilograms for display, and the simulated person's weight."""

ON_BOARD_N = 50.0
"""A total vertical load of at least this, N, means someone is on the board (about 5 kg: more
than a bag or a cat, less than any child old enough to play)."""

FOOT_HALF_WIDTH_MM = 45.0
"""Half a typical adult foot's width at the metatarsal heads, mm: the pelvic-control index's
reference length (ML COP range / this) and the simulator's foot."""

ELLIPSE_LEVEL = 0.95
"""Probability content of the prediction ellipse reported as ``ellipse_area_mm2``."""


def prediction_ellipse_scale(n: int, level: float = ELLIPSE_LEVEL) -> float:
    """Scale ``k`` of the COP prediction ellipse from ``n`` samples.

    The ellipse holding a new sample with probability ``level`` is ``dᵀ S⁻¹ d ≤ k``, with
    ``S`` the sample covariance (divisor N − 1) and

    .. math:: k = \\frac{2 (N + 1)(N - 1)}{N (N - 2)} F_{level}(2, N - 2),

    where ``F_q(2, m) = (m / 2)((1 - q)^{-2/m} - 1)`` is the F quantile in closed form. Its
    area is ``π k sqrt(det S)``; for large N, ``k`` tends to ``-2 ln(1 - level)`` (5.991 at
    95 %).

    Parameters
    ----------
    n : int
        Number of samples, at least 3.
    level : float
        Probability content, 0 < level < 1.

    Returns
    -------
    float
        ``k``, dimensionless.

    References
    ----------
    Schubert P, Kirchner M (2014) Ellipse area calculations and their applicability in
    posturography. Gait Posture 39(1):518-522, doi:10.1016/j.gaitpost.2013.09.001.
    """
    if n < 3:
        raise ValueError(f"prediction ellipse from {n} samples: it needs at least 3")
    if not 0.0 < level < 1.0:
        raise ValueError(f"ellipse level is {level}; give a probability such as 0.95")
    m = n - 2
    f_q = (m / 2.0) * ((1.0 - level) ** (-2.0 / m) - 1.0)
    return float(2.0 * (n + 1) * (n - 1) / (n * (n - 2)) * f_q)


def asymmetry_pct(left: float | None, right: float | None) -> float | None:
    """Left/right asymmetry of a per-side measure, %: ``100 (L − R) / max(L, R)``.

    Positive when the left value is larger. None without both values, when either is not
    finite, or when the larger is not above zero (the ratio says nothing then).
    """
    if left is None or right is None or not (math.isfinite(left) and math.isfinite(right)):
        return None
    big = max(left, right)
    return None if big <= 0 else 100.0 * (left - right) / big
