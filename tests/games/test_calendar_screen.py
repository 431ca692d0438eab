"""The person's calendar: each day drawn from the stored sessions, today ringed, the streak as
the headline; reached from the menu and the session's finish screen; hands-free."""

from __future__ import annotations

from datetime import date, timedelta

import pygame
import pytest
from game_helpers import run
from layout_check import draw_logged, layout_faults
from programme_history import fill_history
from test_game_home_use import QUIET_FPS, lean
from test_game_screens import key
from test_session_screen import _app
from test_session_screen import home as home  # noqa: F401 - the fixture

from balance_trainer.programme_session import Phase
from balance_trainer.store import DB_FILENAME, Store
from games.records import PersonRef
from games.screens.calendar import calendar_weeks

TODAY = date(2026, 12, 2)  # a Wednesday
# Mon 16 Nov .. Wed 2 Dec, weekdays trained: the weekend letters are rest days ("-").
HISTORY = "DPDSD--DD-DD--" + "-" + "DP"
"""16 D, 17 P, 18 D, 19 S, 20 D, 23 D, 24 D, 25 -, 26 D, 27 D, 30 -, 1 D, 2 P."""


@pytest.fixture
def calendar_app(app_factory, tmp_path):
    made = []

    def make(**kw):
        made.append(1)
        store = Store(tmp_path / f"{len(made)}-{DB_FILENAME}")
        store.add_person("p01", name="Ann")
        fill_history(store, "p01", TODAY, HISTORY)
        app = app_factory("menu", store=store, person=PersonRef("p01", "Ann"), **kw)
        app.today = TODAY
        return app

    return make


def _pixel(app, rect: pygame.Rect) -> tuple[int, int, int]:
    """The colour low in a day's square, clear of its number and of today's ring."""
    x, y = rect.left + rect.w // 6, rect.bottom - rect.h // 6
    return tuple(app.surface.get_at((x, y)))[:3]


@pytest.mark.parametrize("easy", [False, True], ids=["normal", "easy"])
def test_each_day_is_drawn_as_the_stored_sessions_say(calendar_app, easy):
    app = calendar_app(easy=easy)
    app.show("calendar")
    run(app, 0.2)
    scr = app.screen
    cells = scr.day_cells()
    got = {d: st for d, (_, st) in cells.items()}
    d = TODAY - timedelta(days=len(HISTORY) - 1)  # Mon 16 Nov
    assert got[d] == "done" and got[d + timedelta(1)] == "partial"
    assert got[d + timedelta(3)] == "skipped" and got[d + timedelta(5)] == "rest"
    assert got[date(2026, 11, 25)] == "missed" and got[TODAY] == "partial"
    assert got[TODAY + timedelta(1)] == ""  # tomorrow: nothing yet
    assert min(cells).weekday() == 0 and len(cells) % 7 == 0  # whole weeks from Monday
    t = app.ui.theme
    assert _pixel(app, cells[d][0]) == t.good
    assert _pixel(app, cells[d + timedelta(1)][0]) == t.accent  # lower half filled
    assert _pixel(app, cells[date(2026, 11, 25)][0]) != t.good
    # today: ringed in the text colour just outside its square
    r = cells[TODAY][0]
    assert tuple(app.surface.get_at((r.centerx, r.top - app.ui.px(2))))[:3] == t.text
    # Streak: 30 Nov missed, 1 and 2 Dec trained -> 2. Best: 16-18 Nov and 20-24 Nov, 3 each
    # (19 Nov was begun and skipped, which breaks a run; a partly done day keeps it).
    assert scr.title == "2 days in a row!"
    assert scr.subtitle == "Your best: 3 days"


def test_weeks_run_monday_to_sunday_up_to_todays_week():
    marks = [(TODAY - timedelta(days=k), "done") for k in range(40)]
    weeks = calendar_weeks(marks, TODAY, 4)
    assert [w[0][0].weekday() for w in weeks] == [0, 0, 0, 0]
    assert weeks[-1][2] == (TODAY, "done") and weeks[-1][3] == (TODAY + timedelta(1), "")
    assert weeks[0][0][0] == date(2026, 11, 9)


def test_the_menu_shows_my_calendar_to_a_person_with_a_programme(calendar_app):
    app = calendar_app()
    run(app, 0.2)
    labels = [c.label for c in app.screen.choices]
    assert labels[:2] == ["Today's exercises", "My calendar"]
    app.screen.selected = 1
    key(app, pygame.K_RETURN)
    assert app.screen.name == "calendar"
    key(app, pygame.K_RETURN)  # its one tile: back to the menu
    assert app.screen.name == "menu"


def test_standing_still_on_the_calendar_never_leaves_it_and_a_held_lean_does(calendar_app):
    app = calendar_app(scenario="quiet")
    app.show("calendar")
    for _ in range(int(120 * QUIET_FPS)):
        app.step(1.0 / QUIET_FPS)
    assert app.feed.on_board and app.screen.name == "calendar"
    app = calendar_app()  # a person who leans (the quiet one only stands)
    app.show("calendar")
    run(app, 3.0)
    assert app.screen.name == "calendar"
    lean(app, -60.0)
    run(app, 5.0)
    assert app.screen.name == "menu" and app.visited[-2:] == ["calendar", "menu"]


def test_a_guest_sees_why_there_is_no_calendar(app_factory):
    app = app_factory("calendar")
    run(app, 0.2)
    assert "Choose your name" in app.screen.message
    key(app, pygame.K_RETURN)
    assert app.screen.name == "menu"


def _finish(app):
    app.autopilot = False
    app.show("session")
    s = app.screen
    while s.runner.phase is not Phase.CHECKIN:
        s.runner.skip()
    s._check(3)
    s._check(1)
    assert s.runner.phase is Phase.DONE
    app.autopilot = True  # the headless simulated person follows lean() from here


def test_at_the_finish_a_held_lean_left_opens_the_calendar(app_factory, home):
    tmp_path, today = home
    app, _ = _app(app_factory, tmp_path, today)
    _finish(app)
    run(app, 12.0)  # standing still through the finish screen's pause: nothing is chosen
    assert app.screen.name == "session"
    lean(app, -60.0)
    run(app, 5.0)
    assert app.screen.name == "calendar"
    assert app.screen.day_cells()[today][1] == "skipped"  # every set was skipped


def test_at_the_finish_a_held_lean_right_goes_to_the_menu(app_factory, home):
    tmp_path, today = home
    app, _ = _app(app_factory, tmp_path, today)
    _finish(app)
    run(app, 12.0)
    lean(app, 60.0)
    run(app, 5.0)
    assert app.screen.name == "menu"


def test_at_the_finish_the_buttons_choose_menu_first_and_left_then_select_the_calendar(
    app_factory, home
):
    tmp_path, today = home
    app, _ = _app(app_factory, tmp_path, today)
    _finish(app)
    key(app, pygame.K_UP)  # on hands-free screens the arrows steer the simulated person
    key(app, pygame.K_RETURN)
    assert app.screen.name == "calendar"


@pytest.mark.parametrize(
    "size,easy",
    [((800, 480), False), ((1280, 720), False), ((1920, 1080), False), ((800, 480), True)],
    ids=["800x480", "1280x720", "1920x1080", "800x480-easy"],
)
def test_the_calendar_with_weeks_of_history_lays_out_cleanly(calendar_app, size, easy):
    app = calendar_app(size=size, easy=easy)
    app.show("calendar")
    run(app, 0.2)
    log = draw_logged(app)
    faults = layout_faults(log, size, app.ui.u, easy=easy)
    assert not faults, "\n".join(faults)
    texts = [d.text for d in log if d.kind == "text"]
    assert "2" in texts and "Menu" in texts and "done" in texts  # today, the tile, the legend
    cells = [r for r, _ in app.screen.day_cells().values()]
    tile = app.screen.rects()[0]
    assert not any(c.colliderect(tile) for c in cells)
    assert all(c.h >= app.ui.line_h(24) for c in cells)  # a date fits every square


@pytest.mark.parametrize("easy", [False, True], ids=["normal", "easy"])
def test_the_finish_screen_says_in_full_how_to_choose(app_factory, home, easy):
    tmp_path, today = home
    app, _ = _app(app_factory, tmp_path, today, easy=easy)
    _finish(app)
    run(app, 0.2)
    hint = app.screen._choose_hint()
    assert "hold" in hint  # the simulated person is on the board, hands-free is on
    assert hint in [d.text for d in draw_logged(app) if d.kind == "text"]
