"""How much the simulated person sways, by age and condition, fitted to published data.

**Quiet stance** (both feet) is fitted to the HBEDB trials shipped in ``tests/data/hbedb``
(Santos & Duarte 2016, doi:10.7717/peerj.2648; 60 s at 100 Hz): two young adults (33 and 49
years, 8 trials) and two older adults (62 and 75 years, 12 trials), eyes open and closed, on
the firm plate and on foam. The targets are each group's range over its trials, computed from
the files by ``benchmarks/bench_simulator_fit.py`` (which prints the fit table) and checked by
``tests/hardware/test_sway_fit.py``: ellipse area (95 % prediction ellipse), planar mean
velocity, ML RMS, AP RMS. Eyes-open firm, for example: young 75-94 mm², 6.2-8.6 mm/s, ML RMS
1.69-1.77 mm; older 258-1369 mm², 9.2-28.3 mm/s, ML RMS 2.7-7.2 mm.

The simulator's model (:mod:`hardware.person_model`) is linear in its two noise sources per
axis: the fast motor noise sets mostly the velocity, the slow "rambling" reference mostly the
amplitude. :data:`QUIET_FIT` holds, per group and condition, multipliers on the eyes-open
settings ``BOTH_ML`` / ``BOTH_AP`` (noise and rambling per axis), found by the fit script's
``--tune`` (a few multiplicative steps toward the geometric middle of each target range).

**Single-leg stance** has no HBEDB trials. Older adults are set below the faller cut-offs of
Oliveira et al. 2018 (doi:10.1371/journal.pone.0203887: 170 adults, mean age 67, three 30 s
one-legged stances eyes open; fallers lie above 10.3 cm² of COP area, 3.4 cm/s ML and
2.9 cm/s AP velocity), i.e. like their non-fallers: ML 28 mm/s, AP 24 mm/s, ≈ 630 mm².
Young adults on one leg are set about a quarter lower (ML 21 mm/s, AP 18 mm/s, ML RMS
4.3 mm): an assumption, not a fit (no young single-leg figures could be checked against a
source here); measure young adults on one leg to replace it. Eyes closed and foam on one leg
scale the single-leg setting as they scale quiet stance for that group (an extrapolation).

**Age**: HBEDB's groups are < 60 and ≥ 60 years. The young fit applies up to 55 years, the
older fit from 65; in between the multipliers blend log-linearly (an interpolation, not data).
"""

from __future__ import annotations

import math

from .person_model import BOTH_AP, BOTH_ML, SINGLE_AP, SINGLE_ML, AxisControl, Controls

EYES = ("open", "closed")
SURFACES = ("firm", "foam")
YOUNG_UNTIL = 55.0
"""Up to this age (years) the young fit applies."""
OLD_FROM = 65.0
"""From this age (years) the older adults' fit applies."""

QUIET_FIT: dict[tuple[str, str, str], tuple[float, float, float, float]] = {
    # (group, eyes, surface): (ML noise, ML rambling, AP noise, AP rambling) multipliers,
    # from `bench_simulator_fit.py --tune --seeds 6 --steps 5`
    ("young", "open", "firm"): (0.570, 0.575, 0.554, 0.519),
    ("young", "closed", "firm"): (0.654, 0.540, 0.554, 0.538),
    ("young", "open", "foam"): (2.416, 1.413, 1.746, 0.996),
    ("young", "closed", "foam"): (2.253, 3.236, 1.985, 1.172),
    ("old", "open", "firm"): (1.057, 1.649, 1.342, 1.972),
    ("old", "closed", "firm"): (1.830, 1.253, 1.984, 1.846),
    ("old", "open", "foam"): (3.565, 3.631, 3.145, 2.319),
    ("old", "closed", "foam"): (5.181, 7.338, 5.084, 3.735),
}
"""Quiet-stance multipliers per HBEDB group and condition (from ``--tune``)."""

SINGLE_FIT: dict[str, tuple[float, float, float, float]] = {
    # group: (ML noise, ML rambling, AP noise, AP rambling) multipliers, eyes open, firm.
    # Older: ML 28 mm/s, AP 24 mm/s, ellipse ≈ 630 mm² (below Oliveira 2018's 34, 29 mm/s and
    # 1030 mm²); young: ML 21 mm/s, AP 18 mm/s, ellipse ≈ 370 mm² (assumed, see above).
    "young": (0.602, 0.679, 0.507, 1.445),
    "old": (0.803, 0.905, 0.676, 1.737),
}
"""Single-leg multipliers, eyes open on the firm board (see the module docstring)."""


def old_weight(age_years: float) -> float:
    """How far ``age_years`` is along from the young fit (0) to the older fit (1)."""
    return min(1.0, max(0.0, (age_years - YOUNG_UNTIL) / (OLD_FROM - YOUNG_UNTIL)))


def _blend(young: tuple[float, ...], old: tuple[float, ...], w: float) -> tuple[float, ...]:
    return tuple(
        math.exp((1 - w) * math.log(a) + w * math.log(b)) for a, b in zip(young, old, strict=True)
    )


def _scaled(base: AxisControl, noise: float, ramble: float) -> AxisControl:
    return base.scaled(noise=noise, ramble=ramble)


def controls_for(age_years: float, eyes: str = "open", surface: str = "firm") -> Controls:
    """The person's axis settings for ``age_years`` standing with ``eyes`` on ``surface``."""
    w = old_weight(age_years)
    quiet = _blend(QUIET_FIT[("young", eyes, surface)], QUIET_FIT[("old", eyes, surface)], w)
    base = _blend(QUIET_FIT[("young", "open", "firm")], QUIET_FIT[("old", "open", "firm")], w)
    single = _blend(SINGLE_FIT["young"], SINGLE_FIT["old"], w)
    # On one leg the condition scales the sway as it scales quiet stance (an extrapolation).
    cond = tuple(q / b for q, b in zip(quiet, base, strict=True))
    one = tuple(s * c for s, c in zip(single, cond, strict=True))
    return Controls(
        both_ml=_scaled(BOTH_ML, quiet[0], quiet[1]),
        both_ap=_scaled(BOTH_AP, quiet[2], quiet[3]),
        single_ml=_scaled(SINGLE_ML, one[0], one[1]),
        single_ap=_scaled(SINGLE_AP, one[2], one[3]),
    )


def condition_ratio(
    age_years: float, base: tuple[str, str], eyes: str, surface: str
) -> tuple[float, float, float, float]:
    """Quiet-stance multipliers (ML noise, ML rambling, AP noise, AP rambling) that take a
    person of ``age_years`` from the ``base`` (eyes, surface) condition to ``eyes`` on
    ``surface``."""
    w = old_weight(age_years)
    to = _blend(QUIET_FIT[("young", eyes, surface)], QUIET_FIT[("old", eyes, surface)], w)
    b = _blend(QUIET_FIT[("young", *base)], QUIET_FIT[("old", *base)], w)
    r = tuple(x / y for x, y in zip(to, b, strict=True))
    return (r[0], r[1], r[2], r[3])
