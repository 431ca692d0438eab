"""The report's figures: per-side trends, the left/right comparison, and each trace's
stabilogram with its statokinesigram (95 % prediction ellipse, Schubert & Kirchner 2014,
doi:10.1016/j.gaitpost.2013.09.001) or the load on each foot.

Part of :mod:`.report` (import from there). Plots use matplotlib's Agg back end and stay
readable printed in black and white (:mod:`.plotstyle`).
"""

from __future__ import annotations

import math
import textwrap
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from .constants import ELLIPSE_LEVEL, asymmetry_pct, prediction_ellipse_scale
from .pelvis import POSITIVE_DROP_DEG, SIDE_DIFFERENCE_MDC_DEG
from .plotstyle import SIDE_HATCH, SIDE_STYLE
from .plotstyle import pyplot as _plt
from .report_data import ReportData, Trace
from .report_text import MEASURES, SIDES, trace_label
from .results import Repetition, Trial

MAX_PLOT_POINTS = 4000
"""Traces are thinned to about this many points for drawing; measures use every sample."""


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
            # Every trended measure is per stance side: say which leg the person stood on.
            for side in SIDES:
                line = data.trends[key].get(side)
                if line:
                    d, v = zip(*line, strict=True)
                    ax.plot(d, v, label=f"standing on {side}", **SIDE_STYLE[side])
            if m.unit == "deg":
                # The same two lines as the app's pelvis progress screen (pelvis.py cites them).
                for level, words, style in (
                    (POSITIVE_DROP_DEG, f"{POSITIVE_DROP_DEG:g}° drop", ":"),
                    (SIDE_DIFFERENCE_MDC_DEG, f"{SIDE_DIFFERENCE_MDC_DEG:g}° clear drop", "--"),
                ):
                    ax.axhline(level, color="0.35", linestyle=style, linewidth=0.9, label=words)
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
