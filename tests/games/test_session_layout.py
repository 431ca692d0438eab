"""The session and programme screens in every phase (and the editor's keyboard, the calendar
and the menu with a programme's two tiles), laid out with nothing clipped or
overlapping and no text under the type scale's floor (800x480 and 1280x720, easy mode too)."""

from __future__ import annotations

import pytest
from game_helpers import run
from layout_check import draw_logged, layout_faults
from test_session_screen import _app
from test_session_screen import home as home  # noqa: F401 - the fixture

from balance_trainer.programme_session import Phase

PHASES = [
    "ready",
    "guided",
    "done-button",
    "rest",
    "lift",
    "hold",
    "squat",
    "paused",
    "checkin",
    "finished",
    "programme",
    "programme-edit",
    "programme-notes",
    "calendar",
    "menu",
]
SCREENS = ("programme", "programme-edit", "programme-notes", "calendar", "menu")
"""Shown by name (the others are phases of the session screen)."""


def _to(app, phase):
    s = app.screen
    r = s.runner
    if phase == "ready":
        return
    r.confirm()  # the clam starts
    if phase == "guided":
        run(app, 1.0)
        return
    r.phase_t = 1e3
    if phase == "done-button":
        return
    r.confirm()
    if phase == "rest":
        return
    r.confirm()  # the step-up hold's instruction
    r.confirm()  # ... and the hold itself
    if phase == "lift":
        return
    if phase == "hold":
        run(app, 1.0)
        r._lift_t = r._t[-1][-1] - 1.0 if r._t else 0.0
        return
    r.skip()
    r.skip()
    r.confirm()
    if phase == "squat":
        return
    if phase == "paused":
        s.open_menu()
        return
    while r.phase is not Phase.CHECKIN:
        r.skip()
    if phase == "checkin":
        return
    s._check(3)
    s._check(1)


@pytest.mark.parametrize("easy", [False, True], ids=["normal", "easy"])
@pytest.mark.parametrize("size", [(800, 480), (1280, 720)], ids=["800x480", "1280x720"])
@pytest.mark.parametrize("phase", PHASES)
def test_session_screens_lay_out_cleanly(app_factory, home, phase, size, easy):
    if easy and size != (800, 480):
        pytest.skip("easy mode is checked at the smallest screen")
    tmp_path, today = home
    app, _ = _app(app_factory, tmp_path, today, size=size, easy=easy)
    app.autopilot = False
    if phase in SCREENS:
        app.show(phase)
    else:
        app.show("session")
        _to(app, phase)
    run(app, 0.1)
    faults = layout_faults(draw_logged(app), size, app.ui.u, easy=easy)
    assert not faults, "\n".join(faults)
