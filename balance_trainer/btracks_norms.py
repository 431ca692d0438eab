"""BTrackS norms: percentile tables of total COP path length, by age band and sex.

Two BTrackS protocols have published percentile tables, both of total centre-of-pressure path
length in cm over 20 s trials on the BTrackS Balance Plate (a force plate that measures AP and
ML):

**BTrackS Balance Test** (BBT): Goble & Baweja (2018), *Phys Ther* 98(9):779-785,
doi:10.1093/ptj/pzy062: 16,357 community-dwelling people aged 5-100; results depended on age
and sex but not height or weight, so percentiles are given per age category for men and women
(abstract). Goble, Rauh & Baweja (2019), *J Athl Train* 54(4):439-444,
doi:10.4085/1062-6050-178-18, state the procedure: three 20 s eyes-closed trials standing with
the feet shoulder-width apart and hands on hips, scored as the mean total COP path length of
the three (abstract).

**BTrackS mCTSIB**: Goble, Brar, Brown, Marks & Baweja (2019), *Med Devices (Auckl)*
12:183-191, doi:10.2147/MDER.S206530: 604 healthy adults aged 18-29 (308 women, 296 men), four
20 s trials (eyes open/closed, foam/no foam); percentiles by sex and condition; no relation
with body size (abstract). A 2024 study (PubMed 39671802) adds children 5-8, adolescents 9-12,
teenagers 13-17 and young adults 18-29, with the conditions named *Standard* and
*Proprioceptive* (abstract; the other two are named for the sense left to rely on: *Visual*
on foam with eyes open, *Vestibular* on foam with eyes closed).

Provenance: the reference library this build was made with holds the abstracts of these
papers, not their tables. No percentile value is entered from memory, so every table here is
empty and each says why (:attr:`NormTable.unavailable`); a result then says "norms not
available in this build: <reason>". The lookup (:func:`norm_verdict`) is complete and tested
on a table given by the test, so entering a source's values (with table and page) is all
that is left.

Path length depends on the sampling rate and the filter (Koltermann et al. 2018,
*Technologies* 6(2):56): our path comes from our own processing (80 Hz frames averaged onto a
uniform grid, 10 Hz zero-phase low-pass; ``analysis``), which the sources above do not state
for BTrackS. Check that before comparing with a BTrackS percentile.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np

from .errors import UsageError

__all__ = [
    "Sex",
    "PercentileBand",
    "NormTable",
    "NormVerdict",
    "BBT_SOURCE",
    "MCTSIB_SOURCE",
    "BBT_NORMS",
    "MCTSIB_NORMS",
    "MCTSIB_CONDITION_NAMES",
    "find_band",
    "percentile_of",
    "norm_verdict",
    "mean_of",
]


class Sex(StrEnum):
    """The sexes the BTrackS tables are split by."""

    FEMALE = "female"
    MALE = "male"


@dataclass(frozen=True)
class PercentileBand:
    """One row of a percentile table: an age band of one sex.

    Attributes
    ----------
    age_lo, age_hi : int
        Ages in whole years, both included (a band "20-29" is ``20, 29``; someone aged 29.9
        is in it, someone aged 30.0 is not).
    sex : Sex
    points : sequence of (float, float)
        ``(percentile, path_cm)`` as the source prints them; the path must change
        monotonically with the percentile (either way: the lookup does not assume which).
    where : str
        Table and page of the source the row was read from.
    """

    age_lo: int
    age_hi: int
    sex: Sex
    points: tuple[tuple[float, float], ...]
    where: str

    def __post_init__(self) -> None:
        if self.age_hi < self.age_lo:
            raise ValueError(f"age band {self.age_lo}-{self.age_hi}: the end is before the start")
        if len(self.points) < 2:
            raise ValueError("a percentile band needs at least two (percentile, path) points")
        paths = np.array([p for _, p in sorted(self.points)], dtype=float)
        d = np.diff(paths)
        if not (np.all(d > 0) or np.all(d < 0)):
            raise ValueError("path lengths must change monotonically with the percentile")

    @property
    def label(self) -> str:
        return f"{'women' if self.sex is Sex.FEMALE else 'men'} aged {self.age_lo}-{self.age_hi}"

    def contains(self, age: float) -> bool:
        return self.age_lo <= math.floor(age) <= self.age_hi


@dataclass(frozen=True)
class NormTable:
    """A source's percentile table for one protocol (and condition).

    ``unavailable`` says why ``bands`` is empty (None when it is filled in).
    """

    name: str
    source: str
    bands: tuple[PercentileBand, ...] = ()
    unavailable: str | None = None


@dataclass(frozen=True)
class NormVerdict:
    """Where a path length falls in a norm table, or why it cannot be placed.

    Attributes
    ----------
    percentile : float or None
        The person's percentile as the source defines it (interpolated linearly in path
        length between the printed points); None when there is no norm.
    beyond : str or None
        ``"below"`` or ``"above"`` when the path lies outside the printed points (the
        percentile is then the nearest printed one).
    band : str or None
        The row used, in words (``women aged 20-29``).
    source : str
        The source and where in it.
    reason : str or None
        Why there is no percentile (one line), None when there is one.
    """

    percentile: float | None
    beyond: str | None
    band: str | None
    source: str
    reason: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "percentile": self.percentile,
            "beyond": self.beyond,
            "band": self.band,
            "source": self.source,
            "reason": self.reason,
        }

    @classmethod
    def from_json(cls, d: Any) -> NormVerdict | None:
        if not isinstance(d, Mapping):
            return None
        p = d.get("percentile")
        return cls(
            percentile=float(p) if isinstance(p, (int, float)) else None,
            beyond=d.get("beyond") if isinstance(d.get("beyond"), str) else None,
            band=d.get("band") if isinstance(d.get("band"), str) else None,
            source=str(d.get("source") or ""),
            reason=d.get("reason") if isinstance(d.get("reason"), str) else None,
        )


BBT_SOURCE = (
    "Goble & Baweja 2018, Phys Ther 98(9):779-785 (n = 16,357, ages 5-100, percentiles by "
    "age and sex)"
)
MCTSIB_SOURCE = (
    "Goble et al. 2019, Med Devices (Auckl) 12:183-191 (adults 18-29, n = 604, percentiles by "
    "sex and condition); developmental ages 5-29: PubMed 39671802 (2024)"
)
_NOT_IN_LIBRARY = (
    "only the abstract of {what} was in the reference library this build was made with, not "
    "its percentile tables, and no value is entered from memory"
)

BBT_NORMS = NormTable(
    name="btracks-balance",
    source=BBT_SOURCE,
    unavailable=_NOT_IN_LIBRARY.format(what="Goble & Baweja 2018"),
)
"""The BTrackS Balance Test table (empty in this build: see the module docstring)."""

MCTSIB_CONDITION_NAMES = {
    "eo_firm": "standard",
    "ec_firm": "proprioceptive",
    "eo_foam": "visual",
    "ec_foam": "vestibular",
}
"""BTrackS's name for each mCTSIB condition (the sense the person is left to rely on most)."""

MCTSIB_NORMS = {
    key: NormTable(
        name=f"mctsib:{name}",
        source=MCTSIB_SOURCE,
        unavailable=_NOT_IN_LIBRARY.format(what="Goble et al. 2019 or the 2024 tables"),
    )
    for key, name in MCTSIB_CONDITION_NAMES.items()
}
"""The BTrackS mCTSIB tables per condition key (empty in this build)."""


def _sex(sex: str | None) -> Sex | None:
    if sex is None:
        return None
    try:
        return Sex(sex)
    except ValueError:
        raise UsageError(f"sex {sex!r}: use female or male, or leave it unknown") from None


def find_band(table: NormTable, age: float, sex: str) -> PercentileBand | None:
    """The row of ``table`` for ``age`` (years) and ``sex``; None where the table has none.

    Raises
    ------
    UsageError
        An age outside 0-120 or an unknown sex.
    """
    if not (isinstance(age, (int, float)) and math.isfinite(age) and 0 <= age <= 120):
        raise UsageError(f"age {age!r}: give the person's age in years (0-120)")
    s = _sex(sex)
    for band in table.bands:
        if band.sex is s and band.contains(float(age)):
            return band
    return None


def percentile_of(band: PercentileBand, path_cm: float) -> tuple[float, str | None]:
    """The percentile of ``path_cm`` in ``band``: linear between the printed points.

    Returns
    -------
    (float, str or None)
        The percentile, and ``"below"``/``"above"`` when ``path_cm`` is outside the printed
        path lengths (the percentile is then the nearest printed one).
    """
    pts = sorted(band.points, key=lambda p: p[1])
    paths = np.array([p for _, p in pts], dtype=float)
    pcts = np.array([q for q, _ in pts], dtype=float)
    beyond = None
    if path_cm < paths[0]:
        beyond = "below"
    elif path_cm > paths[-1]:
        beyond = "above"
    return float(np.interp(path_cm, paths, pcts)), beyond


def norm_verdict(
    table: NormTable, path_cm: float | None, age: float | None, sex: str | None
) -> NormVerdict:
    """``path_cm`` against ``table`` for a person of ``age`` and ``sex``.

    Every way of having no percentile gives a verdict with a one-line ``reason``: the table
    is empty in this build, no path, no age, no sex, no row for that age.

    Raises
    ------
    UsageError
        A bad age or sex.
    """
    src = table.source

    def none(reason: str) -> NormVerdict:
        return NormVerdict(None, None, None, src, reason)

    if not table.bands:
        return none(f"norms not available in this build: {table.unavailable or 'no table'}")
    if path_cm is None or not math.isfinite(path_cm):
        return none("no path length to compare")
    if age is None:
        return none("age unknown: choose a person with a birth year (or give --age)")
    if sex == "other":
        return none("the table is split into women and men only, so no row fits")
    s = _sex(sex)
    if s is None:
        return none("sex unknown: the table is split by sex; enter it for the person")
    band = find_band(table, age, s)
    if band is None:
        ages = sorted({(b.age_lo, b.age_hi) for b in table.bands})
        span = f"{ages[0][0]}-{ages[-1][1]}"
        return none(f"no row for age {age:g} in {table.name} (the table covers {span})")
    pct, beyond = percentile_of(band, path_cm)
    return NormVerdict(pct, beyond, band.label, f"{src}, {band.where}", None)


def mean_of(values: Sequence[float | None]) -> float | None:
    """The mean of ``values``; None if any is missing (a score needs every trial)."""
    if not values or any(v is None for v in values):
        return None
    return float(np.mean([v for v in values if v is not None]))
