"""Today's session in the app, run end to end by the simulated person, headless."""

from __future__ import annotations

import json
from datetime import datetime

import pygame
import pytest
from game_helpers import run

from balance_trainer.cli import main
from balance_trainer.programme_session import Phase
from balance_trainer.programme_store import ProgrammeStore
from balance_trainer.store import DB_FILENAME, Store
from games.records import PersonRef

PLAN = """days_per_week = 7
start = {today}

[[exercise]]
name = "side-lying-clam"
side = "left"
sets = 1
reps = 2
rest_s = 2

[[exercise]]
name = "step-up-hold"
sides = ["left", "right"]
sets = 1
hold_s = 4
rest_s = 3

[[exercise]]
name = "single-leg-squat"
side = "left"
sets = 1
reps = 2
rest_s = 2
"""


@pytest.fixture
def home(tmp_path):
    today = datetime.now().astimezone().date()
    plan = tmp_path / "plan.toml"
    plan.write_text(PLAN.format(today=today.isoformat()))
    d = str(tmp_path)
    assert main(["people", "add", "p01", "--data-dir", d]) == 0
    assert main(["programme", "set", "p01", str(plan), "--data-dir", d]) == 0
    return tmp_path, today


def _app(app_factory, tmp_path, today, **kw):
    store = Store(tmp_path / DB_FILENAME)
    app = app_factory("menu", store=store, person=PersonRef("p01"), **kw)
    app.today = today
    return app, store


def test_a_person_with_a_programme_is_shown_todays_session_first(app_factory, home):
    tmp_path, today = home
    app, _ = _app(app_factory, tmp_path, today)
    app.show("people")
    app.screen.pick(PersonRef("p01"))
    assert app.screen.name == "zero" and app.screen.next_screen == "session"
    assert any(c.label == "Today's exercises" for c in _menu(app))


def _menu(app):
    app.show("menu")
    return app.screen.choices


def test_the_simulated_person_runs_a_programme_from_a_file_end_to_end(app_factory, home, capsys):
    tmp_path, today = home
    app, store = _app(app_factory, tmp_path, today)
    app.show("session")
    screen = app.screen
    for _ in range(240):  # at most 4 minutes of virtual time
        run(app, 1.0)
        if screen.runner.phase is Phase.DONE:
            break
    assert screen.runner.phase is Phase.DONE
    assert screen.result_summary["sets"] == {"done": 4, "skipped": 0, "left": 0}
    (sess,) = ProgrammeStore(store).sessions("p01")
    assert sess.status == "complete" and (sess.effort, sess.pain) == (5, 1)
    reps = {(s.exercise, s.side): s.reps_done for s in sess.sets}
    assert reps == {
        ("side-lying-clam", "left"): 2,
        ("step-up-hold", "left"): 1,
        ("step-up-hold", "right"): 1,
        ("single-leg-squat", "left"): 2,
    }
    assert any("Stand on your left leg" in s for s in screen.said)  # spoken instruction
    assert screen.streak == 1
    app.show("menu")  # leaving a finished session changes nothing
    capsys.readouterr()
    assert main(["history", "p01", "--json", "--data-dir", str(tmp_path)]) == 0
    last = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert last["kind"] == "adherence" and last["adherence_pct"] == 100.0
    assert last["calendar"][-1] == [today.isoformat(), "done"]
    assert main(["report", "p01", "-o", str(tmp_path / "r.html"), "--data-dir", str(tmp_path)]) == 0
    assert "Home programme: adherence" in (tmp_path / "r.html").read_text()


def test_stopping_for_today_keeps_what_was_done_and_resumes_there(app_factory, home):
    tmp_path, today = home
    app, store = _app(app_factory, tmp_path, today)
    app.show("session")
    r = app.screen.runner
    while r.index < 1:
        run(app, 1.0)
    app.screen.intent("back")  # the pause menu
    assert r.paused
    app.screen.intent("right")
    app.screen.intent("right")
    app.screen.intent("select")  # stop for today
    assert app.screen.name == "menu"
    (sess,) = ProgrammeStore(store).sessions("p01")
    assert sess.status == "interrupted" and sess.sets[0].status == "done"
    app.show("session")
    assert app.screen.runner.index == 1  # carries on with the step-up hold


def test_the_pause_menu_skips_a_set(app_factory, home):
    tmp_path, today = home
    app, store = _app(app_factory, tmp_path, today)
    app.show("session")
    app.screen.intent("back")
    app.screen.intent("right")
    app.screen.intent("select")
    (sess,) = ProgrammeStore(store).sessions("p01")
    assert [s.status for s in sess.sets] == ["skipped"]


def test_a_guest_is_told_to_choose_a_name(app_factory):
    app = app_factory("session")
    assert "Choose your name" in app.screen.error
    run(app, 0.5)


def test_the_clinician_applies_a_proposal_behind_the_pin(app_factory, home):
    tmp_path, today = home
    app, store = _app(app_factory, tmp_path, today)
    ps = ProgrammeStore(store)
    from balance_trainer.programme import Proposal

    cur = ps.current("p01")
    ps.add_proposals("p01", cur.id, [Proposal(0, 1, "hold_s", 4.0, 9.0, "Step-up hold: test")])
    app.show("settings")
    assert any(c.label == "Programme" for c in app.screen.choices)
    app.show("programme")
    labels = [c.label for c in app.screen.choices]
    assert labels == ["Apply", "Dismiss", "Edit", "Done"]
    app.screen.choose(0)
    assert ps.current("p01").version == 2
    assert ps.current("p01").programme.exercises[1].hold_s == 9.0
    assert ps.versions("p01")[-1].author == "clinician"


def test_the_clinician_edits_the_programme_into_a_new_version(app_factory, home):
    tmp_path, today = home
    app, store = _app(app_factory, tmp_path, today)
    app.show("programme-edit")
    ed = app.screen
    hold_row = next(i for i, f in enumerate(ed.fields) if f.label == "Step-up hold")
    sets_row = next(i for i, f in enumerate(ed.fields) if i > hold_row and "sets" in f.label)
    ed.sel = sets_row
    ed.intent("select")  # start changing
    ed.intent("right")
    ed.intent("right")
    ed.intent("select")
    ed.save()
    ps = ProgrammeStore(store)
    prog = ps.current("p01").programme
    hold = next(e for e in prog.exercises if e.name == "step-up-hold")
    assert hold.sets == 3 and ps.current("p01").version == 2
    assert {e.name for e in prog.exercises} == {
        "side-lying-clam",
        "step-up-hold",
        "single-leg-squat",
    }
    assert app.screen.name == "programme"


def test_resting_the_skip_button_names_and_skips_the_next_set(app_factory, home):
    tmp_path, today = home
    app, store = _app(app_factory, tmp_path, today)
    app.autopilot = False
    app.show("session")
    r = app.screen.runner
    r.confirm()  # the clam starts ...
    r.phase_t = 1e3
    r.confirm()  # ... is done: rest, the step-up hold's left side next
    assert r.phase is Phase.REST and r.plan.exercise.name == "step-up-hold"
    run(app, 0.1)
    (rect,) = [b for b, a in app.screen.buttons if a == r.skip]
    from layout_check import draw_logged

    labels = [d.text for d in draw_logged(app) if d.kind == "text" and rect.contains(d.rect)]
    assert labels == ["Skip next set"]
    app.step(1 / 60, [pygame.event.Event(pygame.MOUSEBUTTONDOWN, button=1, pos=rect.center)])
    (sess,) = ProgrammeStore(store).sessions("p01")
    assert [(s.exercise, s.side, s.status) for s in sess.sets][-1] == (
        "step-up-hold",
        "left",
        "skipped",
    )


def test_a_guided_set_asks_for_the_done_button_not_a_spoken_word(app_factory, home):
    tmp_path, today = home
    app, _ = _app(app_factory, tmp_path, today)
    app.show("session")
    app.screen.runner.confirm()
    assert app.screen.runner.prompt == "Go: 2 slowly. Press Done when you finish."
