"""The report's page for the clinician about the home programme (called from :mod:`.report`).

One A4 page: the programme in force, adherence % (sets done / prescribed; definitions in
:mod:`.adherence`), training days done and streaks; a calendar of the days (one square per
day, a column per week, black = done, grey = partial, hatched = skipped, a cross = missed,
blank = rest); sets done vs prescribed per exercise; the standing holds' mean time and the
stance foot's ML sway per side over time; and the pain (and effort) reported after each
session. Readable printed in black and white like the rest of the report (the left side solid
with filled circles, the right dashed with open squares).
"""

from __future__ import annotations

import textwrap
from datetime import date, datetime, timedelta
from typing import Any

from .adherence import Adherence, adherence
from .plotstyle import SIDE_STYLE
from .plotstyle import pyplot as _plt
from .programme import EXERCISES, Programme
from .programme_store import ProgrammeStore

_GREY = {
    "done": 0.0,
    "extra": 0.0,
    "partial": 0.55,
    "skipped": 0.85,
    "missed": 1.0,
    "due": 1.0,
    "rest": 1.0,
}


def programme_figures(
    store: Any, pid: str, *, now: datetime | None = None
) -> list[tuple[str, Any]]:
    """``[(title, figure)]`` for the report: the programme page, or nothing without one."""
    ps = ProgrammeStore(store)
    versions = ps.versions(pid)
    if not versions:
        return []
    today = (now or store.clock()).astimezone().date()
    a = adherence(versions, ps.sessions(pid), today)
    return [
        (
            "Home programme: adherence",
            programme_page(a, versions[-1].programme, versions[-1].version, pid),
        )
    ]


MIN_SPAN_DAYS = 14
"""A time axis spans at least this many days: one or two sessions are not spread over years
(matplotlib's default for a single date) and read as days."""


def _date_axis(ax: Any, days: list[date]) -> None:
    import matplotlib.dates as mdates

    loc = mdates.AutoDateLocator(minticks=3, maxticks=7)  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_locator(loc)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(loc))  # type: ignore[no-untyped-call]
    if days:
        lo, hi = min(days), max(days)
        pad = timedelta(days=max(1, (MIN_SPAN_DAYS - (hi - lo).days + 1) // 2))
        if (hi - lo).days < MIN_SPAN_DAYS:
            ax.set_xlim(lo - pad, hi + pad)


def programme_page(a: Adherence, programme: Programme, version: int, pid: str) -> Any:
    """The page as a matplotlib figure (A4 portrait)."""
    plt = _plt()
    fig = plt.figure(figsize=(8.27, 11.69))
    grid = fig.add_gridspec(
        5,
        2,
        height_ratios=[1.9, 1.0, 1.1, 1.0, 1.0],
        hspace=0.55,
        left=0.17,
        right=0.96,
        top=0.95,
        bottom=0.05,
    )

    def put(x: float, y: float, text: str, size: float, **kw: Any) -> None:
        fig.text(x, y, text, fontsize=size, parse_math=False, **kw)

    put(0.07, 0.965, f"Home programme: {pid}, version {version}", 15, weight="bold")
    pct = "-" if a.pct is None else f"{a.pct:.0f} %"
    spct = "-" if a.sessions_pct is None else f"{a.sessions_pct:.0f} %"
    lines = [
        f"Adherence {pct} of sets ({a.sets_done} of {a.sets_prescribed} prescribed); "
        f"{a.days_done} of {a.training_days} training days fully done ({spct}).",
        f"Current streak {a.streak} training day(s), best {a.best_streak}. "
        + (f"From {a.start.isoformat()} to {a.today.isoformat()}." if a.start else ""),
        *programme.describe(),
    ]
    y = 0.94
    for ln in lines[:14]:
        for part in textwrap.wrap(ln, 125) or [""]:
            y -= 0.0145
            put(0.07, y, part, 7.5)

    # calendar: a column per week, a row per weekday
    ax = fig.add_subplot(grid[1, :])
    _calendar(ax, a)

    # sets done vs prescribed per exercise
    ax = fig.add_subplot(grid[2, 0])
    names = [n for n in EXERCISES if n in a.per_exercise]
    done = [a.per_exercise[n]["done"] for n in names]
    presc = [a.per_exercise[n]["prescribed"] for n in names]
    ys = list(range(len(names)))
    ax.barh(ys, presc, color="white", edgecolor="black", label="prescribed")
    ax.barh(ys, done, color="0.3", edgecolor="black", height=0.5, label="done")
    ax.set_yticks(ys, [EXERCISES[n].title for n in names], fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel("sets", fontsize=8)
    ax.set_title("Sets done vs prescribed", fontsize=9)
    ax.legend(fontsize=7, loc="lower right")
    ax.tick_params(labelsize=7)

    ax = fig.add_subplot(grid[2, 1])
    ax.axis("off")
    rows = [["exercise", "done", "of", "%", "skipped"]]
    for n in names:
        pe = a.per_exercise[n]
        p = f"{100 * pe['done'] / pe['prescribed']:.0f}" if pe["prescribed"] else "-"
        rows.append(
            [EXERCISES[n].title, str(pe["done"]), str(pe["prescribed"]), p, str(pe["skipped"])]
        )
    tbl = ax.table(
        cellText=rows, loc="center", cellLoc="left", colWidths=[0.52, 0.12, 0.12, 0.12, 0.16]
    )
    tbl.auto_set_font_size(False)
    tbl.set_fontsize(7)
    tbl.scale(1.0, 1.3)

    _series(fig.add_subplot(grid[3, 0]), a.holds, "Standing holds: mean hold (s)", SIDE_STYLE)
    _series(fig.add_subplot(grid[3, 1]), a.sway, "Holds: stance-foot ML sway RMS (mm)", SIDE_STYLE)
    _series(
        fig.add_subplot(grid[4, 0]),
        a.steady,
        "Board sets steady (share, 0-1)",
        SIDE_STYLE,
        top=1.0,
    )
    ax = fig.add_subplot(grid[4, 1])
    if a.pain or a.effort:
        if a.pain:
            ax.plot(
                [d for d, _ in a.pain],
                [v for _, v in a.pain],
                color="black",
                marker="o",
                markersize=3,
                linewidth=1,
                label="pain",
            )
        if a.effort:
            ax.plot(
                [d for d, _ in a.effort],
                [v for _, v in a.effort],
                color="0.45",
                linestyle="--",
                marker="s",
                markerfacecolor="white",
                markersize=3,
                linewidth=1,
                label="effort",
            )
        ax.set_ylim(-0.5, 10.5)
        ax.legend(fontsize=7)
        _date_axis(ax, [d for d, _ in a.pain + a.effort])
    else:
        ax.text(0.5, 0.5, "no check-ins yet", ha="center", va="center", fontsize=8)
    ax.set_title("Pain and effort after each session (0-10)", fontsize=9)
    ax.tick_params(labelsize=7)
    return fig


def _series(
    ax: Any,
    data: dict[str, list[tuple[date, float]]],
    title: str,
    style: dict[str, dict[str, Any]],
    top: float | None = None,
) -> None:
    """Per-side values over time on an axis from 0 (to ``top`` when given): a difference of
    0.003 s between the sides is drawn as the nothing it is, not blown up to the full height."""
    any_data = False
    for side in ("left", "right"):
        pts = data.get(side) or []
        if not pts:
            continue
        any_data = True
        ax.plot(
            [d for d, _ in pts],
            [v for _, v in pts],
            label=side,
            markersize=3,
            linewidth=1,
            **style[side],
        )
    if any_data:
        values = [v for pts in data.values() for _, v in pts]
        hi = top if top is not None else max(values) * 1.15 or 1.0
        ax.set_ylim(0.0 if top is None else -0.05 * top, hi * (1.05 if top is not None else 1.0))
        ax.ticklabel_format(axis="y", useOffset=False, style="plain")
        ax.legend(fontsize=7)
        _date_axis(ax, [d for pts in data.values() for d, _ in pts])
    else:
        ax.text(0.5, 0.5, "nothing measured yet", ha="center", va="center", fontsize=8)
    ax.set_title(title, fontsize=9)
    ax.tick_params(labelsize=7)


MIN_WEEKS = 6
"""The report's calendar shows at least this many weeks."""


def _calendar(ax: Any, a: Adherence) -> None:
    import numpy as np

    ax.set_title(
        "Calendar (a column per week; black done, grey partial, light skipped, "
        "x missed, blank rest)",
        fontsize=9,
    )
    if not a.calendar:
        ax.axis("off")
        return
    first = a.calendar[0].day
    # At least MIN_WEEKS columns, the weeks before the programme blank: a first week alone
    # would be stretched across the page as one wide bar.
    monday = first - timedelta(days=first.weekday())
    shown = (a.calendar[-1].day - monday).days // 7 + 1
    monday -= timedelta(weeks=max(0, MIN_WEEKS - shown))
    n_weeks = max(shown, MIN_WEEKS)
    img = np.ones((7, n_weeks))
    missed_x: list[int] = []
    missed_y: list[int] = []
    for m in a.calendar:
        w = (m.day - monday).days // 7
        img[m.day.weekday(), w] = _GREY[m.status]
        if m.status == "missed":
            missed_x.append(w)
            missed_y.append(m.day.weekday())
    ax.imshow(img, cmap="gray", vmin=0, vmax=1, aspect="auto", interpolation="nearest")
    ax.scatter(
        missed_x, missed_y, marker="x", color="black", s=12 if n_weeks < 20 else 5, linewidths=0.8
    )
    ax.set_yticks(range(7), ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"], fontsize=7)
    step = max(1, n_weeks // 12)
    ticks = list(range(0, n_weeks, step))
    ax.set_xticks(
        ticks, [(monday + timedelta(weeks=t)).strftime("%d %b") for t in ticks], fontsize=7
    )
    ax.set_xlim(-0.5, n_weeks - 0.5)
    ax.set_ylim(6.5, -0.5)
    for s in ax.spines.values():
        s.set_linewidth(0.5)
