"""Scores add up the way the games promise: exact sums, not "more than before"."""

from __future__ import annotations

import numpy as np
import pygame
import pytest

from games.rules.river import River, RiverConfig
from games.rules.spirit_level import POINTS_PER_S, Phase, SpiritLevel, SpiritLevelConfig

DT = 1 / 60


def _level(game: SpiritLevel, seconds: float, cop_mm: float, t0: float) -> float:
    t = t0
    for _ in range(int(round(seconds / DT))):
        t += DT
        game.update(t, cop_mm, game.stance_side)
    return t


def test_spirit_level_points_follow_the_fill_including_the_drift_penalty():
    c = SpiritLevelConfig(band_mm=15.0, drift_mm=6.0, drift_penalty=0.5, duration_s=None)
    steady, drifting = SpiritLevel("left", c), SpiritLevel("left", c)
    t = _level(steady, 2.0 + DT, -120.0, 0.0)
    _level(drifting, 2.0 + DT, -120.0, 0.0)
    _level(steady, 8.0, -120.0, t)
    _level(drifting, 8.0, -120.0 + 10.0, t)  # 10 mm toward the lifted (right) side
    assert drifting.drifting and drifting.in_band
    # Points accrue at the fill's rate: POINTS_PER_S per second of full-rate fill.
    for g in (steady, drifting):
        assert g.points == pytest.approx(g.fill * c.fill_s * POINTS_PER_S, rel=1e-9)
    # Both spent the same time in the band; the drifting one earned less for it.
    assert drifting.time_in_band_s == pytest.approx(steady.time_in_band_s)
    assert steady.points == pytest.approx(POINTS_PER_S * steady.time_in_band_s, rel=1e-9)
    assert drifting.points < 0.8 * steady.points


def _perfect_pilot(r: River) -> float:
    ahead = [g for g in r.gates if not g.result]
    return ahead[0].x * r.config.range_mm


def test_a_clean_river_run_scores_ten_per_gate_five_per_perfect_and_the_streak_bonus():
    r = River(RiverConfig(duration_s=60.0), seed=3)
    t = 0.0
    while not r.done:
        t += DT
        r.steer(_perfect_pilot(r))
        r.update(t)
    assert r.missed == 0 and r.passed >= 12 and r.best_streak == r.passed
    streak_bonus = sum(min(k, 10) for k in range(1, r.passed + 1))
    assert r.score == 10 * r.passed + 5 * r.perfect + streak_bonus


def test_a_miss_resets_the_streak_bonus():
    r = River(RiverConfig(duration_s=None, gates=6), seed=5)
    t, gates = 0.0, []
    while not r.done:
        t += DT
        ahead = [g for g in r.gates if not g.result]
        miss = r.passed + r.missed == 2  # pass two gates, miss the third, pass the rest
        r.steer(-ahead[0].x * 600.0 if miss else ahead[0].x * r.config.range_mm)
        before = r.score
        for ev in r.update(t):
            if ev in ("pass", "perfect", "miss"):
                gates.append((ev, r.streak, r.score - before))
    assert [k for _, k, _ in gates] == [1, 2, 0, 1, 2, 3]
    for ev, streak, gained in gates:
        want = 0 if ev == "miss" else 10 + (5 if ev == "perfect" else 0) + min(streak, 10)
        assert gained == want, (ev, streak, gained)


# -- the spirit-level figure -------------------------------------------------------------------


def _pelvis_rows(app, stance: str, drift_mm: float) -> tuple[float, float]:
    """Mean screen row (px) of the pelvis colour left and right of the figure's centre."""
    screen = app.screen
    r = SpiritLevel(stance, screen.config)
    r.phase = Phase.PLAYING
    r.drift_mm = drift_mm
    r.drifting = True  # drawn in the theme's warn colour, which nothing else near it uses
    screen.rules = r
    surface = pygame.Surface(app.surface.get_size())
    screen._draw_pelvis(surface)
    ui = screen.ui
    px = pygame.surfarray.array3d(surface)  # (x, y, rgb)
    mask = np.all(px == np.array(ui.theme.warn), axis=2)
    xs, ys = np.nonzero(mask)
    assert xs.size > 50, "the pelvis was not drawn in the warn colour"
    cx = ui.x(400)
    left, right = ys[xs < cx - ui.px(20)], ys[xs > cx + ui.px(20)]
    return float(left.mean()), float(right.mean())


@pytest.mark.parametrize("stance", ["left", "right"])
def test_the_figure_drops_the_lifted_sides_hip_not_the_stance_sides(app_factory, stance):
    app = app_factory("spirit-level", side=stance)
    level_l, level_r = _pelvis_rows(app, stance, 0.0)
    assert level_l == pytest.approx(level_r, abs=1.0)  # no drift: a level pelvis
    drift = 2 * app.screen.config.drift_mm  # the full drawn drop
    left_y, right_y = _pelvis_rows(app, stance, drift)
    # Screen rows grow downward; the person faces the screen, their right is screen right.
    lifted_lower = right_y - left_y if stance == "left" else left_y - right_y
    assert lifted_lower > app.screen.ui.px(10)
