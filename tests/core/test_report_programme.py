"""The clinician's programme page reads right from the first session on: axes from zero, a
time axis of days (not years), the steadiness share on 0-1, the calendar not one wide bar."""

from __future__ import annotations

from datetime import date

import matplotlib.dates as mdates

from balance_trainer.adherence import Adherence, DayMark
from balance_trainer.programme import parse_programme
from balance_trainer.report_programme import MIN_SPAN_DAYS, MIN_WEEKS, programme_page

PLAN = parse_programme(
    'days_per_week = 7\nstart = 2026-12-02\n[[exercise]]\nname = "step-up-hold"\n'
    'sides = ["left", "right"]\nsets = 1\nhold_s = 20\n'
)
DAY = date(2026, 12, 2)


def _one_session() -> Adherence:
    a = Adherence(DAY, DAY, calendar=[DayMark(DAY, "done", 2, 2)], sets_done=2)
    a.sets_prescribed = a.training_days = a.days_done = 1
    a.per_exercise = {"step-up-hold": {"prescribed": 2, "done": 2, "skipped": 0}}
    a.holds = {"left": [(DAY, 18.869)], "right": [(DAY, 18.866)]}
    a.sway = {"left": [(DAY, 5.02)], "right": [(DAY, 5.11)]}
    a.steady = {"left": [(DAY, 0.83)], "right": [(DAY, 1.0)]}
    a.pain, a.effort = [(DAY, 1)], [(DAY, 5)]
    return a


def _axis(fig, title: str):
    return next(ax for ax in fig.axes if ax.get_title().startswith(title))


def test_one_sessions_page_has_axes_from_zero_over_days_not_years():
    fig = programme_page(_one_session(), PLAN, 1, "p01")
    holds = _axis(fig, "Standing holds")
    lo, hi = holds.get_ylim()
    assert lo == 0.0 and 18.87 < hi < 25  # 18.866 vs 18.869 s drawn as the same height
    assert holds.yaxis.get_major_formatter().get_offset() == ""  # no "+1.886e1"
    x0, x1 = holds.get_xlim()
    span = mdates.num2date(x1) - mdates.num2date(x0)
    assert MIN_SPAN_DAYS <= span.days <= MIN_SPAN_DAYS + 2
    assert _axis(fig, "Board sets steady").get_ylim() == (-0.05, 1.05)
    assert _axis(fig, "Holds: stance-foot").get_ylim()[0] == 0.0


def test_the_calendar_of_a_first_week_shows_the_weeks_before_it_blank():
    fig = programme_page(_one_session(), PLAN, 1, "p01")
    cal = _axis(fig, "Calendar")
    (img,) = cal.get_images()
    arr = img.get_array()
    assert arr.shape == (7, MIN_WEEKS)
    assert arr[DAY.weekday(), -1] == 0.0  # done: black, in the last column
    assert (arr[:, :-1] == 1.0).all()  # the weeks before the programme: blank
