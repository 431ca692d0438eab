"""Draw the session screens at 800x480 into docs/screenshots/ (headless, simulated board),
and the person's calendar over four weeks of sessions (calendar.png, calendar-easy.png).

    SDL_VIDEODRIVER=dummy SDL_AUDIODRIVER=dummy .venv/bin/python \
        docs/screenshots/make_session_screenshots.py
"""

from __future__ import annotations

import os
import sys
import tempfile
from datetime import datetime
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "tests" / "games"))

import pygame  # noqa: E402
from game_helpers import make_app, run  # noqa: E402

from balance_trainer.cli import main  # noqa: E402
from balance_trainer.programme_session import Phase  # noqa: E402
from balance_trainer.store import DB_FILENAME, Store  # noqa: E402
from games.records import PersonRef  # noqa: E402

EXAMPLE = HERE.parents[1] / "examples" / "glute-med-programme.toml"


def until(app, test, limit_s=400.0):
    for _ in range(int(limit_s * 10)):
        if test(app.screen.runner):
            return
        run(app, 0.1)
    raise SystemExit("screen never reached")


def shoot(app, name):
    path = HERE / f"session-{name}.png"
    app.screenshot(path)
    print(path)


def session(tmp: Path, easy: bool = False):
    d = str(tmp)
    today = datetime.now().astimezone().date()
    text = EXAMPLE.read_text().replace("start = 2026-12-01", f"start = {today.isoformat()}")
    text = text.replace('days = ["mon", "tue", "wed", "thu", "fri"]\n', "")
    text = text.replace("days_per_week = 5", "days_per_week = 7")
    plan = tmp / "plan.toml"
    plan.write_text(text)
    main(["people", "add", "p01", "--name", "Ann", "--data-dir", d])
    main(["programme", "set", "p01", str(plan), "--data-dir", d])
    app = make_app(
        "menu", store=Store(tmp / DB_FILENAME), person=PersonRef("p01", "Ann"), easy=easy
    )
    app.today = today
    app.show("session")
    return app


def main_() -> None:
    pygame.init()
    with tempfile.TemporaryDirectory() as t:
        app = session(Path(t))
        run(app, 1.0)
        shoot(app, "1-ready-clam")
        until(app, lambda r: r.phase is Phase.ACTIVE)
        run(app, 4.0)
        shoot(app, "2-guided-clam")
        until(app, lambda r: r.awaiting_confirm)
        shoot(app, "3-guided-done")
        until(app, lambda r: r.phase is Phase.REST)
        run(app, 1.0)
        shoot(app, "4-rest")
        r = app.screen.runner
        while r.plan.exercise.name in ("side-lying-clam", "side-lying-leg-raise"):
            r.skip()  # the rest of the guided sets, to get on (skipping is stored too)
        until(app, lambda r: r.plan.exercise.name == "step-up-hold" and r.phase is Phase.READY)
        run(app, 2.0)
        shoot(app, "5-ready-step-up")
        until(app, lambda r: r.hold_left_s is not None and r.hold_left_s < 12)
        shoot(app, "6-hold-countdown")
        until(app, lambda r: r.phase is Phase.REST)
        run(app, 0.5)
        shoot(app, "7-hold-feedback")
        while r.plan.exercise.name != "single-leg-squat":
            r.skip()
        until(app, lambda r: r.plan.exercise.name == "single-leg-squat" and r.reps_done >= 3)
        shoot(app, "8-squats-counted")
        until(app, lambda r: r.phase is Phase.REST)
        run(app, 0.5)
        shoot(app, "9-squat-feedback")
        while r.plan is not None and r.plan.exercise.name != "mirror-check":
            r.skip()
        app.screen.intent("back")
        run(app, 0.2)
        shoot(app, "10-paused")
        app.screen.intent("select")
        until(app, lambda r: r.phase is Phase.CHECKIN, 900)
        app.autopilot = False
        run(app, 0.5)
        shoot(app, "11-checkin-effort")
        app.screen.intent("select")
        app.screen.intent("left")
        run(app, 0.2)
        app.screen.intent("select")
        run(app, 0.5)
        shoot(app, "12-done-streak")
        app.show("menu")
        run(app, 0.3)
        shoot(app, "18-menu-with-programme")
        app.show("settings")
        run(app, 0.2)
        shoot(app, "14-settings-programme")
        app.show("programme")
        run(app, 0.2)
        shoot(app, "15-clinician-programme")
        app.show("programme-edit")
        ed = app.screen
        hold = next(i for i, f in enumerate(ed.fields) if f.label == "Step-up hold")
        ed.sel = hold + 1  # its sides: both -> left
        ed.intent("select")
        run(app, 0.2)
        shoot(app, "16-clinician-edit")
        ed.sel = next(i for i, f in enumerate(ed.fields) if i > hold and "notes" in f.label)
        ed.intent("select")
        for k in "KEEP THE PELVIS LEVEL.":
            app.screen.key("Space" if k == " " else k)
        run(app, 0.2)
        shoot(app, "17-clinician-notes")
        app.close()
    with tempfile.TemporaryDirectory() as t:
        app = session(Path(t), easy=True)
        r = app.screen.runner
        while r.plan.exercise.name != "step-up-hold":
            r.skip()
        until(app, lambda r: r.plan.exercise.name == "step-up-hold" and r.hold_left_s is not None)
        run(app, 2.0)
        shoot(app, "13-easy-hold")
        app.close()


def calendars() -> None:
    """The calendar after four weeks of a weekday programme (done, partly, skipped, missed)."""
    from datetime import date

    from programme_history import fill_history

    today = date(2026, 12, 2)  # a Wednesday
    for easy, name in ((False, "calendar"), (True, "calendar-easy")):
        with tempfile.TemporaryDirectory() as t:
            store = Store(Path(t) / DB_FILENAME)
            store.add_person("p01", name="Ann")
            fill_history(store, "p01", today, "DDPDS--D-DDD--DDDDD-DDDP")
            app = make_app("calendar", store=store, person=PersonRef("p01", "Ann"), easy=easy)
            app.today = today
            app.show("calendar")
            run(app, 0.3)
            path = HERE / f"{name}.png"
            app.screenshot(path)
            print(path)
            app.close()


if __name__ == "__main__":
    pygame.init()
    calendars()
    if "--calendar-only" not in sys.argv:
        main_()
