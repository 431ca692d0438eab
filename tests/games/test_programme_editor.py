"""The clinician's programme editor changes an exercise's sides and notes, driven by key
presses, taps and the on-screen keyboard, and stores each change as a new version."""

from __future__ import annotations

import pygame
import pytest
from game_helpers import run
from test_game_screens import click, key
from test_session_screen import _app
from test_session_screen import home as home  # noqa: F401 - the fixture

from balance_trainer.programme_store import ProgrammeStore


def _row(ed, exercise_title: str, label: str) -> int:
    """The editor's row ``label`` under ``exercise_title``."""
    start = next(i for i, f in enumerate(ed.fields) if f.label == exercise_title)
    return next(i for i, f in enumerate(ed.fields) if i > start and f.label.strip() == label)


def _go_to(app, row: int) -> None:
    """Move the editor's highlight to ``row`` with the Down key, as a clinician would."""
    while app.screen.sel != row:
        key(app, pygame.K_DOWN)


def _minus(ed, row: int) -> pygame.Rect:
    """The "-" button drawn on the editor's row ``row`` (the leftmost button in it)."""
    r = ed.row_rects[row]
    return min((b for b, _ in ed.buttons if r.contains(b)), key=lambda b: b.left)


def _stored(store, name: str):
    cur = ProgrammeStore(store).current("p01")
    return cur, next(e for e in cur.programme.exercises if e.name == name)


def _tap(app, label: str) -> None:
    """Tap the editor's button or the keyboard's key called ``label``."""
    run(app, 1 / 60)
    scr = app.screen
    if hasattr(scr, "choices") and scr.choices:
        i = next(k for k, c in enumerate(scr.choices) if c.label == label)
        click(app, scr.rects()[i].center)
        return
    raise AssertionError(f"no key {label!r} on {scr.name}")


def test_select_on_the_sides_row_makes_the_step_up_hold_left_only_in_a_new_version(
    app_factory, home
):
    tmp_path, today = home
    app, store = _app(app_factory, tmp_path, today)
    app.show("programme-edit")
    ed = app.screen
    _go_to(app, _row(ed, "Step-up hold", "sides"))
    key(app, pygame.K_RETURN)  # both -> left
    assert ed.fields[ed.sel].get() == "left"
    run(app, 0.1)
    save = next(r for r, a in ed.buttons if a == ed.save)
    click(app, save.center)
    cur, hold = _stored(store, "step-up-hold")
    assert hold.sides == ("left",) and cur.version == 2 and cur.author == "clinician"
    assert ProgrammeStore(store).versions("p01")[0].programme.exercises[1].sides == (
        "left",
        "right",
    )  # the old version is kept as it was
    assert [p.side for p in cur.programme.steps() if p.exercise.name == "step-up-hold"] == ["left"]
    assert app.screen.name == "programme"


def test_the_minus_button_steps_the_sides_back_and_round(app_factory, home):
    tmp_path, today = home
    app, store = _app(app_factory, tmp_path, today)
    app.show("programme-edit")
    ed = app.screen
    row = _row(ed, "Single-leg squat", "sides")  # the file says left only
    assert ed.fields[row].get() == "left"
    _go_to(app, row)
    run(app, 0.1)
    click(app, _minus(ed, row).center)  # left -> both
    assert ed.fields[row].get() == "both"
    run(app, 0.1)
    click(app, _minus(ed, row).center)  # both -> right (round the end)
    assert ed.fields[row].get() == "right"
    ed.save()
    assert _stored(store, "single-leg-squat")[1].sides == ("right",)


def test_notes_typed_on_the_keyboard_are_stored_with_the_draft_in_a_new_version(app_factory, home):
    tmp_path, today = home
    app, store = _app(app_factory, tmp_path, today)
    app.show("programme-edit")
    ed = app.screen
    _go_to(app, _row(ed, "Step-up hold", "sets"))
    key(app, pygame.K_RETURN)
    key(app, pygame.K_RIGHT)  # sets 1 -> 2, not saved yet
    key(app, pygame.K_RETURN)
    _go_to(app, _row(ed, "Step-up hold", "notes"))
    key(app, pygame.K_RETURN)
    assert app.screen.name == "programme-notes"
    assert app.screen.title == "Notes: Step-up hold"
    for k in "TALL":  # taps on the on-screen keys write a sentence: a capital, then lower case
        _tap(app, k)
    _tap(app, "_")
    _tap(app, "123")
    _tap(app, "3")
    _tap(app, "ABC")
    for ch in " s.":  # a real keyboard types too
        app.step(1 / 60, [pygame.event.Event(pygame.KEYDOWN, key=0, mod=0, unicode=ch)])
    assert app.screen.entry == "Tall 3 s."
    _tap(app, "OK")
    assert app.screen is ed  # back in the same editor, the draft kept
    assert ProgrammeStore(store).current("p01").version == 1  # nothing stored before Save
    ed.intent("right")
    while ed.sel != len(ed.fields):
        key(app, pygame.K_DOWN)
    key(app, pygame.K_RETURN)  # Save
    cur, hold = _stored(store, "step-up-hold")
    assert (hold.notes, hold.sets, cur.version) == ("Tall 3 s.", 2, 2)
    assert "Tall 3 s." in "\n".join(cur.programme.describe())


def test_back_on_an_empty_entry_leaves_the_keyboard_without_changing_the_notes(app_factory, home):
    tmp_path, today = home
    app, store = _app(app_factory, tmp_path, today)
    ps = ProgrammeStore(store)
    import dataclasses

    prog = ps.current("p01").programme
    ex = list(prog.exercises)
    ex[0] = dataclasses.replace(ex[0], notes="Feet together")
    ps.set_programme("p01", dataclasses.replace(prog, exercises=tuple(ex)))
    app.show("programme-edit")
    ed = app.screen
    _go_to(app, _row(ed, "Side-lying clam", "notes"))
    key(app, pygame.K_RETURN)
    notes = app.screen
    assert notes.entry == "Feet together"
    for _ in range(len("Feet together")):
        key(app, pygame.K_BACKSPACE)  # Back deletes while there is text...
    assert notes.entry == "" and app.screen is notes
    key(app, pygame.K_BACKSPACE)  # ...then leaves
    assert app.screen is ed and ed.dose["side-lying-clam"][6] == "Feet together"


def test_ok_on_an_empty_entry_clears_the_notes(app_factory, home):
    tmp_path, today = home
    app, store = _app(app_factory, tmp_path, today)
    app.show("programme-edit")
    ed = app.screen
    ed.set_notes("crab-walk", "Band above the knees")
    ed.edit_notes(ed.fields[_row(ed, "Crab walk", "notes")])
    app.screen.entry = ""
    key(app, pygame.K_RETURN)
    assert app.screen is ed and ed.dose["crab-walk"][6] == ""


@pytest.mark.parametrize("first", [True, False], ids=["first-set", "later-set"])
def test_the_physios_notes_are_shown_before_a_set_and_read_out_before_the_first(
    app_factory, home, first
):
    import dataclasses

    tmp_path, today = home
    app, store = _app(app_factory, tmp_path, today)
    ps = ProgrammeStore(store)
    prog = ps.current("p01").programme
    ex = list(prog.exercises)
    ex[1] = dataclasses.replace(ex[1], notes="Squeeze the standing buttock")
    ps.set_programme("p01", dataclasses.replace(prog, exercises=tuple(ex)))
    app.autopilot = False
    app.show("session")
    r = app.screen.runner
    said = app.screen.said
    r.skip()  # the clam
    if not first:
        r.skip()  # the step-up hold's left side: the right side is next
    assert r.plan.exercise.name == "step-up-hold" and r.plan.side == ("left" if first else "right")
    from layout_check import draw_logged

    texts = " ".join(d.text for d in draw_logged(app) if d.kind == "text")
    assert "Your physio: Squeeze the" in texts
    noted = [s for s in said if "Your physio says: Squeeze the standing buttock" in s]
    assert len(noted) == 1  # once, before the first side's set, not again
    assert said[-1] == noted[0] if first else said[-1] != noted[0]


def test_keys_typed_after_a_notes_last_sentence_start_a_new_one(app_factory, home):
    tmp_path, today = home
    app, _ = _app(app_factory, tmp_path, today)
    app.show("programme-edit")
    ed = app.screen
    ed.set_notes("step-up-hold", "Feet together.")
    ed.edit_notes(ed.fields[_row(ed, "Step-up hold", "notes")])
    for k in "SLOW":
        _tap(app, k)
    assert app.screen.entry == "Feet together. Slow"
