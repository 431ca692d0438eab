"""One person's progress report for a clinician and the patient: PDF or self-contained HTML.

Contents, in order:

1. **Identity**: what was entered for the person (the pseudonymous id always; name, birth
   year, sex, height, mass, dominant side and notes only where entered).
2. **Latest result of each test** against its norm, as the test stored it (``result["norm"]``).
3. **Trends over sessions**: hold time, ML sway under the stance foot and squat control, each
   per side; game scores.
4. **Left/right comparison** of the latest values, with the asymmetry 100 (L − R) / max(L, R).
5. **Stabilogram** (ML and AP COP against time; AP left out when the board cannot measure it)
   and **statokinesigram** with its 95 % prediction ellipse (Schubert & Kirchner 2014,
   doi:10.1016/j.gaitpost.2013.09.001) for the latest trials with frames. Without AP the second
   panel shows the load on each foot instead.

Results are read as typed values (:attr:`TrialRow.test_result`, results of any schema the
store holds), and nothing is assumed to be there: whatever is missing is left out of the
report, never shown as zero.

Plots use matplotlib's Agg back end (no display needed) and stay readable printed in black and
white: the left side is a solid black line with filled circles, the right a dashed grey line
with open squares, bars of the right side are hatched.
"""

from __future__ import annotations

import base64
import html
import io
import math
import os
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from .balance import BalanceModel
from .constants import ELLIPSE_LEVEL, prediction_ellipse_scale
from .constants import asymmetry_pct as asymmetry_pct
from .errors import StoreUnavailableError, UsageError
from .plotstyle import SIDE_HATCH, SIDE_STYLE
from .plotstyle import pyplot as _plt
from .results import NormComparison, Repetition, Trial
from .store import Person, SessionRecord, Store, TrialRow

Progress = Callable[[int, int, str], None]
SIDES = ("left", "right")
MAX_PLOT_POINTS = 4000
"""Traces are thinned to about this many points for drawing; measures use every sample."""


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


# --- reading results ---------------------------------------------------------------------------


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


# --- gathering ---------------------------------------------------------------------------------


@dataclass
class Trace:
    """COP of one stored trial, ready to draw. Times from the trial's start, s; COP in mm."""

    trial: TrialRow
    t_s: np.ndarray
    ml_mm: np.ndarray
    ap_mm: np.ndarray | None
    left_n: np.ndarray
    right_n: np.ndarray


@dataclass
class LatestRow:
    protocol: str
    when: datetime
    summary: str
    norm: str
    verdict: str


@dataclass
class ReportData:
    """Everything a report shows, gathered from the store."""

    person: Person
    generated_at: datetime
    sessions: list[SessionRecord]
    latest: list[LatestRow] = field(default_factory=list)
    trends: dict[str, dict[str, list[tuple[datetime, float]]]] = field(default_factory=dict)
    games: dict[str, list[tuple[datetime, float]]] = field(default_factory=dict)
    latest_by_side: dict[str, dict[str, float]] = field(default_factory=dict)
    traces: list[Trace] = field(default_factory=list)

    @property
    def trials(self) -> list[TrialRow]:
        return [t for s in self.sessions for t in s.trials]


def gather(store: Store, pid: str, *, n_traces: int = 3, now: datetime | None = None) -> ReportData:
    """Read what the report needs: the history, and frames of the ``n_traces`` latest trials."""
    person = store.get_person(pid)
    data = ReportData(person, now or datetime.now().astimezone(), store.history(pid))
    trials = sorted(data.trials, key=lambda t: (t.started_at, t.id))
    latest: dict[str, TrialRow] = {}
    for t in trials:
        if t.status == "complete" or t.protocol not in latest:
            latest[t.protocol] = t
    for proto, t in sorted(latest.items()):
        data.latest.append(
            LatestRow(proto, t.started_at, summarize_trial(t), norm_text(t.result), verdict_for(t))
        )
    for key, m in MEASURES.items():
        series: dict[str, list[tuple[datetime, float]]] = {}
        for t in trials:
            if t.status != "complete" or t.protocol not in m.protocols:
                continue
            for side, v in measure_by_side(t, m).items():
                series.setdefault(side, []).append((t.started_at, v))
                data.latest_by_side.setdefault(key, {})[side] = v
        if series:
            data.trends[key] = series
    for s in data.sessions:
        for g in s.games:
            data.games.setdefault(g.game, []).append((g.created_at, g.score))
    data.traces = [_trace(store, t) for t in _trace_trials(trials, n_traces)]
    return data


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


def _trace_trials(trials: list[TrialRow], n: int) -> list[TrialRow]:
    """The one-leg trials, the latest complete one per stance side, newest first (a trial of
    both legs serves both); without any, the latest trials with frames, one per protocol."""
    with_frames = [t for t in reversed(trials) if t.n_frames > 1]
    chosen: list[TrialRow] = []
    for side in SIDES:
        for t in with_frames:
            if t.protocol in ONE_LEG_TESTS and t.status == "complete" and side in _stance_sides(t):
                if t not in chosen:
                    chosen.append(t)
                break
    if chosen:
        return chosen[:n]
    seen: set[str] = set()
    for t in with_frames:
        if len(chosen) < n and t.protocol not in seen:
            chosen.append(t)
            seen.add(t.protocol)
    for t in with_frames:
        if len(chosen) < n and t not in chosen:
            chosen.append(t)
    return chosen


def trace_label(t: TrialRow) -> str:
    """What a stabilogram shows: the test, the leg(s), the date and the trial."""
    res = t.test_result
    title = res.title if res is not None else t.protocol
    sides = _stance_sides(t) if t.protocol in ONE_LEG_TESTS else []
    legs = f", {' and '.join(sides)} leg" + ("s" if len(sides) > 1 else "") if sides else ""
    return f"{title}{legs}, {_local(t.started_at):%Y-%m-%d %H:%M} (trial {t.id}, {t.status})"


def _trace(store: Store, trial: TrialRow) -> Trace:
    t, f, board = store.trial_frames(trial.id)
    b = BalanceModel(board).compute(t, f)
    ap = b.cop_ap_mm if board.has_ap_spacing and np.isfinite(b.cop_ap_mm).any() else None
    return Trace(trial, t - t[0], b.cop_ml_mm, ap, b.left_n, b.right_n)


# --- plots -------------------------------------------------------------------------------------


def ellipse_geometry(
    ml: np.ndarray, ap: np.ndarray, level: float = ELLIPSE_LEVEL
) -> tuple[float, float, float, float, float, float]:
    """Prediction ellipse ``(centre_ml, centre_ap, width, height, angle_deg, area)``, mm.

    The same ellipse as :func:`balance_trainer.metrics.ellipse_area_mm2`: covariance with
    divisor N − 1 scaled by ``k = 2 (N+1)(N-1) / (N (N-2)) · F_level(2, N-2)``; the axes are
    ``2 sqrt(k λ)`` for the covariance's eigenvalues λ, so the area is ``π k sqrt(det S)``.
    """
    x = np.asarray(ml, dtype=float)
    y = np.asarray(ap, dtype=float)
    n = x.size
    cov = np.cov(np.vstack([x, y]), ddof=1)
    k = prediction_ellipse_scale(n, level)
    lam, vec = np.linalg.eigh(cov)
    lam = np.clip(lam, 0.0, None)
    angle = math.degrees(math.atan2(vec[1, 1], vec[0, 1]))
    width, height = 2 * math.sqrt(k * lam[1]), 2 * math.sqrt(k * lam[0])
    return (
        float(x.mean()),
        float(y.mean()),
        width,
        height,
        angle,
        math.pi * k * math.sqrt(lam[0] * lam[1]),
    )


def _thin(*arrays: np.ndarray) -> list[np.ndarray]:
    n = arrays[0].size
    step = max(1, math.ceil(n / MAX_PLOT_POINTS))
    return [a[::step] for a in arrays]


def _date_axis(ax: Any) -> None:
    import matplotlib.dates as mdates

    loc = mdates.AutoDateLocator(minticks=3, maxticks=7)  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_locator(loc)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(loc))  # type: ignore[no-untyped-call]


def _date_span(data: ReportData) -> tuple[datetime, datetime]:
    dates = [d for series in data.trends.values() for pts in series.values() for d, _ in pts]
    dates += [d for pts in data.games.values() for d, _ in pts]
    if not dates:
        return data.generated_at - timedelta(days=1), data.generated_at
    lo, hi = min(dates), max(dates)
    pad = max((hi - lo) * 0.05, timedelta(hours=12))
    return lo - pad, hi + pad


def trends_figure(data: ReportData) -> Any:
    """Per-side trends over sessions (and game scores), one panel per measure."""
    plt = _plt()
    panels = [k for k in MEASURES if k in data.trends] + (["games"] if data.games else [])
    fig, axes = plt.subplots(
        max(1, len(panels)), 1, figsize=(8.0, 2.4 * max(1, len(panels)) + 0.6), squeeze=False
    )
    fig.suptitle("Trends over sessions")
    if not panels:
        axes[0, 0].axis("off")
        axes[0, 0].text(0.5, 0.5, "No completed tests or games yet.", ha="center", va="center")
    span = _date_span(data)
    for ax, key in zip(axes[:, 0], panels, strict=False):
        if key == "games":
            styles = ["-", "--", ":", "-."]
            markers = ["o", "s", "^", "D"]
            for i, (game, pts) in enumerate(sorted(data.games.items())):
                d, v = zip(*pts, strict=True)
                ax.plot(
                    d,
                    v,
                    color="black",
                    linestyle=styles[i % 4],
                    marker=markers[i % 4],
                    markerfacecolor="white" if i % 2 else "black",
                    label=game,
                )
            ax.set_ylabel("score")
            ax.set_title("Game scores", fontsize=10, loc="left")
        else:
            m = MEASURES[key]
            for side in SIDES:
                line = data.trends[key].get(side)
                if line:
                    d, v = zip(*line, strict=True)
                    ax.plot(d, v, label=side, **SIDE_STYLE[side])
            ax.set_ylabel(m.unit or "index")
            ax.set_title(m.title, fontsize=10, loc="left")
        ax.grid(True, color="0.85", linewidth=0.6)
        ax.legend(fontsize=8, loc="best")
        ax.set_xlim(*span)  # one time axis for every panel, even with a single session
        _date_axis(ax)
    fig.tight_layout()
    return fig


def comparison_figure(data: ReportData) -> Any | None:
    """Bars of the latest value per side for each measure, with the asymmetry; None if none."""
    keys = [k for k in MEASURES if len(data.latest_by_side.get(k, {})) == 2]
    if not keys:
        return None
    plt = _plt()
    fig, axes = plt.subplots(1, len(keys), figsize=(2.7 * len(keys) + 1.0, 3.2), squeeze=False)
    fig.suptitle("Left / right, latest tests")
    for ax, key in zip(axes[0], keys, strict=True):
        m = MEASURES[key]
        vals = data.latest_by_side[key]
        for i, side in enumerate(SIDES):
            ax.bar(
                i,
                vals[side],
                width=0.6,
                color="white" if side == "right" else "0.25",
                edgecolor="black",
                hatch=SIDE_HATCH[side],
                label=side,
            )
            ax.text(i, vals[side], m.fmt.format(vals[side]), ha="center", va="bottom", fontsize=8)
        ax.set_xticks([0, 1], ["left", "right"])
        ax.set_ylabel(m.unit or "index")
        ax.set_title("\n".join(textwrap.wrap(m.title, 26)), fontsize=9)
        asym = asymmetry_pct(vals["left"], vals["right"])
        if asym is not None:
            ax.set_xlabel(f"asymmetry {asym:+.0f} % (+: left higher)", fontsize=8)
        ax.margins(y=0.15)
    fig.tight_layout()
    return fig


def trace_figure(tr: Trace) -> Any:
    """Stabilogram (ML, and AP when measured, against time) and statokinesigram or foot loads."""
    plt = _plt()
    fig, (a1, a2) = plt.subplots(2, 1, figsize=(8.0, 7.0))
    t = tr.trial
    fig.suptitle(trace_label(t), fontsize=11)
    ts, ml, ap, ln, rn = _thin(
        tr.t_s,
        tr.ml_mm,
        tr.ap_mm if tr.ap_mm is not None else np.zeros_like(tr.t_s),
        tr.left_n,
        tr.right_n,
    )
    a1.plot(ts, ml, color="black", linestyle="-", linewidth=0.9, label="ML (+ = right)")
    if tr.ap_mm is not None:
        a1.plot(ts, ap, color="0.45", linestyle="--", linewidth=0.9, label="AP (+ = forward)")
    res = t.test_result
    spans: list[Trial] | list[Repetition] = []
    if res is not None:
        spans = list(res.reps) if res.reps else list(res.trials)
    for e in spans:
        side = e.stance_side
        s0, s1 = e.start_s, e.end_s
        if side in SIDES and s1 > s0:
            a1.axvspan(s0, s1, facecolor="0.9", edgecolor="none", zorder=0)
            a1.text(
                s0,
                1.0,
                side[0].upper(),
                transform=a1.get_xaxis_transform(),
                fontsize=7,
                va="bottom",
            )
    a1.set_xlabel("time (s)")
    a1.set_ylabel("COP (mm)")
    a1.set_title("Stabilogram", fontsize=10, loc="left")
    a1.grid(True, color="0.85", linewidth=0.6)
    a1.legend(fontsize=8, loc="upper right")
    ok = np.isfinite(tr.ml_mm)
    if tr.ap_mm is not None:
        ok &= np.isfinite(tr.ap_mm)
    if tr.ap_mm is not None and ok.sum() >= 3:
        x, y = tr.ml_mm[ok], tr.ap_mm[ok]
        px, py = _thin(x, y)
        a2.plot(px, py, color="black", linewidth=0.6)
        cx, cy, w, h, ang, area = ellipse_geometry(x, y)
        from matplotlib.patches import Ellipse

        a2.add_patch(
            Ellipse(
                (cx, cy),
                w,
                h,
                angle=ang,
                fill=False,
                edgecolor="black",
                linestyle="--",
                linewidth=1.4,
                label=f"95 % ellipse, {area:.0f} mm²",
            )
        )
        a2.set_aspect("equal", adjustable="datalim")
        a2.set_xlabel("ML (mm, + = right)")
        a2.set_ylabel("AP (mm, + = forward)")
        a2.set_title("Statokinesigram", fontsize=10, loc="left")
        a2.legend(fontsize=8, loc="upper right")
    else:
        a2.plot(ts, ln, label="left foot", **{**SIDE_STYLE["left"], "marker": None})
        a2.plot(ts, rn, label="right foot", **{**SIDE_STYLE["right"], "marker": None})
        a2.set_xlabel("time (s)")
        a2.set_ylabel("load (N)")
        a2.set_title(
            "Load on each foot (this board measures no AP sway, so no statokinesigram)",
            fontsize=9,
            loc="left",
        )
        a2.legend(fontsize=8, loc="upper right")
    a2.grid(True, color="0.85", linewidth=0.6)
    fig.tight_layout()
    return fig


# --- text blocks -------------------------------------------------------------------------------


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


def _overview(data: ReportData) -> str:
    n_s = len(data.sessions)
    n_t = len(data.trials)
    if not n_s:
        return "No sessions recorded yet."
    first = _local(data.sessions[0].started_at)
    last = _local(data.sessions[-1].started_at)
    return f"{n_s} session(s) with {n_t} trial(s) from {first:%Y-%m-%d} to {last:%Y-%m-%d}."


# --- writers -----------------------------------------------------------------------------------


def _figures(data: ReportData, progress: Progress | None) -> list[tuple[str, Any]]:
    steps = 2 + len(data.traces)
    out: list[tuple[str, Any]] = []
    _tick(progress, 1, steps, "trends")
    out.append(("Trends over sessions", trends_figure(data)))
    _tick(progress, 2, steps, "left/right comparison")
    comp = comparison_figure(data)
    if comp is not None:
        out.append(("Left / right comparison", comp))
    for i, tr in enumerate(data.traces):
        _tick(progress, 3 + i, steps, f"trial {tr.trial.id}")
        out.append((f"Stabilogram: {trace_label(tr.trial)}", trace_figure(tr)))
    return out


def _tick(progress: Progress | None, i: int, n: int, what: str) -> None:
    if progress is not None:
        progress(i, n, what)


def write_report(
    store: Store,
    pid: str,
    path: str | os.PathLike[str],
    *,
    progress: Progress | None = None,
    n_traces: int = 3,
    now: datetime | None = None,
) -> Path:
    """Write ``pid``'s report to ``path``: ``.pdf``, or ``.html``/``.htm`` (self-contained).

    ``progress(step, steps, what)`` is called as figures are drawn.

    Raises
    ------
    UsageError
        Any other file suffix.
    UnknownPersonError
        No such person.
    StoreUnavailableError
        The file cannot be written.
    """
    out = Path(path)
    kind = out.suffix.lower()
    if kind not in (".pdf", ".html", ".htm"):
        raise UsageError(f"report file {out}: name it FILE.pdf or FILE.html")
    data = gather(store, pid, n_traces=n_traces, now=now)
    figs = _figures(data, progress)
    from .report_programme import programme_figures  # the home programme's page, if any

    figs.extend(programme_figures(store, pid, now=now))
    plt = _plt()
    tmp = out.with_name(f".{out.name}.part-{os.getpid()}")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # health data
        with os.fdopen(fd, "wb") as fh:
            if kind == ".pdf":
                _write_pdf(fh, data, figs)
            else:
                fh.write(_html(data, figs).encode("utf-8"))
        os.replace(tmp, out)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise StoreUnavailableError(
            f"{out}: cannot write the report ({exc.strerror}); choose another place"
        ) from exc
    finally:
        for _, f in figs:
            plt.close(f)
    return out


def _write_pdf(fh: Any, data: ReportData, figs: list[tuple[str, Any]]) -> None:
    from matplotlib.backends.backend_pdf import PdfPages

    plt = _plt()
    with PdfPages(
        fh, metadata={"Title": f"Balance report {data.person.id}", "Creator": "balance-trainer"}
    ) as pdf:
        cover = _cover_page(plt, data)
        pdf.savefig(cover)
        plt.close(cover)
        for _, f in figs:
            pdf.savefig(f)


def _cover_page(plt: Any, data: ReportData) -> Any:
    fig = plt.figure(figsize=(8.27, 11.69))  # A4

    def put(x: float, y: float, text: str, size: float, **kw: Any) -> None:
        # parse_math off: a '$' typed into a name or note must print as itself
        fig.text(x, y, text, fontsize=size, parse_math=False, **kw)

    y = 0.95
    put(0.07, y, "Balance trainer: progress report", 17, weight="bold")
    y -= 0.03
    put(0.07, y, f"Made {data.generated_at:%Y-%m-%d %H:%M}. {_overview(data)}", 9)
    y -= 0.045
    put(0.07, y, "Identity (as entered)", 12, weight="bold")
    for label, value in identity_rows(data.person, data.generated_at):
        for j, line in enumerate(textwrap.wrap(value, 70) or [""]):
            y -= 0.022
            put(0.09, y, label if j == 0 else "", 9, weight="bold")
            put(0.32, y, line, 9)
    y -= 0.045
    put(0.07, y, "Latest result of each test", 12, weight="bold")
    if not data.latest:
        y -= 0.025
        put(0.09, y, "No trials yet.", 9)
    for row in data.latest:
        y -= 0.027
        if y < 0.06:
            put(0.09, y, "(more in the HTML report)", 8, style="italic")
            break
        put(0.09, y, f"{row.protocol}  ({_local(row.when):%Y-%m-%d})", 10, weight="bold")
        for text in (row.summary, row.norm and f"norm: {row.norm}", row.verdict):
            for line in textwrap.wrap(text or "", 90):
                y -= 0.019
                put(0.11, y, line, 8.5)
    return fig


def _png_b64(fig: Any) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    return base64.b64encode(buf.getvalue()).decode("ascii")


_CSS = """body{font-family:sans-serif;max-width:60em;margin:1em auto;padding:0 1em;color:#000}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #444;padding:.25em .6em;
text-align:left;vertical-align:top}th{background:#eee}img{max-width:100%;height:auto}
figure{margin:1.5em 0;page-break-inside:avoid}.small{font-size:.85em;color:#333}"""


def _html(data: ReportData, figs: list[tuple[str, Any]]) -> str:
    e = html.escape
    p = data.person
    ident = "".join(
        f"<tr><th>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in identity_rows(p, data.generated_at)
    )
    latest = "".join(
        f"<tr><td>{e(r.protocol)}</td><td>{_local(r.when):%Y-%m-%d %H:%M}</td>"
        f"<td>{e(r.summary)}</td><td>{e(r.norm)}</td><td>{e(r.verdict)}</td></tr>"
        for r in data.latest
    )
    latest_table = (
        "<table><tr><th>test</th><th>date</th><th>result</th><th>norm</th><th>vs norm</th>"
        f"</tr>{latest}</table>"
        if latest
        else "<p>No trials yet.</p>"
    )
    figures = "".join(
        f'<figure><img alt="{e(title)}" src="data:image/png;base64,{_png_b64(f)}">'
        f"<figcaption>{e(title)}</figcaption></figure>"
        for title, f in figs
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>Balance report {e(p.id)}</title><style>{_CSS}</style></head><body>"
        "<h1>Balance trainer: progress report</h1>"
        f'<p class="small">Made {data.generated_at:%Y-%m-%d %H:%M}. {e(_overview(data))}</p>'
        f"<h2>Identity (as entered)</h2><table>{ident}</table>"
        f"<h2>Latest result of each test</h2>{latest_table}"
        f"<h2>Progress</h2>{figures}"
        '<p class="small">Left: solid line, filled circles, plain bars. Right: dashed line, '
        "open squares, hatched bars. ML = medio-lateral (side to side), AP = antero-posterior. "
        "95 % prediction ellipse after Schubert &amp; Kirchner 2014.</p></body></html>\n"
    )
