"""Trends over sessions with a minimal detectable change (MDC) beside each.

A measure repeated over sessions changes from one to the next by measurement error alone.
"Better than last time" and "worse than last time" are said only when the change is larger
than the measure's minimal detectable change at 95 % confidence; otherwise the words are
"no real change (within MDC x)". Without an MDC no direction is called.

Where the MDC comes from (``MdcBasis``), in this order:

published
    A test-retest MDC95 from a named study, for the measure as this product computes it:
    single-leg stance time, Goldberg et al. 2011, MDC95 24.1 s (25 community-dwelling adults
    aged 60-89; :data:`balance_trainer.norms.PUBLISHED_MDC`). No published MDC was found for
    the ML COP RMS under the stance foot, the squat's stance-foot ML range or the pelvic drop
    as measured here, so those use the person's own trials.
own trials
    From the person's repeated trials (the 3 holds of a side, the repetitions of a squat set),
    pooled over every stored session: ``SEM = sqrt(Σ_s Σ_i (x_si − x̄_s)² / Σ_s (n_s − 1))`` (the
    within-session SD) and ``MDC95 = 1.96 · √2 · SEM`` (Weir 2005;
    :func:`balance_trainer.norms.mdc95_from_trials`). It is the MDC of one trial, applied to
    the side's value (a best or a mean of trials) unchanged: the mean of *n* trials has the
    smaller error SEM/√n, but the within-session SD leaves out day-to-day variation, which a
    true test-retest MDC includes, so the larger single-trial value is the safer of the two.

References
----------
Goldberg A, Casby A, Wasielewski M (2011) Minimum detectable change for single-leg-stance-time
in older adults. Gait Posture 33(4):737-739.
Weir JP (2005) Quantifying test-retest reliability using the intraclass correlation
coefficient and the SEM. J Strength Cond Res 19(1):231-240, doi:10.1519/15184.1.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from .norms import PUBLISHED_MDC, SOURCES, mdc95_from_trials
from .records import TrialRow

__all__ = [
    "MdcBasis",
    "Direction",
    "Mdc",
    "TrendStep",
    "HIGHER_IS_BETTER",
    "measure_mdc",
    "judge_change",
    "trend_steps",
    "side_repeats",
    "measure_trends",
    "trends_json",
    "all_trends",
    "trend_lines",
    "trend_rows",
    "TrendRow",
    "TREND_HEADING",
    "Trends",
]

SIDES = ("left", "right")


class MdcBasis(StrEnum):
    """Where an MDC comes from."""

    PUBLISHED = "published"
    OWN_TRIALS = "own trials"


class Direction(StrEnum):
    """What a change between two sessions means."""

    BETTER = "better"
    WORSE = "worse"
    NO_REAL_CHANGE = "no real change"
    REAL_CHANGE = "real change"
    """Beyond the MDC, for a measure whose better direction is not set."""
    UNKNOWN = "not judged"


HIGHER_IS_BETTER: dict[str, bool] = {
    "hold_s": True,
    "ml_rms_mm": False,
    "ml_range_mm": False,
    "pelvic_drop_mean_deg": False,
    "pelvic_drop_peak_deg": False,
}
"""Which way is better, per measure key (a longer hold; less sway, range or drop). A measure
not listed is never called better or worse, only a real change or not."""


@dataclass(frozen=True)
class Mdc:
    """A minimal detectable change (95 %) in the measure's unit, and where it comes from.

    ``source`` is a short citation (published) or how it was computed (own trials);
    ``sessions`` and ``dof`` are the sessions and degrees of freedom behind an own-trials MDC.
    """

    value: float
    unit: str
    basis: MdcBasis
    source: str
    sessions: int = 0
    dof: int = 0

    def label(self) -> str:
        """``MDC 24.1 s, published: Goldberg et al. 2011 ...`` for a line of text."""
        return f"MDC {_fmt(self.value)} {self.unit}".rstrip() + f"; {self.basis}: {self.source}"

    def to_json(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "unit": self.unit,
            "basis": str(self.basis),
            "source": self.source,
            "sessions": self.sessions,
            "dof": self.dof,
        }


@dataclass(frozen=True)
class TrendStep:
    """One session's value of a measure on one side, against the session before."""

    when: datetime
    value: float
    previous: float | None
    change: float | None
    direction: Direction | None
    text: str

    def to_json(self) -> dict[str, Any]:
        return {
            "when": self.when.isoformat(),
            "value": self.value,
            "previous": self.previous,
            "change": self.change,
            "verdict": None if self.direction is None else str(self.direction),
            "text": self.text,
        }


def _fmt(v: float) -> str:
    return f"{v:.3g}" if abs(v) < 100 else f"{v:.0f}"


def measure_mdc(key: str, unit: str, repeats: Iterable[Sequence[float]]) -> Mdc | None:
    """The MDC for measure ``key``: the published one if listed, else the own-trials one.

    Parameters
    ----------
    key : str
        The measure's key (``hold_s``, ``ml_rms_mm`` ...).
    unit : str
        Its unit, for the text.
    repeats : iterable of sequences of float
        Each session's repeated trials of the measure (one side).

    Returns
    -------
    Mdc or None
        None when nothing is published and no session has two trials.
    """
    pub = PUBLISHED_MDC.get(key)
    if pub is not None:
        src = SOURCES[pub.source_key]
        return Mdc(
            pub.mdc95, pub.unit, MdcBasis.PUBLISHED, f"{src.short} ({src.where}), {pub.population}"
        )
    sessions = [list(r) for r in repeats]
    usable = [r for r in sessions if len(r) >= 2]
    value = mdc95_from_trials(usable)
    if value is None:
        return None
    dof = sum(len(r) - 1 for r in usable)
    how = (
        f"1.96·√2·SEM, SEM = within-session SD of your own trials "
        f"({len(usable)} session{'s' if len(usable) != 1 else ''}, {dof} df)"
    )
    return Mdc(value, unit, MdcBasis.OWN_TRIALS, how, sessions=len(usable), dof=dof)


def judge_change(
    previous: float,
    current: float,
    mdc: Mdc | None,
    *,
    higher_is_better: bool | None,
    unit: str = "",
) -> tuple[Direction, str]:
    """The verdict on a change and its words.

    ``better than last time`` / ``worse than last time`` only when ``|change| > MDC``;
    ``no real change (within MDC x)`` otherwise; ``change not judged`` without an MDC.
    """
    change = current - previous
    head = f"{change:+.3g} {unit}".rstrip()
    if mdc is None:
        return Direction.UNKNOWN, (
            f"{head}: change not judged (no MDC yet: it needs a published one or two or more "
            "trials in a session)"
        )
    size = f"MDC {_fmt(mdc.value)} {mdc.unit}".rstrip()
    if abs(change) <= mdc.value:
        return Direction.NO_REAL_CHANGE, f"{head}: no real change (within {size})"
    if higher_is_better is None:  # a measure with no agreed better direction
        return Direction.REAL_CHANGE, (
            f"{head}: a real change (more than {size}); which way is better is not set"
        )
    better = (change > 0) == higher_is_better
    word = "better" if better else "worse"
    return (Direction.BETTER if better else Direction.WORSE), (
        f"{head}: {word} than last time (more than {size})"
    )


def trend_steps(
    series: Sequence[tuple[datetime, float]],
    mdc: Mdc | None,
    *,
    higher_is_better: bool | None,
    unit: str = "",
) -> list[TrendStep]:
    """Each value of a series, oldest first, with its change from the one before and the
    verdict (the first value has none)."""
    out: list[TrendStep] = []
    prev: float | None = None
    for when, value in series:
        if prev is None:
            out.append(TrendStep(when, value, None, None, None, "first result"))
        else:
            d, text = judge_change(prev, value, mdc, higher_is_better=higher_is_better, unit=unit)
            out.append(TrendStep(when, value, prev, value - prev, d, text))
        prev = value
    return out


def _number(v: Any) -> float | None:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return None
    return float(v) if math.isfinite(v) else None


def side_repeats(trial: TrialRow, key: str, source: str) -> dict[str, list[float]]:
    """Each side's repeated values of ``key`` in one stored test: its trials (``source``
    ``trials``) or its squat repetitions (``reps``)."""
    res = trial.test_result
    if res is None:
        return {}
    entries = list(res.trials) if source == "trials" else list(res.reps)
    out: dict[str, list[float]] = {}
    for e in entries:
        v = _number(e.metric(key))
        if e.stance_side in SIDES and v is not None:
            out.setdefault(e.stance_side, []).append(v)
    return out


def measure_trends(
    trials: Sequence[TrialRow],
    *,
    key: str,
    source: str,
    combine: str,
    protocols: Sequence[str],
    unit: str,
) -> dict[str, tuple[Mdc | None, list[TrendStep], dict[int, TrendStep]]]:
    """One measure's trend per side over a person's stored tests, with its MDC.

    Parameters
    ----------
    trials : sequence of TrialRow
        The person's stored tests, any order; only complete ones of ``protocols`` count.
    key, source, combine : str
        The measure (``hold_s`` ...), where it is read (``trials`` or ``reps``) and how a
        test's entries make one value (``max`` or ``mean``).
    protocols : sequence of str
        The tests whose results make this trend.
    unit : str

    Returns
    -------
    dict
        Per side: ``(mdc, steps, by_trial_id)``, steps oldest first.
    """
    higher = HIGHER_IS_BETTER.get(key)  # None: never called better or worse
    rows = sorted(
        (t for t in trials if t.status == "complete" and t.protocol in protocols),
        key=lambda t: (t.started_at, t.id),
    )
    per_side: dict[str, list[tuple[TrialRow, list[float]]]] = {}
    for t in rows:
        for side, values in side_repeats(t, key, source).items():
            per_side.setdefault(side, []).append((t, values))
    out: dict[str, tuple[Mdc | None, list[TrendStep], dict[int, TrendStep]]] = {}
    for side in SIDES:
        got = per_side.get(side)
        if not got:
            continue
        mdc = measure_mdc(key, unit, [v for _, v in got])
        series = [(t.started_at, _combine(v, combine)) for t, v in got]
        steps = trend_steps(series, mdc, higher_is_better=higher, unit=unit)
        out[side] = (mdc, steps, {t.id: s for (t, _), s in zip(got, steps, strict=True)})
    return out


def _combine(values: Sequence[float], how: str) -> float:
    return max(values) if how == "max" else sum(values) / len(values)


def trends_json(trends: Mapping[str, Mapping[str, Any]], trial_id: int) -> dict[str, Any]:
    """What the trends say about one stored test: per measure and side, its step and MDC."""
    out: dict[str, Any] = {}
    for name, sides in trends.items():
        for side, (mdc, _, by_id) in sides.items():
            step = by_id.get(trial_id)
            if step is None:
                continue
            entry = step.to_json()
            entry["mdc"] = None if mdc is None else mdc.to_json()
            out.setdefault(name, {})[side] = entry
    return out


class MeasureSpec(Protocol):
    """What a trend needs to know of a measure (:class:`balance_trainer.report.Measure`)."""

    @property
    def label(self) -> str: ...
    @property
    def unit(self) -> str: ...
    @property
    def key(self) -> str: ...
    @property
    def source(self) -> str: ...
    @property
    def combine(self) -> str: ...
    @property
    def protocols(self) -> tuple[str, ...]: ...
    @property
    def fmt(self) -> str: ...


Trends = dict[str, dict[str, tuple[Mdc | None, list[TrendStep], dict[int, TrendStep]]]]
"""Per measure name, per side: ``(mdc, steps oldest first, step by stored test id)``."""


def all_trends(trials: Sequence[TrialRow], measures: Mapping[str, MeasureSpec]) -> Trends:
    """Every measure's trend per side (measures with no values are left out)."""
    out: Trends = {}
    for name, m in measures.items():
        got = measure_trends(
            trials,
            key=m.key,
            source=m.source,
            combine=m.combine,
            protocols=m.protocols,
            unit=m.unit,
        )
        if got:
            out[name] = got
    return out


@dataclass(frozen=True)
class TrendRow:
    """One measure on one side as the history and the report show it."""

    measure: str
    side: str
    unit: str
    values: str
    last: str
    mdc: str


def trend_rows(trends: Trends, measures: Mapping[str, MeasureSpec]) -> list[TrendRow]:
    """Per measure and side: the values over time (the last six), the last change's verdict,
    and the MDC with where it comes from."""
    out: list[TrendRow] = []
    for name, sides in trends.items():
        m = measures[name]
        for side, (mdc, steps, _) in sides.items():
            values = ", ".join(m.fmt.format(s.value) for s in steps[-6:])
            more = "..., " if len(steps) > 6 else ""
            last = steps[-1]
            verdict = last.text if last.previous is not None else "one result so far"
            where = mdc.label() if mdc is not None else "no MDC yet"
            out.append(TrendRow(m.label, side, m.unit, more + values, verdict, where))
    return out


TREND_HEADING = (
    "Changes since last time (better/worse only beyond the minimal detectable change, MDC95):"
)


def trend_lines(trends: Trends, measures: Mapping[str, MeasureSpec]) -> list[str]:
    """The trends as text lines, under :data:`TREND_HEADING` ([] without any)."""
    rows = trend_rows(trends, measures)
    if not rows:
        return []
    return [TREND_HEADING] + [
        f"  {r.measure}, {r.side} ({r.unit}): {r.values} | last: {r.last} | {r.mdc}" for r in rows
    ]
