"""Every screen and game runs headless on the simulated board; the app's own behaviour."""

from __future__ import annotations

import json

import numpy as np
import pygame
import pytest
from game_helpers import make_app, run
from game_sources import ScriptedSource, connect, standing

from balance_trainer.store import Store
from games.app import NOBODY_FINISH_S, InputQueue
from games.catalog import GAMES
from games.records import PersonRef
from games.screens import SCREEN_NAMES, make_screen
from games.settings import load_settings

SCREEN_OPTIONS = {
    "intro": {"game": "river"},
    "result": {
        "game": "river",
        "result": None,
        "stars": 2,
        "lines": ["Gates: 3 of 4"],
        "best_before": None,
    },
    "test-setup": {"test": "single-leg-stance"},
    "test-run": {"test": "single-leg-stance", "side": "left"},
    "spirit-level": {"side": "left"},
    "river": {"side": "both"},
    "squat-builder": {"side": "right"},
}


def options_for(name: str) -> dict:
    opts = dict(SCREEN_OPTIONS.get(name, {}))
    if name == "result":
        from games.records import GameResult

        opts["result"] = GameResult("river", 42.0, details={"gates_passed": 3})
    return opts


def key(app, k: int, mod: int = 0) -> None:
    app.step(1 / 60, [pygame.event.Event(pygame.KEYDOWN, key=k, mod=mod, unicode="")])


def click(app, pos: tuple[int, int]) -> None:
    app.step(1 / 60, [pygame.event.Event(pygame.MOUSEBUTTONDOWN, button=1, pos=pos)])


@pytest.mark.parametrize("name", SCREEN_NAMES)
@pytest.mark.parametrize("size", [(800, 480), (1920, 1080)])
def test_every_screen_runs_and_draws_headless(app_factory, name, size):
    app = app_factory(name, size=size, **options_for(name))
    run(app, 1.0)
    assert app.screen is not None
    # Something was drawn: the frame is not one flat colour.
    arr = pygame.surfarray.pixels3d(app.surface)
    assert arr.reshape(-1, 3).std(axis=0).max() > 5
    del arr


@pytest.mark.parametrize("game", list(GAMES))
def test_every_game_plays_a_round_in_easy_mode(app_factory, game):
    app = app_factory(game, easy=True, side="left")
    run(app, 8.0)
    assert app.screen.name == game and app.screen.phase == "play"
    assert app.ui.theme.name == "easy"


def test_standing_still_never_chooses_and_a_press_takes_guest_then_zeroes_to_the_menu(
    app_factory,
):
    app = app_factory()  # starts at "who is training"
    assert app.screen.name == "people"
    run(app, 20.0)
    assert app.screen.name == "people"  # standing there chose nothing
    key(app, pygame.K_RETURN)
    assert app.screen.name == "zero"
    run(app, 14.0)  # the simulated person steps off, the board is zeroed, they step on again
    assert app.visited[:3] == ["people", "zero", "menu"]
    assert app.feed.latest.total_kg == pytest.approx(70.0, abs=1.5)


def test_leaning_right_moves_the_menu_selection(app_factory):
    app = app_factory("menu")
    run(app, 2.5)
    assert app.screen.selected == 0
    app.autopilot = False
    app.screen.steer_sim = True  # let the test lean the simulated person
    app.sim_target_mm = 70.0
    app._mouse_steer = True
    run(app, 2.0)
    assert app.screen.selected == 1


def test_keys_and_injected_buttons_become_intents(app_factory):
    q = InputQueue()
    app = app_factory("menu", inputs=q)
    app.nav.enabled = False
    key(app, pygame.K_RIGHT)
    key(app, pygame.K_RIGHT)
    assert app.screen.selected == 2
    q.push("left")
    q.push("nonsense")
    app.step(1 / 60)
    assert app.screen.selected == 1
    q.push("select")
    app.step(1 / 60)
    assert app.screen.name == "intro" and app.screen.info.name == "river"
    key(app, pygame.K_ESCAPE)
    assert app.screen.name == "menu"


def test_a_tap_on_a_tile_takes_it(app_factory):
    app = app_factory("menu")
    rect = app.screen.rects()[3]
    click(app, rect.center)
    assert app.screen.name == "tests"


def test_ctrl_q_and_closing_the_window_quit(app_factory):
    app = app_factory("menu")
    key(app, pygame.K_q, pygame.KMOD_CTRL)
    assert not app.running
    app2 = app_factory("menu")
    app2.step(1 / 60, [pygame.event.Event(pygame.QUIT)])
    assert not app2.running


def test_back_during_a_round_ends_it_and_shows_the_result(app_factory):
    app = app_factory("river", side="both")
    run(app, 6.0)
    key(app, pygame.K_ESCAPE)
    run(app, 2.5)
    assert app.screen.name == "result"
    assert app.screen.res.game == "river"


def test_a_round_saves_its_score_for_a_person_in_the_store(app_factory, tmp_path):
    store = Store(tmp_path / "bt.db")
    store.add_person("p01", name="Ada")
    app = app_factory("river", side="both", store=store, person=PersonRef("p01", "Ada"))
    app.screen.config.duration_s = 8.0
    run(app, 15.0)
    assert app.screen.name == "result"
    games = [g for s in store.history("p01") for g in s.games]
    assert len(games) == 1 and games[0].game == "river"
    assert games[0].score == app.screen.res.score
    assert "gates_passed" in games[0].details and "ml_rms_mm" in games[0].details


def test_a_guest_round_is_kept_for_the_session_only(app_factory):
    app = app_factory("river", side="both")
    app.screen.config.duration_s = 5.0
    run(app, 12.0)
    assert app.screen.name == "result"
    assert [r.game for r in app.records.results(app.person)] == ["river"]


def test_the_board_unplugged_mid_game_pauses_it_and_it_resumes_when_back():
    src = ScriptedSource(standing(cop_ml_mm=lambda t: 10.0 * np.sin(t)), gap=(6.0, 9.0))
    app = make_app("river", conn=connect(src), side="both")
    try:
        run(app, 6.0)
        assert app.screen.phase == "play"
        played = app.screen.rules.elapsed_s
        run(app, 2.5)
        assert app.feed.status == "stalled" and app._held() == "lost"
        assert app.screen.rules.elapsed_s == pytest.approx(played, abs=1.1)
        frozen = app.screen.rules.elapsed_s
        run(app, 1.5)
        assert app.feed.status == "ok" and app._held() == ""
        assert app.screen.rules.elapsed_s > frozen
    finally:
        app.close()


def test_nobody_on_the_board_pauses_a_round_then_finishes_it():
    src = ScriptedSource(lambda t: standing()(t) if t < 6.0 else np.zeros(4))
    app = make_app("river", conn=connect(src), side="both")
    try:
        run(app, 7.0)
        assert app._held() == "nobody"
        run(app, NOBODY_FINISH_S + 3.0)
        assert app.screen.name == "result"
    finally:
        app.close()


def test_the_pin_guards_the_settings_and_can_be_changed(app_factory, tmp_path):
    app = app_factory("pin", data_dir=tmp_path)
    for k in (pygame.K_9, pygame.K_9, pygame.K_9, pygame.K_9):
        key(app, k)
    app.screen.key("OK")
    assert app.screen.name == "pin" and "not right" in app.screen.message
    for d in "1234":
        app.screen.key(d)
    app.screen.key("OK")
    assert app.screen.name == "settings"
    app.show("pin", mode="new")
    for entry in ("2468", "2468"):
        for d in entry:
            app.screen.key(d)
        app.screen.key("OK")
    assert app.screen.name == "settings"
    saved = load_settings(tmp_path)
    assert saved.check_pin("2468") and not saved.check_pin("1234")


def test_settings_change_volume_easy_mode_and_hands_free_and_are_saved(app_factory, tmp_path):
    app = app_factory("settings", data_dir=tmp_path)
    keys = [c.label for c in app.screen.choices]
    app.screen.choose(keys.index("Volume"))
    app.screen.choose(keys.index("Easy mode"))
    app.screen.choose(keys.index("Hands-free"))
    app.screen.choose(keys.index("Round length"))
    s = json.loads((tmp_path / "games.json").read_text())
    assert s["volume"] == 8 and s["easy_mode"] is True and s["hands_free"] is False
    assert s["round_s"] == 60
    assert app.ui.theme.name == "easy" and not app.nav.enabled


def test_adding_a_person_asks_for_a_name_confirms_and_takes_the_next_free_id(app_factory, tmp_path):
    store = Store(tmp_path / "bt.db")
    store.add_person("P01")
    app = app_factory("settings", store=store)
    labels = [c.label for c in app.screen.choices]
    app.screen.choose(labels.index("Add person"))
    assert app.screen.name == "name" and app.screen.pid == "p02"  # P01 taken in any case
    for ch in "Bo":
        app.step(
            1 / 60, [pygame.event.Event(pygame.KEYDOWN, key=ord(ch.lower()), mod=0, unicode=ch)]
        )
    letters = [c.label for c in app.screen.choices]
    app.screen.choose(letters.index("B"))  # the on-screen keyboard types too
    key(app, pygame.K_BACKSPACE)
    key(app, pygame.K_RETURN)
    assert app.screen.confirming is not None and "Add Bo as p02?" == app.screen.confirming.question
    assert [p.id for p in store.list_people()] == ["P01"]  # nothing before the confirm
    key(app, pygame.K_RETURN)
    assert app.screen.name == "settings"
    assert [(p.id, p.name) for p in store.list_people()] == [("P01", None), ("p02", "Bo")]
    assert app.records.find("P02").name == "Bo"  # ids match in any letter case
    app.show("people")
    assert [c.label for c in app.screen.choices] == ["P01", "Bo", "Guest"]


def test_a_broken_store_keeps_the_game_going_with_a_note(app_factory, tmp_path):
    store = Store(tmp_path / "bt.db")
    store.add_person("p01")
    app = app_factory("river", side="both", store=store, person=PersonRef("p01"))
    app.screen.config.duration_s = 4.0
    store.close()
    run(app, 11.0)
    assert app.screen.name == "result"
    assert app.records.note.startswith("scores not saved")


def test_the_adaptive_band_of_the_spirit_level_comes_from_recent_sway(app_factory, tmp_path):
    store = Store(tmp_path / "bt.db")
    store.add_person("p01")
    sid = store.start_session("p01", "game")
    for rms in (9.0, 10.0, 11.0):
        store.add_game_result(sid, "spirit-level", 50, details={"ml_rms_mm": rms})
    app = app_factory("spirit-level", side="left", store=store, person=PersonRef("p01"))
    assert app.screen.config.band_mm == pytest.approx(1.6 * 10.0)
    guest = app_factory("spirit-level", side="left")
    assert guest.screen.config.band_mm == pytest.approx(10.0)


def test_the_simulated_person_stands_on_the_leg_the_game_asks_for(app_factory):
    app = app_factory("spirit-level", side="right")
    run(app, 10.0)
    b = app.feed.latest
    assert b.left_n < 0.05 * b.total_n and app.screen.rules.phase == "playing"
    assert app.screen.rules.stance_side == "right"


def test_the_simulated_board_badge_is_drawn_only_for_a_simulated_board(app_factory):
    app = app_factory("menu")
    run(app, 0.2)
    r = app.badge_rect
    spot = (r.left + 3, r.centery)
    assert r.right <= app.ui.w and tuple(app.surface.get_at(spot))[:3] == app.ui.theme.sim_badge
    app.feed.conn.source.simulated = False
    app.step(1 / 60)
    assert app.badge_rect is None
    assert tuple(app.surface.get_at(spot))[:3] != app.ui.theme.sim_badge


def test_the_squat_builder_counts_squats_from_the_event_detector(app_factory):
    app = app_factory("squat-builder", scenario="squats-left", side="left")
    run(app, 26.0)
    r = app.screen.rules
    assert r.reps == 5 and r.built >= 1


def test_unknown_screen_names_are_refused(app_factory):
    app = app_factory("menu")
    with pytest.raises(KeyError, match="no screen called"):
        make_screen(app, "chess")


def test_sounds_play_for_cues_and_rewards(app_factory):
    app = app_factory("river", side="both")
    run(app, 12.0)
    played = app.sounds.played
    assert played.count("tick") == 3 and "go" in played
    assert {"good", "perfect", "splash"} & set(played)


def test_a_clinical_test_runs_from_the_board_and_is_stored_with_its_frames(app_factory, tmp_path):
    store = Store(tmp_path / "bt.db")
    store.add_person("p01", birth_year=1950)
    app = app_factory(
        "test-run", test="weight-bearing-symmetry", side=None, store=store, person=PersonRef("p01")
    )
    run(app, 16.0)
    screen = app.screen
    assert screen.finished and not screen.error
    assert any("Left foot" in line for line in screen.friendly)
    assert screen.lines[0].startswith("Weight-bearing symmetry")
    assert app.sounds.played.count("tick") >= 3 and "done" in app.sounds.played
    trials = [t for s in store.history("p01") for t in s.trials]
    assert len(trials) == 1 and trials[0].status == "complete"
    assert trials[0].protocol == "weight-bearing-symmetry" and trials[0].n_frames > 80 * 10
    assert trials[0].result["test"] == "weight-bearing-symmetry"


def test_the_one_leg_stand_compares_with_the_norm_for_the_persons_age(app_factory, tmp_path):
    from datetime import datetime

    store = Store(tmp_path / "bt.db")
    store.add_person("p02", birth_year=datetime.now().year - 75)
    app = app_factory(
        "test-run", test="single-leg-stance", side="right", store=store, person=PersonRef("p02")
    )
    app.screen.proto.trials = 1
    app.screen.proto.max_time_s = 10.0
    for _ in range(60 * 40):
        app.step(1 / 60)
        if app.screen.finished:
            break
    assert app.screen.finished
    assert any("average for ages 70" in line for line in app.screen.friendly)
    assert any("Right leg: best" in line for line in app.screen.friendly)


def test_leaving_a_test_early_keeps_its_frames_as_an_aborted_trial(app_factory, tmp_path):
    store = Store(tmp_path / "bt.db")
    store.add_person("p03")
    app = app_factory(
        "test-run", test="hip-stability", side="left", store=store, person=PersonRef("p03")
    )
    run(app, 5.0)
    key(app, pygame.K_ESCAPE)
    assert app.screen.name == "tests"
    trials = [t for s in store.history("p03") for t in s.trials]
    assert [t.status for t in trials] == ["aborted"] and trials[0].n_frames > 0


def test_the_tests_menu_lists_every_protocol_the_board_can_run(app_factory):
    from balance_trainer.protocols import needs_ap, protocol_names

    app = app_factory("tests")  # the default two-plate board: no AP
    keys = [c.key for c in app.screen.choices if c.key]
    assert sorted(keys) == sorted(n for n in protocol_names() if not needs_ap(n))
    assert "btracks-balance" not in keys and "mctsib" in keys
    app = app_factory("tests", board="sim:corners-4")
    keys = [c.key for c in app.screen.choices if c.key]
    assert sorted(keys) == sorted(protocol_names())


def test_a_test_that_needs_ap_explains_itself_on_an_ml_only_board(app_factory):
    app = app_factory("test-run", test="btracks-balance", side=None)
    assert app.screen.proto is None
    assert "side-to-side sway only" in app.screen.error


def test_real_time_runs_the_sampler_thread_and_measures_arrival_to_frame():
    from balance_trainer.wiring import open_board
    from games.app import App
    from games.feed import BoardFeed
    from games.records import Records
    from games.settings import GameSettings
    from games.sound import SoundBank

    conn = open_board("sim", scenario="interactive", realtime=True)
    feed = BoardFeed(conn, realtime=True)
    app = App(
        feed,
        settings=GameSettings(),
        records=Records(),
        surface=pygame.display.set_mode((800, 480)),
        sounds=SoundBank(enabled=False),
        start="river",
        start_options={"side": "both"},
    )
    try:
        stats = app.run(max_frames=40)
    finally:
        app.close()
    assert stats["frames"] == 40 and feed.frames_seen > 20
    assert stats["arrival_to_frame_ms"]["max"] < 1000
    assert not feed._sampler.running


def test_progress_follows_the_btracks_path_and_leaves_an_old_velocity_mctsib_untrended():
    from games.screens.progress import key_values

    new = {
        "test": "mctsib",
        "complete": True,
        "path_cm": {"eo_firm": 14.0, "ec_firm": 15.0, "eo_foam": 40.0, "ec_foam": 45.0},
    }
    assert key_values(new)[:2] == ({"": 114.0}, "cm path, 4 parts")
    assert key_values({**new, "complete": False})[0] == {}
    old = {"test": "mctsib", "composite_velocity_mm_s": 6.5, "complete": True}
    assert key_values(old)[0] == {}  # sway velocity is another measure: no trend across
    assert key_values({"test": "btracks-balance", "score_cm": 14.3})[:2] == (
        {"": 14.3},
        "cm path",
    )
