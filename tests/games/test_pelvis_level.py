"""The "stand level" step: before a pelvis game or test the pelvis sensor is zeroed on the
person standing still (the simulated sensor through the fake chip and the real zeroing); a
person who moves is told so and it tries again by itself; without a sensor it is skipped."""

from __future__ import annotations

import pytest
from game_helpers import run
from layout_check import draw_logged, layout_faults

from balance_trainer.errors import SensorTimeout
from balance_trainer.wiring import open_board
from games.screens.pelvis_level import LevelPhase


def sim_with_pelvis():
    return open_board("sim", scenario="interactive", realtime=False, pelvis="sim")


def level_app(app_factory, **kw):
    return app_factory(
        "pelvis-level",
        conn=sim_with_pelvis(),
        next_screen="spirit-level",
        next_options={"side": "left"},
        **kw,
    )


def test_standing_still_zeroes_the_sensor_and_starts_the_game(app_factory):
    app = level_app(app_factory)
    run(app, 1.0)
    screen = app.screen
    assert screen.phase is LevelPhase.ZEROING and 0.2 < screen.progress < 0.8
    run(app, 3.0)
    assert app.screen.name == "spirit-level" and screen.tries == 1
    assert screen.phase is LevelPhase.LEVEL


def run_until(app, done, seconds: float) -> None:
    for _ in range(int(seconds * app.fps)):
        if done():
            return
        run(app, 1 / app.fps)


def test_moving_during_zeroing_is_refused_said_and_tried_again(app_factory):
    app = level_app(app_factory)
    screen = app.screen
    app.feed.sim.set_stance("left")  # shifts onto the left leg and lifts the right foot
    run_until(app, lambda: screen.phase is LevelPhase.RETRY, 4.0)
    assert screen.phase is LevelPhase.RETRY and app.screen is screen
    log = draw_logged(app)
    assert any("You moved" in d.text for d in log if d.kind == "text")
    assert not layout_faults(log, (800, 480), app.ui.u, easy=False)
    app.feed.sim.set_stance("both")
    run_until(app, lambda: app.screen is not screen, 12.0)
    assert app.screen.name == "spirit-level" and screen.tries >= 2


def test_a_stopped_sensor_is_said_and_the_game_goes_on_without_it(app_factory):
    app = level_app(app_factory)
    run(app, 0.5)
    app.feed.conn.pelvis.error = SensorTimeout("the pelvis sensor has produced no data")
    run(app, 0.5)
    assert app.screen.phase is LevelPhase.FAILED
    assert "produced no data" in app.screen.message
    run(app, 4.5)
    assert app.screen.name == "spirit-level"


def test_a_pelvis_game_chosen_at_its_intro_stands_level_first(app_factory):
    app = app_factory("intro", conn=sim_with_pelvis(), game="spirit-level")
    run(app, 0.3)
    labels = [c.label for c in app.screen.choices]
    app.screen.choices[0].action()  # the first side, as the confirm step would
    assert app.screen.name == "pelvis-level", labels
    assert app.screen.next_screen == "spirit-level"


def test_without_a_sensor_the_game_starts_at_once(app_factory):
    app = app_factory("intro", game="spirit-level")
    run(app, 0.3)
    app.screen.choices[0].action()
    assert app.screen.name == "spirit-level"


def test_a_test_without_the_pelvis_skips_the_step(app_factory):
    from games.screens.pelvis_level import show_leveled

    app = app_factory("menu", conn=sim_with_pelvis())
    run(app, 0.2)
    show_leveled(app, "test-run", test="weight-bearing-symmetry", side=None)
    assert app.screen.name == "test-run"
    show_leveled(app, "test-run", test="hip-stability", side="left", eyes="open")
    assert app.screen.name == "pelvis-level"


@pytest.mark.parametrize(
    "size,easy",
    [((800, 480), False), ((800, 480), True), ((1280, 720), False), ((1920, 1080), False)],
    ids=["800x480", "800x480-easy", "1280x720", "1920x1080"],
)
def test_the_stand_level_step_lays_out(app_factory, size, easy):
    app = level_app(app_factory, size=size, easy=easy)
    run(app, 1.0)
    log = draw_logged(app)
    assert any(d.text == "Stand level" for d in log if d.kind == "text")
    faults = layout_faults(log, size, app.ui.u, easy=easy)
    assert not faults, "\n".join(faults)
