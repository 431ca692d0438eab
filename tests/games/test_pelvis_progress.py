"""Progress plots the pelvis sensor's drop per standing leg over the hold tests: laid out at
every size and in easy mode, reached from the progress screen only when there is something to
plot, and its words call a change real only beyond the 4 degree MDC."""

from __future__ import annotations

import pygame
import pytest
from game_helpers import run
from layout_check import draw_logged, layout_faults
from pelvis_history import DROPS, hip_result, store_with_pelvis_tests

from balance_trainer.pelvis import DropPoint, drop_history
from balance_trainer.results import TestResult
from games.records import PersonRef
from games.screens.pelvis_progress import history_words
from games.screens.progress import pelvis_words

ANN = PersonRef("p01", "Ann")


@pytest.fixture
def store(tmp_path):
    s = store_with_pelvis_tests(tmp_path / "bt.db")
    yield s
    s.close()


def typed(left: float, right: float) -> TestResult:
    return TestResult.from_json(hip_result(left, right))


@pytest.mark.parametrize(
    "size,easy",
    [((800, 480), False), ((800, 480), True), ((1280, 720), False), ((1920, 1080), False)],
    ids=["800x480", "800x480-easy", "1280x720", "1920x1080"],
)
def test_the_pelvis_plot_lays_out_with_its_lines_labelled(app_factory, store, size, easy):
    app = app_factory("pelvis-progress", size=size, easy=easy, store=store, person=ANN)
    run(app, 0.5)
    log = draw_logged(app)
    texts = {d.text for d in log if d.kind == "text"}
    assert {"4\N{DEGREE SIGN} clear drop", "2\N{DEGREE SIGN} drop"} <= texts
    assert "Left leg 0.6\N{DEGREE SIGN}" in texts and "Right leg 3.1\N{DEGREE SIGN}" in texts
    assert {"03 Nov", "24 Nov"} <= texts  # the first and the latest test
    faults = layout_faults(log, size, app.ui.u, easy=easy)
    assert not faults, "\n".join(faults)


def test_the_plotted_points_sit_at_their_drops(app_factory, store):
    """The latest right-leg point (3.1 deg) is drawn between the 2 and 4 degree lines."""
    app = app_factory("pelvis-progress", store=store, person=ANN)
    run(app, 0.5)
    log = draw_logged(app)
    label = {d.text: d.rect for d in log if d.kind == "text"}
    y4 = label["4\N{DEGREE SIGN} clear drop"].centery
    y2 = label["2\N{DEGREE SIGN} drop"].centery
    accent = app.ui.theme.accent
    arr = pygame.surfarray.pixels3d(app.surface)
    plot_right = label["24 Nov"].right  # the dates end where the plot ends
    column = arr[plot_right - 30 : plot_right - 10, min(y4, y2) - 40 : max(y4, y2) + 40]
    hits = (abs(column.astype(int) - accent).sum(axis=2) < 40).nonzero()[1]
    del arr
    assert hits.size, "the right leg's latest point is drawn"
    y = int(hits.mean()) + min(y4, y2) - 40
    assert y4 - 15 < y < y2 + 15


def test_progress_offers_the_plot_only_with_pelvis_results(app_factory, store, tmp_path):
    from balance_trainer.store import Store

    app = app_factory("progress", store=store, person=ANN)
    run(app, 0.3)
    assert [c.label for c in app.screen.choices] == ["Back", "Pelvis"]
    app.screen.choose(1)
    run(app, 0.3)
    assert app.screen.name == "pelvis-progress"
    app.screen.intent("back")
    run(app, 0.3)
    assert app.screen.name == "progress"
    bare = Store(tmp_path / "bare.db")
    bare.add_person("p02", name="Bob")
    other = app_factory("progress", store=bare, person=PersonRef("p02", "Bob"))
    run(other, 0.3)
    assert [c.label for c in other.screen.choices] == ["Back"]


def test_drop_history_keeps_each_leg_in_test_order_and_skips_squats():
    squat = TestResult.from_json({"test": "single-leg-squat", "reps": []})
    hist = drop_history([(1, typed(0.4, 7.2)), (2, squat), (3, typed(0.9, 6.1))])
    assert [p.mean_deg for p in hist["right"]] == [7.2, 6.1]
    assert [p.when for p in hist["left"]] == [1, 3]
    assert len(DROPS) == 4  # the stored history the layout tests draw


def test_a_change_is_called_real_only_beyond_the_mdc():
    hist = {"left": [DropPoint(1, 0.4), DropPoint(2, 0.9)], "right": [DropPoint(1, 9.0)]}
    assert "within the 4\N{DEGREE SIGN} of measurement error" in history_words(hist)
    hist["right"].append(DropPoint(2, 3.5))
    words = history_words(hist)
    assert "right leg -5.5\N{DEGREE SIGN}" in words and "a real change on the right leg" in words
    assert history_words(hist, short=True) == "Since last time: real change, right."
    assert history_words({"left": [DropPoint(1, 0.4)]}) == ""


def test_progress_says_what_the_pelvis_sensor_saw_and_whether_it_changed():
    words = pelvis_words(typed(0.5, 9.0), typed(1.0, 3.5))
    assert "on the right leg the left hip dropped 3.5" in words and "a real change" in words
    assert "within measurement error" in words  # the left leg's 0.5 degree change
    no_sensor = TestResult.from_json({"test": "hip-stability", "trials": []})
    assert pelvis_words(None, no_sensor) == ""
