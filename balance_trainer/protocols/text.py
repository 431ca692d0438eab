"""The words of the clinical tests: the clinician's tables and the person's sentences.

Every function here reads a :class:`~balance_trainer.results.TestResult`; the protocol classes
hand them out as their own ``table`` and ``sentences`` (so the CLI, the app, ``history`` and
the report all show a result the same way).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..constants import STANDARD_GRAVITY
from ..events import SIDES
from ..pelvis import pelvis_sentences, side_drops
from ..results import TestResult, Trial

__all__ = [
    "SCALE_LIMITS",
    "render",
    "header",
    "footer",
    "single_leg_table",
    "squat_table",
    "wbs_table",
    "single_leg_sentences",
    "squat_sentences",
    "wbs_sentences",
]

SCALE_LIMITS = (
    "What a scale can see: where the load falls under the stance foot and how it moves. "
    "What it cannot see: the pelvis itself. A drift of the load toward the lifted side is not "
    "a measured hip drop: the pelvis can drop while the load stays steady, and a trunk lean "
    "over the standing leg (a compensated Trendelenburg) moves the load the other way. Watch "
    "the pelvis, or fit the pelvis sensor (--pelvis), to see a hip drop."
)


def _fmt(v: Any, spec: str = "{:.1f}") -> str:
    return "-" if v is None else spec.format(v)


def render(result: Mapping[str, Any], title: str | None = None) -> list[str]:
    """A result in its JSON form as readable lines under ``title`` (the test's own table)."""
    r = TestResult.from_json(result)
    lines = r.table()
    if title is not None:
        lines[0] = header(r, title)
    return lines


# --- the clinician's table --------------------------------------------------------------------


def header(r: TestResult, title: str) -> str:
    """The title line: the test and what it was run with."""
    p = r.params
    bits = []
    if p.get("eyes"):
        bits.append(f"eyes {p['eyes']}")
    if p.get("max_time_s"):
        bits.append(f"max {p['max_time_s']:g} s")
    if p.get("age") is not None:
        bits.append(f"age {p['age']:g}")
    if r.body_weight_n:
        bits.append(f"body weight {r.body_weight_n / STANDARD_GRAVITY:.1f} kg")
    return title + (" (" + ", ".join(bits) + ")" if bits else "")


def footer(r: TestResult) -> list[str]:
    """What a scale can see (where the test says it), and the notes on missing data."""
    out = []
    if r.scale_limits:
        note = r.scale_limits
        if note == SCALE_LIMITS and side_drops(r):
            # The sensor was fitted: say which number is the measured drop, not to fit one.
            note = note[: note.index(" Watch the pelvis")] + (
                " The pelvis sensor's drop above is the measured one."
            )
        out += ["", "Note: " + note]
    out += [f"note: {note}" for note in r.notes]
    return out


def _grid(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [
        max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)
    ]
    fmt = "  ".join(f"{{:<{w}}}" if i < 2 else f"{{:>{w}}}" for i, w in enumerate(widths))
    out = [fmt.format(*header).rstrip(), fmt.format(*("-" * w for w in widths)).rstrip()]
    out += [fmt.format(*r).rstrip() for r in rows]
    return out


def single_leg_table(r: TestResult, drift: bool) -> list[str]:
    """Single-leg stance (``drift`` False) and hip stability (True): one row per hold."""
    if not r.trials:
        return ["no trials found"]
    header = ["trial", "side", "hold s", "stop", "ML RMS mm", "ML vel mm/s"]
    if drift:
        header += ["drift mm", "drift mm/s"]
    pelvis = any(t.pelvic_drop_mean_deg is not None for t in r.trials)
    if pelvis:
        header += ["pelvic drop °", "peak °", "pelvis"]
    rows = []
    for t in r.trials:
        row = [
            str(t.trial),
            t.stance_side or "",
            _fmt(t.hold_s),
            t.stop_reason,
            _fmt(t.metric("ml_rms_mm")),
            _fmt(t.metric("ml_mean_velocity_mm_s")),
        ]
        if drift:
            row += [
                _fmt(t.metric("ml_drift_mm"), "{:+.1f}"),
                _fmt(t.metric("ml_drift_rate_mm_s"), "{:+.2f}"),
            ]
        if pelvis:
            row += [
                _fmt(t.pelvic_drop_mean_deg, "{:+.1f}"),
                _fmt(t.pelvic_drop_peak_deg, "{:+.1f}"),
                str(t.extra.get("pelvis_pattern") or "-"),
            ]
        rows.append(row)
    out = _grid(header, rows)
    if pelvis:
        out += pelvis_sentences(r)
    for side in SIDES:
        x = r.side(side)
        if x is not None and x.trials is not None:
            out.append(
                f"{side}: best {_fmt(x.best_hold_s)} s, mean {_fmt(x.mean_hold_s)} s "
                f"({x.trials} trial{'s' if x.trials != 1 else ''})"
            )
    if r.false_starts:
        out.append(f"false starts (foot down within a second, not counted): {len(r.false_starts)}")
    a = r.asymmetry_pct
    if a is not None:
        longer = "left" if a > 0 else "right"
        out.append(
            f"asymmetry of best holds: {abs(a):.0f} %"
            + (f" (longer on the {longer})" if abs(a) >= 0.5 else "")
        )
    if drift and r.ml_drift_difference_mm is not None:
        out.append(
            f"drift toward the lifted side, left minus right stance: "
            f"{r.ml_drift_difference_mm:+.1f} mm"
        )
    norm = r.norm
    if norm is not None:
        short = _x(norm, "short_source") or norm.source.split(" Single")[0]  # as stored before
        statistic = _x(norm, "statistic")
        stat = f", {statistic}" if statistic not in (None, "mean") else ""
        line = (
            f"norm: mean {norm.mean_s:g} s for ages {norm.age_band}, eyes "
            f"{norm.eyes} ({short}{stat})"
        )
        if norm.comparison:
            line += f"; best hold {_fmt(norm.best_hold_s)} s is {norm.comparison}"
        out.append(line)
        for entry in norm.norms or ():
            if entry.get("verdict"):
                out.append(f"  {entry.get('short_source', '')}: {entry['verdict']}")
        first: Mapping[str, Any] = (norm.norms or ({},))[0]
        head = first.get("range")
        if isinstance(head, dict) and head.get("text"):
            # within / below the age range only where the norm publishes its spread
            out.append(f"age range ({first.get('short_source', '')}): {head['text']}")
        if norm.below_fall_risk_cutoff:
            who = _x(norm, "fall_risk_short_source") or "Vellas et al. 1997"
            out.append(
                f"fall risk: a hold under {norm.fall_risk_cutoff_s:g} s about doubles the risk "
                f"of an injurious fall ({who})"
            )
    elif r.params.get("age") is not None and not drift:
        out.append("norm: no published norm cited here for this age and condition")
    return out


def _x(obj: Any, name: str) -> Any:
    """A typed field, or a stored key the typed result keeps in ``extra``."""
    v = getattr(obj, name, None)
    if v is None:
        v = getattr(obj, "extra", {}).get(name)
    if v is None:
        v = getattr(obj, "summary_extra", {}).get(name)
    return v


def squat_table(r: TestResult) -> list[str]:
    """Single-leg squats: one row per repetition."""
    if not r.reps:
        return ["no repetitions found"]
    header = [
        "rep",
        "side",
        "start s",
        "bottom s",
        "end s",
        "ML range mm",
        "ML path mm",
        "% span",
        "depth mm",
    ]
    pelvis = any(x.metric("pelvic_drop_peak_deg") is not None for x in r.reps)
    if pelvis:
        header.append("peak pelvic drop °")
    rows = [
        [
            str(x.rep),
            x.stance_side,
            _fmt(x.start_s, "{:.2f}"),
            _fmt(x.bottom_s, "{:.2f}"),
            _fmt(x.end_s, "{:.2f}"),
            _fmt(x.metric("ml_range_mm")),
            _fmt(x.metric("ml_path_mm")),
            _fmt(x.metric("ml_range_pct_span"), "{:.0f}"),
            _fmt(x.metric("com_depth_mm"), "{:.0f}"),
            *([_fmt(x.metric("pelvic_drop_peak_deg"), "{:+.1f}")] if pelvis else []),
        ]
        for x in r.reps
    ]
    out = _grid(header, rows)
    if pelvis:
        out += pelvis_sentences(r)
    for side in SIDES:
        s = r.side(side)
        if s is not None:
            line = f"{side}: {s.reps} reps, mean ML range {_fmt(s.mean_ml_range_mm)} mm"
            pct = _x(s, "mean_ml_range_pct_span")
            if pct is not None:
                line += f" ({_fmt(pct, '{:.0f}')} % of the foot's cell span)"
            elif s.mean_pelvic_control_index is not None:  # stored before issue 13
                # the former index was the ML range / 45 mm: say what it is, not "pelvic"
                line += f", mean ML range / 45 mm {_fmt(s.mean_pelvic_control_index, '{:.2f}')}"
            out.append(line)
    a = _x(r, "ml_range_asymmetry_pct")
    if a is not None:
        out.append(f"ML range asymmetry: {a:+.0f} % (positive: more sway on the left)")
    elif r.pelvic_control_asymmetry_pct is not None:
        a = r.pelvic_control_asymmetry_pct
        # a ratio to a constant: its asymmetry is the ML range asymmetry
        out.append(f"ML range asymmetry: {a:+.0f} % (positive: more sway on the left)")
    out.append(
        "ML range: how far the load moved sideways under the stance foot (% span: of the "
        "stance side's cell span); lower is steadier. It is not the pelvis: see the note below"
    )
    return out


def wbs_table(r: TestResult) -> list[str]:
    """Weight-bearing symmetry: one row per trial."""
    if not r.trials:
        return ["no trial completed"]
    rows = [
        [
            str(t.trial),
            _fmt(t.duration_s),
            t.stop_reason,
            _fmt(None if t.left_share is None else 100 * t.left_share),
            _fmt(None if t.right_share is None else 100 * t.right_share),
            _fmt(t.asymmetry_pct, "{:+.1f}"),
        ]
        for t in r.trials
    ]
    return _grid(["trial", "time s", "stop", "left %", "right %", "asym %"], rows)


# --- the person's sentences -------------------------------------------------------------------


def _holds(trials: list[Trial]) -> str:
    return ", ".join(_fmt(t.hold_s) for t in trials)


def single_leg_sentences(r: TestResult, drift: bool, *, guest: bool = False) -> list[str]:
    """In plain words: the best hold per leg (and each hold), how the legs differ, and the
    drift (hip stability: of the load under the foot, never "the hip") or the norm (stance)."""
    out: list[str] = []
    for side in SIDES:
        x = r.side(side)
        if x is None or x.best_hold_s is None:
            continue
        trials = r.trials_on(side)
        n = len(trials) or x.trials or 1
        line = f"{side.capitalize()} leg: best {_fmt(x.best_hold_s)} s in "
        line += f"{n} tries" if n != 1 else "1 try"
        if len(trials) > 1:
            line += f" ({_holds(trials)} s)"
        out.append(line)
        if drift and x.mean_ml_drift_mm is not None:
            d = x.mean_ml_drift_mm
            way = "toward the lifted foot" if d > 0 else "toward the standing side"
            out.append(
                f"The load under your {side} foot drifted {abs(d):.0f} mm {way} and swayed "
                f"{_fmt(x.mean_ml_rms_mm, '{:.0f}')} mm"
            )
    a = r.asymmetry_pct
    if a is not None and len([s for s in SIDES if r.side(s) is not None]) == 2:
        longer = "left" if a > 0 else "right"
        out.append(
            f"Left and right differ by {abs(a):.0f} %"
            + (f" (longer on the {longer} leg)" if abs(a) >= 1 else "")
        )
    if not drift:
        norm = r.norm
        if norm is not None:
            verdict = {
                "at or above mean": "you are at or above the average",
                "below mean": "you are below the average",
            }.get(norm.comparison or "", "")
            out.append(
                f"The average for ages {norm.age_band}, eyes {norm.eyes}, is "
                f"{_fmt(norm.mean_s)} s" + (f": {verdict}" if verdict else "")
            )
        elif guest:
            out.append("Choose a person with a birth year to compare with the average")
        else:
            out.append("There is no published average for this age and test")
    else:
        out.append("The board feels the load under your foot; it cannot see your hips")
    return out + pelvis_sentences(r)


def squat_sentences(r: TestResult) -> list[str]:
    """In plain words: squats per leg and how far the load under the foot moved sideways."""
    out: list[str] = []
    for side in SIDES:
        x = r.side(side)
        if x is not None:
            out.append(
                f"{side.capitalize()} leg: {x.reps or 0} squats; the load under your foot "
                f"moved {_fmt(x.mean_ml_range_mm, '{:.0f}')} mm sideways (less is steadier)"
            )
    return out + pelvis_sentences(r)


def wbs_sentences(r: TestResult) -> list[str]:
    """In plain words: each foot's share of the weight, and which carries more."""
    ls, rs = r.left_share, r.right_share
    if ls is None or rs is None:
        for t in r.trials[-1:]:
            ls, rs = t.left_share, t.right_share
    if ls is None or rs is None:
        return []
    out = [f"Left foot {100 * ls:.0f} %, right foot {100 * rs:.0f} % of your weight"]
    diff = abs(100 * (ls - rs))
    if diff < 2:
        out.append("Your weight is shared evenly")
    else:
        out.append(
            f"{diff:.0f} percentage points more on your {'left' if ls > rs else 'right'} foot"
        )
    return out
