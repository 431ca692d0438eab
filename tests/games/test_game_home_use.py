"""An older adult or a child alone with the app: it rests until asked, choosing is deliberate
and confirmed, the simulated person's keys work everywhere, and the tests are spoken."""

from __future__ import annotations

import pygame
import pytest
from game_helpers import make_app, run
from test_game_screens import key, options_for

from balance_trainer.store import Store
from games.records import PersonRef
from games.rules.lean_hold import LeanHold, LeanHoldSettings
from games.screens import SCREEN_NAMES
from games.speech import FakeSpeaker, Speaker, espeak_command

QUIET_FPS = 10
"""The long idle runs step at 10 frames/s: time-based rules, a tenth of the frames."""


def idle(app, seconds: float) -> None:
    for _ in range(int(seconds * QUIET_FPS)):
        app.step(1.0 / QUIET_FPS)


def stored(store: Store, pid: str) -> tuple[int, int]:
    """(trials, game results) stored for ``pid``."""
    hist = store.history(pid)
    return sum(len(s.trials) for s in hist), sum(len(s.games) for s in hist)


@pytest.mark.parametrize("start", ["people", "menu"])
def test_left_alone_for_ten_minutes_with_a_quiet_person_the_app_stays_and_records_nothing(
    app_factory, tmp_path, start
):
    store = Store(tmp_path / "bt.db")
    store.add_person("p01", name="Ann", birth_year=1950)
    app = app_factory(start, scenario="quiet", store=store, person=PersonRef("p01", "Ann"))
    idle(app, 600.0)
    assert app.feed.on_board  # someone stood there the whole time
    assert app.screen.name == start and app.visited == [start]
    assert stored(store, "p01") == (0, 0)


def test_after_a_result_nothing_starts_until_asked(app_factory, tmp_path):
    store = Store(tmp_path / "bt.db")
    store.add_person("p01", birth_year=1950)
    app = app_factory(
        "test-run", test="weight-bearing-symmetry", side=None, store=store, person=PersonRef("p01")
    )
    run(app, 25.0)
    assert app.screen.finished
    idle(app, 120.0)
    assert app.screen.name == "test-run" and app.screen.finished
    assert app.visited == ["test-run"]
    assert stored(store, "p01") == (1, 0)


def lean(app, mm: float) -> None:
    """Make the headless simulated person lean ``mm`` to the right (negative: left)."""
    app.screen.autopilot = lambda t: mm


def test_a_lean_held_on_both_feet_chooses_the_tile_leaned_toward(app_factory):
    app = app_factory("menu")
    run(app, 3.0)
    assert app.screen.selected == 0
    lean(app, 60.0)
    run(app, 1.5)
    assert app.screen.name == "menu" and app.screen.selected == 1  # moved, not chosen
    assert app.choose_progress > 0  # the ring is filling
    run(app, 2.0)
    assert app.screen.name == "intro" and app.visited[-2:] == ["menu", "intro"]


def test_a_short_lean_only_moves_and_standing_on_one_leg_never_chooses(app_factory):
    app = app_factory("menu")
    run(app, 3.0)
    lean(app, 60.0)
    run(app, 1.5)
    lean(app, 0.0)
    run(app, 5.0)
    assert app.screen.name == "menu" and app.screen.selected == 1
    key(app, pygame.K_1)  # the simulated person stands on the left leg, and stays there
    run(app, 12.0)
    assert app.screen.name == "menu"
    assert app.feed.lifted_share("left") < 0.05


def test_starting_a_game_asks_first_and_back_returns_to_the_choice(app_factory):
    app = app_factory("intro", game="river")
    run(app, 0.5)
    key(app, pygame.K_RETURN)
    assert app.screen.name == "intro" and app.screen.confirming is not None
    assert "River raft" in app.screen.confirming.question
    key(app, pygame.K_ESCAPE)
    assert app.screen.name == "intro" and app.screen.confirming is None
    key(app, pygame.K_RETURN)
    key(app, pygame.K_RETURN)
    assert app.screen.name == "river"


def test_the_confirm_step_is_answered_by_leaning_left_for_back_and_right_for_yes(app_factory):
    app = app_factory("intro", game="river")
    run(app, 3.0)
    key(app, pygame.K_RETURN)
    lean(app, -60.0)
    run(app, 4.0)
    assert app.screen.name == "intro" and app.screen.confirming is None  # went back
    lean(app, 0.0)
    run(app, 3.0)
    key(app, pygame.K_RETURN)
    lean(app, 60.0)
    run(app, 4.0)
    assert app.screen.name == "river"


def test_a_test_is_confirmed_before_anything_is_recorded(app_factory, tmp_path):
    store = Store(tmp_path / "bt.db")
    store.add_person("p01", birth_year=1950)
    app = app_factory("tests", store=store, person=PersonRef("p01"))
    run(app, 0.5)
    names = [c.key for c in app.screen.choices]
    app.screen.selected = names.index("weight-bearing-symmetry")
    key(app, pygame.K_RETURN)
    run(app, 5.0)
    assert app.screen.name == "tests" and stored(store, "p01") == (0, 0)
    key(app, pygame.K_RETURN)
    assert app.screen.name == "test-run"


@pytest.mark.parametrize("name", SCREEN_NAMES)
def test_the_simulated_persons_stance_keys_work_on_every_screen(app_factory, name):
    app = app_factory(name, **options_for(name))
    run(app, 1.0)
    ctrl = pygame.KMOD_CTRL if app.screen.takes_text else 0
    key(app, pygame.K_0, ctrl)
    run(app, 4.5)  # stepping off takes the simulated person about three seconds
    assert not app.feed.on_board, f"{name}: 0 did not step the simulated person off"
    key(app, pygame.K_2, ctrl)
    run(app, 4.5)
    assert app.feed.on_board, f"{name}: 2 did not bring the simulated person back"


def test_the_pin_is_typed_on_the_keyboard(app_factory):
    app = app_factory("pin")
    run(app, 0.2)
    for k in (pygame.K_1, pygame.K_2, pygame.K_3, pygame.K_4):
        app.step(1 / 60, [pygame.event.Event(pygame.KEYDOWN, key=k, mod=0, unicode=chr(k))])
    key(app, pygame.K_RETURN)
    assert app.screen.name == "settings"


def test_arrows_steer_the_simulated_person_and_up_down_move_the_highlight(app_factory, monkeypatch):
    app = app_factory("menu")
    app.autopilot = False  # a person at the keyboard
    run(app, 3.0)
    key(app, pygame.K_DOWN)
    assert app.screen.selected == 1
    key(app, pygame.K_UP)
    assert app.screen.selected == 0
    held = {pygame.K_RIGHT}

    class Keys:
        def __getitem__(self, k: int) -> bool:
            return k in held

    monkeypatch.setattr(pygame.key, "get_pressed", lambda: Keys())
    key(app, pygame.K_RIGHT)  # a key press alone does not move the highlight...
    assert app.screen.selected == 0
    run(app, 2.0)  # ...holding it leans the simulated person, which does
    assert app.sim_target_mm > 40 and app.screen.selected == 1 and app.screen.name == "menu"


def test_lean_hold_needs_the_lean_held_and_both_feet_loaded():
    h = LeanHold(LeanHoldSettings(hold_s=2.0))
    h.reset(0.0)
    t, got = 0.0, []
    for _ in range(100):  # back in the middle first (the latch), then a clear lean for 3 s
        t += 0.05
        got.append(h.update(t, 0.0 if t < 1.0 else 1.2, True))
    assert got.count(1) == 1 and got.index(1) * 0.05 == pytest.approx(3.0, abs=0.1)
    h.reset(t)
    for _ in range(100):
        t += 0.05
        assert h.update(t, 0.0 if t < 6.0 else 1.2, False) == 0  # on one leg: never


def test_every_test_step_is_spoken_with_the_eyes_closed_countdown(app_factory):
    speech = FakeSpeaker()
    app = make_app("test-run", test="single-leg-stance", side="left", eyes="closed")
    app.speech = speech
    app.screen.proto.trials = 1
    app.screen.proto.max_time_s = 15.0
    try:
        for _ in range(60 * 60):
            app.step(1 / 60)
            if app.screen.finished:
                break
        said = speech.said
        assert app.screen.finished
        assert "Lift your right foot now." in said
        assert "Eyes closed now. Hold still." in said
        assert "Eyes closed. 10 seconds left." in said
        assert any("Put your foot down" in s for s in said)
        assert said[-1].startswith("Test finished.")
    finally:
        app.close()


def test_speech_has_an_off_switch_and_follows_the_volume(app_factory):
    app = app_factory("menu")
    app.speech = FakeSpeaker()
    app.settings.volume = 4
    app.say("Hello")
    app.set_speech(False)
    app.say("Not said")
    assert app.speech.said_at == [("Hello", 4)]
    assert espeak_command("Hi", 10)[:7] == ["espeak-ng", "-v", "en", "-s", "150", "-a", "200"]
    assert espeak_command("Hi", 5)[6] == "100"


def test_the_espeak_speaker_never_waits_in_the_callers_frame():
    import threading

    started: list[list[str]] = []
    talking = threading.Event()
    release = threading.Event()

    class Proc:  # espeak-ng: talks until released
        def __init__(self, cmd, **kw):
            started.append(cmd)
            talking.set()

        def poll(self):
            return None if not release.is_set() else 0

        def wait(self):
            release.wait(5.0)

        def terminate(self):
            release.set()

    sp = Speaker("/usr/bin/espeak-ng", popen=Proc)
    sp.say("Lift your right foot now.")  # returns while the engine still talks
    assert talking.wait(5.0) and not release.is_set()
    sp.say("Put your foot down.")  # the newer instruction cuts the old one short
    assert release.is_set()
    sp.close()
    assert started[0][-1] == "Lift your right foot now."
