"""The report's words: per-side measures read from typed results, the norm line, a trial in a
few words, the history table and the identity block.

Part of :mod:`.report` (import from there); nothing here draws or writes a file, so the CLI's
``history`` uses it without matplotlib.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .results import NormComparison, Repetition, Trial
from .store import Person, SessionRecord, TrialRow

SIDES = ("left", "right")


@dataclass(frozen=True)
class Measure:
    """A per-side measure read from a typed result: ``key`` of each trial or repetition.

    ``source`` is where it is read (``trials``: the holds, ``reps``: the squats); ``combine``
    says how one test's entries make one value ("max": the best, "mean"); ``protocols`` are
    the tests whose results make the trend (others are only summarised, since their
    conditions differ).
    """

    title: str
    label: str
    unit: str
    key: str
    source: str
    combine: str
    protocols: tuple[str, ...]
    fmt: str = "{:.1f}"


MEASURES: dict[str, Measure] = {
    "hold": Measure(
        "Single-leg stance: best hold time",
        "best hold",
        "s",
        "hold_s",
        "trials",
        "max",
        ("single-leg-stance",),
    ),
    "sway": Measure(
        "Single-leg stance: ML sway under the stance foot (RMS)",
        "ML RMS",
        "mm",
        "ml_rms_mm",
        "trials",
        "mean",
        ("single-leg-stance",),
    ),
    "squat": Measure(
        "Single-leg squat: ML COP range under the stance foot (lower is steadier)",
        "ML range",
        "mm",
        "ml_range_mm",
        "reps",
        "mean",
        ("single-leg-squat",),
    ),
    "pelvic_drop": Measure(
        "Pelvic drop of the lifted side, mean over each hold (pelvis sensor; positive = the "
        "lifted side lower)",
        "pelvic drop",
        "deg",
        "pelvic_drop_mean_deg",
        "trials",
        "mean",
        ("hip-stability", "single-leg-stance"),
    ),
    "squat_pelvic_drop": Measure(
        "Single-leg squat: peak pelvic drop of the lifted side per repetition (pelvis sensor)",
        "peak pelvic drop",
        "deg",
        "pelvic_drop_peak_deg",
        "reps",
        "mean",
        ("single-leg-squat",),
    ),
}


def _number(v: Any) -> float | None:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return None
    return float(v) if math.isfinite(v) else None


def measure_by_side(trial: TrialRow, measure: Measure) -> dict[str, float]:
    """One value of ``measure`` per side present in the trial's result."""
    res = trial.test_result
    if res is None:
        return {}
    entries: list[Trial] | list[Repetition] = (
        list(res.trials) if measure.source == "trials" else list(res.reps)
    )
    values: dict[str, list[float]] = {}
    for e in entries:
        v = e.metric(measure.key)
        if e.stance_side in SIDES and v is not None:
            values.setdefault(e.stance_side, []).append(v)
    agg = max if measure.combine == "max" else (lambda xs: sum(xs) / len(xs))
    return {side: float(agg(vs)) for side, vs in values.items()}


def norm_text(result: Any) -> str:
    """The norm a test stored beside its result, as one readable line ('' if none).

    The tests store :class:`~balance_trainer.results.NormComparison`; a norm typed in by
    hand in another shape is shown as it is.
    """
    norm = result.get("norm") if isinstance(result, dict) else None
    if norm is None:
        return ""
    typed = NormComparison.from_json(norm)
    if typed is not None:
        where = ", ".join(x for x in (typed.age_band, typed.eyes and f"eyes {typed.eyes}") if x)
        text = f"mean hold {typed.mean_s:g} s" + (f" for {where}" if where else "")
        return text + (f" ({typed.source})" if typed.source else "")
    if not isinstance(norm, dict):
        return str(norm)
    parts = []
    for k, v in norm.items():
        if isinstance(v, dict):
            inner = ", ".join(
                f"{k2} {_fmt_any(v2)}" for k2, v2 in v.items() if not isinstance(v2, (dict, list))
            )
            parts.append(f"{k}: {inner}")
        elif not isinstance(v, list):
            parts.append(f"{k} {_fmt_any(v)}")
    return "; ".join(parts)


def _fmt_any(v: Any) -> str:
    n = _number(v)
    if n is not None:
        return f"{n:.3g}" if abs(n) < 1000 else f"{n:.0f}"
    return "—" if v is None else str(v)


def _norm_hold_s(result: Any) -> float | None:
    """The norm's mean hold: the stored comparison's, or a hand-entered ``hold_s``."""
    norm = result.get("norm") if isinstance(result, dict) else None
    typed = NormComparison.from_json(norm)
    if typed is not None:
        return typed.mean_s
    if not isinstance(norm, dict):
        return _number(norm)
    return _number(norm.get("hold_s"))


def summarize_trial(trial: TrialRow) -> str:
    """The trial's result in a few words: per side measures, else the test's first sentence,
    else the recording's sway."""
    parts = []
    for side in SIDES:
        vals = []
        for m in MEASURES.values():
            v = measure_by_side(trial, m).get(side)
            if v is not None:
                vals.append(f"{m.label} {m.fmt.format(v)} {m.unit}".rstrip())
        if vals:
            parts.append(f"{side[0].upper()}: " + ", ".join(vals))
    res = trial.test_result
    if not parts and res is not None:
        parts = res.sentences()[:1]
    if not parts and isinstance(trial.metrics, dict):
        for key, label, unit in (
            ("ml_rms_mm", "ML RMS", "mm"),
            ("ml_mean_velocity_mm_s", "ML velocity", "mm/s"),
            ("left_share", "left", ""),
        ):
            v = _number(trial.metrics.get(key))
            if v is not None:
                parts.append(
                    f"{label} {v * 100:.0f} %" if key == "left_share" else f"{label} {v:.1f} {unit}"
                )
    text = "; ".join(parts) or "no result"
    return text if trial.status == "complete" else f"{trial.status}: {text}"


def history_table(sessions: list[SessionRecord]) -> list[str]:
    """A person's sessions as a text table, oldest first: each trial with its test, status,
    duration (s) and result in a few words (:func:`summarize_trial`), and each game score."""
    out = [
        f"{'date':<16}  {'kind':<6} {'trial':>6}  {'test / game':<22} {'status':<11} "
        f"{'s':>6}  result"
    ]
    for s in sessions:
        when = s.started_at.astimezone().strftime("%Y-%m-%d %H:%M")
        if not s.trials and not s.games:
            out.append(f"{when:<16}  {s.kind:<6} {'-':>6}  {'(empty session)':<22}")
        for t in s.trials:
            dur = f"{t.duration_s:.1f}" if t.duration_s is not None else "-"
            out.append(
                f"{when:<16}  {s.kind:<6} {t.id:>6}  {t.protocol[:22]:<22} {t.status:<11} "
                f"{dur:>6}  {summarize_trial(t)}"
            )
            when = ""
        for g in s.games:
            dur = f"{g.duration_s:.1f}" if g.duration_s is not None else "-"
            level = f" (level {g.level})" if g.level is not None else ""
            out.append(
                f"{when:<16}  {s.kind:<6} {'-':>6}  {g.game[:22]:<22} {'':<11} {dur:>6}  "
                f"score {g.score:g}{level}"
            )
            when = ""
    return out


def verdict_for(t: TrialRow) -> str:
    """Each side's best hold against the norm's mean hold ('' without both)."""
    norm = _norm_hold_s(t.result)
    holds = measure_by_side(t, MEASURES["hold"])
    if norm is None or not holds:
        return ""
    return ", ".join(
        f"{side[0].upper()} {'at or above' if v >= norm else 'below'} the mean"
        for side, v in sorted(holds.items())
    )


ONE_LEG_TESTS = ("single-leg-stance", "hip-stability", "single-leg-squat")
"""The tests whose stabilograms a clinician reads: standing on one leg."""


def _stance_sides(t: TrialRow) -> list[str]:
    """The stance sides a trial recorded (from its result, else its parameters)."""
    res = t.test_result
    sides = [s.side for s in res.sides] if res is not None else []
    raw = t.result if isinstance(t.result, dict) else {}
    if not sides:  # a stored result the typed reader cannot place: its own keys
        got = raw.get("summary")
        summary: dict[str, Any] = got if isinstance(got, dict) else {}
        sides = [k for k in SIDES if k in summary]
        for e in [*(raw.get("trials") or []), *(raw.get("reps") or [])]:
            if isinstance(e, dict) and e.get("stance_side") in SIDES:
                sides.append(e["stance_side"])
    if not sides:
        side = (t.params or {}).get("side")
        sides = ["left", "right"] if side == "both" else [side] if side in SIDES else []
    return [s for s in SIDES if s in sides]


def trace_label(t: TrialRow) -> str:
    """What a stabilogram shows: the test, the leg(s), the date and the trial."""
    res = t.test_result
    title = res.title if res is not None else t.protocol
    sides = _stance_sides(t) if t.protocol in ONE_LEG_TESTS else []
    legs = f", {' and '.join(sides)} leg" + ("s" if len(sides) > 1 else "") if sides else ""
    return f"{title}{legs}, {_local(t.started_at):%Y-%m-%d %H:%M} (trial {t.id}, {t.status})"


def _local(dt: datetime) -> datetime:
    return dt.astimezone()


def identity_rows(p: Person, now: datetime) -> list[tuple[str, str]]:
    """``(label, value)`` for each identity field that was entered; the id always."""
    rows = [("Person id", p.id)]
    if p.name:
        rows.append(("Name", p.name))
    if p.birth_year is not None:
        rows.append(("Birth year", f"{p.birth_year} (age {p.age_in(now.year)} this year)"))
    for label, value in (
        ("Sex", p.sex),
        ("Height", p.height_cm and f"{p.height_cm:g} cm"),
        ("Mass", p.mass_kg and f"{p.mass_kg:g} kg"),
        ("Dominant side", p.dominant_side),
        ("Notes", p.notes),
    ):
        if value:
            rows.append((label, str(value)))
    return rows
