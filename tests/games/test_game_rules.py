"""Game rules in virtual time, without pygame: lean navigation, the three games, adaptation."""

from __future__ import annotations

import math
import subprocess
import sys

import pytest

from games.catalog import GAMES, resolve
from games.rules.adaptive import Staircase, band_from_sway, level_from_sway, recent_sway_mm
from games.rules.lean_nav import LeanNavigator, LeanSettings
from games.rules.river import River, RiverConfig
from games.rules.spirit_level import SpiritLevel, SpiritLevelConfig
from games.rules.squat_builder import Phase as SquatPhase
from games.rules.squat_builder import SquatBuilder, SquatConfig
from games.rules.stats import RunningSway

DT = 1 / 60

SETTLE_S = 2.0
"""Steadying plus settling time of the default spirit-level config, s."""


def drive(nav: LeanNavigator, t0: float, seconds: float, ml) -> tuple[float, list[str]]:
    """Feed ``ml(t)`` (mm) for ``seconds`` from ``t0``; returns the end time and intents."""
    out: list[str] = []
    t = t0
    for _ in range(int(round(seconds / DT))):
        t += DT
        out += nav.update(t, ml(t) if callable(ml) else ml)
    return t, out


# -- pure modules ----------------------------------------------------------------------------


def test_rules_and_feed_modules_do_not_import_pygame():
    code = (
        "import sys; import games.rules.lean_nav, games.rules.spirit_level, "
        "games.rules.river, games.rules.squat_builder, games.rules.adaptive, "
        "games.feed, games.settings, games.records, games.catalog; "
        "sys.exit(1 if 'pygame' in sys.modules else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_game_names_resolve_with_aliases_and_unknown_is_none():
    assert resolve("Spirit Level").name == "spirit-level"
    assert resolve("raft").name == "river"
    assert resolve("squats").name == "squat-builder"
    assert resolve("chess") is None
    assert set(GAMES) == {"spirit-level", "river", "squat-builder"}


# -- lean navigation --------------------------------------------------------------------------


def test_a_held_lean_moves_the_selection_once_until_the_person_comes_back():
    nav = LeanNavigator()
    t, out = drive(nav, 0.0, 3.0, 5.0)  # stand on: learn the centre (5 mm)
    nav.reset(t)
    t, out = drive(nav, t, 2.0, 5.0)
    assert "right" not in out
    t, out = drive(nav, t, 2.0, 5.0 + 50.0)  # lean 50 mm right and stay there
    assert out.count("right") == 1
    t, out = drive(nav, t, 0.5, 5.0)  # back to the middle
    t, out = drive(nav, t, 1.0, 5.0 - 50.0)
    assert out == ["left"]


def test_a_lean_shorter_than_the_hold_time_is_a_wobble_not_a_step():
    nav = LeanNavigator(LeanSettings(hold_s=0.3))
    t, _ = drive(nav, 0.0, 3.0, 0.0)
    t, out = drive(nav, t, 0.2, 60.0)
    t, out2 = drive(nav, t, 0.1, 0.0)
    assert out + out2 == []


def test_standing_still_fills_the_dwell_ring_and_chooses_after_dwell_time():
    s = LeanSettings(dwell_s=2.0, grace_s=1.0)
    nav = LeanNavigator(s)
    t, _ = drive(nav, 0.0, 0.5, 0.0)
    nav.reset(t)
    t, out = drive(nav, t, s.grace_s + s.dwell_s - 0.1, 0.0)
    assert out == [] and nav.dwell_progress > 0.9
    t, out = drive(nav, t, 0.2, 0.0)
    assert out == ["select"]


def test_moving_empties_the_dwell_ring():
    nav = LeanNavigator(LeanSettings(dwell_s=2.0, grace_s=0.5))
    t, _ = drive(nav, 0.0, 1.5, 0.0)
    assert nav.dwell_progress > 0.3
    # A sway of ±12 mm at 2 Hz: inside the release band but far too fast to be still.
    t, _ = drive(nav, t, 0.5, lambda tt: 12.0 * math.sin(2 * math.pi * 2 * tt))
    assert nav.dwell_progress == 0.0


def test_nobody_on_the_board_chooses_nothing_and_forgets_the_centre():
    nav = LeanNavigator()
    t, out = drive(nav, 0.0, 10.0, math.nan)
    assert out == [] and math.isnan(nav.centre_mm) and not nav.on_board


def test_stepping_on_while_the_cop_settles_is_not_taken_for_a_lean():
    nav = LeanNavigator()
    t, _ = drive(nav, 0.0, 1.0, math.nan)
    # The COP arrives over one foot and moves to the middle within a second.
    t, out = drive(nav, t, 1.0, lambda tt: -80.0 * max(0.0, 1.0 - (tt - 1.0)))
    t, out2 = drive(nav, t, 0.5, 0.0)
    assert "left" not in out + out2 and "right" not in out + out2


def test_hands_free_switched_off_gives_no_intents():
    nav = LeanNavigator()
    nav.enabled = False
    _, out = drive(nav, 0.0, 10.0, lambda tt: 60.0 if tt > 5 else 0.0)
    assert out == []


# -- spirit level -----------------------------------------------------------------------------


def run_level(game: SpiritLevel, seconds: float, cop, stance=None, t0: float = 0.0):
    """Feed ``cop`` (mm) with the board's ``stance`` (default: on the game's stance leg)."""
    t = t0
    stance = stance or game.stance_side
    events: list[str] = []
    for _ in range(int(round(seconds / DT))):
        t += DT
        events += game.update(
            t, cop(t) if callable(cop) else cop, stance(t) if callable(stance) else stance
        )
    return t, events


def test_spirit_level_waits_for_the_foot_to_lift():
    g = SpiritLevel("left")
    t, ev = run_level(g, 3.0, -120.0, stance="both")
    assert g.phase == "waiting" and g.fill == 0 and "lift_off" not in ev
    t, ev = run_level(g, 0.1, -120.0, stance="left", t0=t)
    assert ev == ["lift_off"] and g.phase == "settling"


def test_spirit_level_reference_is_where_the_foot_settled_not_the_plate_middle():
    g = SpiritLevel("left", SpiritLevelConfig(steady_s=1.0, settle_s=1.0))
    # The first second on one leg is the weight coming across: the COP swings medially.
    t, _ = run_level(g, 1.0, -80.0)
    assert g.phase == "settling"
    run_level(g, 1.2, -112.0, t0=t)
    assert g.reference_mm == pytest.approx(-112.0)
    assert g.phase == "playing"


def test_time_in_the_band_fills_the_bar_and_scores():
    c = SpiritLevelConfig(fill_s=10.0, duration_s=None)
    g = SpiritLevel("right", c)
    t, _ = run_level(g, SETTLE_S + DT, 120.0)  # settle
    t, ev = run_level(g, 5.0, 121.0, t0=t)  # 1 mm off: inside a 10 mm band
    assert g.in_band and g.fill == pytest.approx(0.5, abs=0.01)
    assert g.score == pytest.approx(50, abs=1)
    assert "star" in ev  # a third of the bar


def test_outside_the_band_nothing_fills():
    g = SpiritLevel("right", SpiritLevelConfig(band_mm=5.0))
    t, _ = run_level(g, SETTLE_S + DT, 120.0)
    run_level(g, 3.0, 120.0 - 20.0, t0=t)
    assert not g.in_band and g.fill == 0.0 and g.bubble < 0


def test_drift_toward_the_lifted_side_is_flagged_and_slows_the_fill():
    c = SpiritLevelConfig(band_mm=15.0, drift_mm=6.0, drift_penalty=0.5, duration_s=None)
    steady, drifting = SpiritLevel("left", c), SpiritLevel("left", c)
    t, _ = run_level(steady, SETTLE_S + DT, -120.0)
    run_level(drifting, SETTLE_S + DT, -120.0)
    # Standing on the left, the lifted side is the right (+ML): drift 10 mm toward it.
    run_level(steady, 8.0, -120.0, t0=t)
    _, ev = run_level(drifting, 8.0, -120.0 + 10.0, t0=t)
    assert drifting.drifting and "drift_start" in ev
    assert drifting.in_band and steady.in_band
    assert drifting.fill < 0.8 * steady.fill


def test_drift_toward_the_stance_side_is_not_the_pelvis_dropping():
    c = SpiritLevelConfig(band_mm=15.0, duration_s=None)
    g = SpiritLevel("left", c)
    t, _ = run_level(g, SETTLE_S + DT, -120.0)
    run_level(g, 8.0, -120.0 - 10.0, t0=t)
    assert not g.drifting and g.drift_mm < 0


def test_a_touchdown_pauses_the_clock_and_lifting_again_resumes():
    c = SpiritLevelConfig(duration_s=30.0)
    g = SpiritLevel("left", c)
    t, _ = run_level(g, 3.0, -120.0)
    on_leg = g.time_on_leg_s
    t, ev = run_level(g, 2.0, -120.0, stance="both", t0=t)
    assert ev == ["touchdown"] and g.phase == "foot_down"
    assert g.time_on_leg_s == pytest.approx(on_leg)
    t, ev = run_level(g, 1.0, -120.0, t0=t)
    assert ev[0] == "lift_off" and g.phase == "playing" and g.touchdowns == 1


def test_a_round_ends_after_its_duration_on_one_leg_and_easy_mode_has_no_clock():
    g = SpiritLevel("left", SpiritLevelConfig(duration_s=5.0, band_mm=1.0))
    _, ev = run_level(g, 6.0, lambda t: -120.0 + 20 * math.sin(t))
    assert g.done and ev[-1] == "done"
    easy = SpiritLevel("left", SpiritLevelConfig.easy())
    run_level(easy, 60.0, lambda t: -120.0 + 200 * math.sin(t))
    assert easy.remaining_s is None and not easy.done


def test_spirit_level_stance_side_must_be_left_or_right():
    with pytest.raises(ValueError):
        SpiritLevel("both")


# -- river -----------------------------------------------------------------------------------


def run_river(r: River, seconds: float, lean, t0: float = 0.0):
    t = t0
    events: list[str] = []
    for _ in range(int(round(seconds / DT))):
        t += DT
        r.steer(lean(t, r) if callable(lean) else lean)
        events += r.update(t)
    return t, events


def perfect_pilot(t: float, r: River) -> float:
    ahead = [g for g in r.gates if not g.result]
    return ahead[0].x * r.config.range_mm


def test_the_raft_follows_the_lean_with_some_inertia():
    r = River(RiverConfig(range_mm=60.0, steer_tau_s=0.2))
    run_river(r, 0.1, 30.0)
    assert 0.0 < r.raft_x < 0.5
    run_river(r, 2.0, 30.0, t0=0.1)
    assert r.raft_x == pytest.approx(0.5, abs=0.01)
    run_river(r, 2.0, 500.0, t0=2.1)
    assert r.raft_x == pytest.approx(1.0, abs=0.01)  # the bank stops it


def test_steering_through_every_gate_passes_them_all_and_the_river_speeds_up():
    r = River(RiverConfig(duration_s=60.0), seed=3)
    level0 = r.level
    _, ev = run_river(r, 60.1, perfect_pilot)
    assert r.missed == 0 and r.passed >= 10
    assert "faster" in ev and r.level > level0 and r.gate_width < RiverConfig().widest
    assert r.done and r.stars == 3


def test_missing_gates_splashes_and_makes_the_river_easier():
    r = River(RiverConfig(start_level=0.5), seed=1)
    start = r.level
    # Lean hard away from each gate.
    _, ev = run_river(r, 20.0, lambda t, rr: -perfect_pilot(t, rr) * 10 or 600.0)
    assert r.missed > 0 and "miss" in ev and "slower" in ev
    assert r.level < start and r.streak == 0


def test_the_same_seed_gives_the_same_river():
    a, b = River(seed=7), River(seed=7)
    assert [(g.x, g.distance) for g in a.gates] == [(g.x, g.distance) for g in b.gates]
    assert [g.x for g in River(seed=8).gates] != [g.x for g in a.gates]


def test_a_river_without_a_clock_ends_after_its_gates():
    c = RiverConfig.easy()
    r = River(c, seed=2)
    run_river(r, 400.0, perfect_pilot)
    assert r.done and r.passed + r.missed == c.gates and r.remaining_s is None


def test_gates_never_leave_the_river():
    r = River(RiverConfig(start_level=1.0), seed=11)
    run_river(r, 60.0, perfect_pilot)
    for g in r.gates:
        assert -1.0 <= g.x - g.width / 2 and g.x + g.width / 2 <= 1.0


# -- squat builder ---------------------------------------------------------------------------


def squat_round(
    b: SquatBuilder, reps: list[tuple[float, float]], wobble_mm: float = 0.0, rep_s: float = 2.0
):
    """Feed stance COP for a sequence of reps with an ML excursion of ``wobble_mm`` each."""
    t = 0.0
    out: list[str] = []
    for _ in range(int(1.5 / DT)):  # quiet stance on one leg first
        t += DT
        b.update(t, -120.0, b.stance_side)
    for dev, _ in reps:
        start = t
        while t < start + rep_s:
            t += DT
            phase = (t - start) / rep_s
            b.update(t, -120.0 + dev * math.sin(math.pi * phase), b.stance_side)
        out += b.rep(start, start + rep_s / 2, t)
        for _ in range(int(1.0 / DT)):
            t += DT
            b.update(t, -120.0, b.stance_side)
    return out


def test_a_controlled_squat_adds_a_block_and_a_wobbly_one_does_not():
    b = SquatBuilder("left", SquatConfig(band_mm=12.0))
    out = squat_round(b, [(5.0, 0), (40.0, 0)])
    assert out == ["block", "wobbly"]
    assert b.built == 1 and b.reps == 2 and b.blocks[1].inside < 0.7


def test_a_squat_that_is_too_quick_does_not_count():
    b = SquatBuilder("left", SquatConfig(min_rep_s=1.0))
    assert squat_round(b, [(0.0, 0)], rep_s=0.6) == ["quick"]


def test_the_rocket_launches_when_the_tower_is_complete():
    c = SquatConfig(target_blocks=3)
    b = SquatBuilder("right", c)
    b.phase = SquatPhase.PLAYING
    out = squat_round(b, [(2.0, 0)] * 3)
    assert out[-3:] == ["block", "launch", "done"]
    assert b.launched and b.done and b.stars == 3


def test_a_round_of_only_wobbly_squats_still_ends():
    b = SquatBuilder("left", SquatConfig(max_reps=4))
    out = squat_round(b, [(50.0, 0)] * 4)
    assert out.count("wobbly") == 4 and out[-1] == "done" and b.built == 0


def test_squats_count_only_once_the_foot_is_lifted():
    b = SquatBuilder("left", SquatConfig())
    for k in range(60):
        b.update(k * DT, -120.0, "both")
    assert b.phase == "waiting" and b.rep(0.0, 0.5, 1.0) == []
    b.update(1.1, -120.0, "left")
    assert b.phase == "playing"


def test_easy_squats_are_on_both_feet_without_waiting_for_a_lift():
    b = SquatBuilder("both", SquatConfig.easy())
    assert b.phase == "playing" and not b.config.single_leg


# -- adaptation and statistics ---------------------------------------------------------------


def test_band_follows_recent_sway_within_limits():
    assert band_from_sway(None, 10.0) == 10.0
    assert band_from_sway(5.0, 10.0) == pytest.approx(8.0)
    assert band_from_sway(100.0, 10.0) == 25.0
    assert band_from_sway(0.5, 10.0) == 5.0


def test_recent_sway_is_the_median_of_the_last_rounds_ignoring_gaps():
    assert recent_sway_mm([]) is None
    assert recent_sway_mm([None, float("nan")]) is None
    assert recent_sway_mm([100.0, 1.0, 2.0, 3.0, 4.0, 5.0]) == 3.0


def test_starting_level_is_higher_for_a_steadier_person_but_never_the_top():
    assert level_from_sway(2.0) == pytest.approx(0.6)
    assert level_from_sway(20.0) == 0.0
    assert level_from_sway(None) == 0.3
    assert level_from_sway(5.0) > level_from_sway(8.0)


def test_staircase_goes_up_after_three_successes_and_down_after_a_miss():
    s = Staircase(0.5, step=0.1, up_after=3)
    assert [s.success(), s.success(), s.success()] == [False, False, True]
    assert s.level == pytest.approx(0.6)
    assert s.miss() and s.level == pytest.approx(0.5)


def test_running_sway_matches_the_population_rms_about_the_mean():
    rs = RunningSway()
    xs = [1.0, 3.0, 5.0, 7.0, float("nan")]
    for x in xs:
        rs.add(x)
    assert rs.n == 4 and rs.mean_mm == pytest.approx(4.0)
    assert rs.rms_mm == pytest.approx(math.sqrt(5.0))


def test_games_never_touch_pins_or_hardware_except_the_command_handing_over_buttons():
    from pathlib import Path

    import games

    root = Path(games.__file__).parent
    for path in root.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "gpiozero" not in text, path
        if path.name != "command.py":
            assert "from hardware" not in text and "import hardware" not in text, path
