"""The spirit level on the pelvis sensor: a level pelvis fills the bar, a drop is penalised."""

from __future__ import annotations

import pytest

from games.rules.spirit_level import Phase, SpiritLevel


def play(game: SpiritLevel, obliquity, seconds: float, stance: str = "right", t0: float = 0.0):
    t = t0
    events = []
    while t < t0 + seconds:
        events += game.update_pelvis(t, obliquity(t) if callable(obliquity) else obliquity, stance)
        t += 1 / 60
    return t, events


def test_level_pelvis_fills_the_bar_and_the_bubble_sits_in_the_middle():
    g = SpiritLevel("right")
    play(g, 0.0, 0.1, stance="both")
    t, ev = play(g, 0.4, 6.0)
    assert g.pelvis and g.phase is Phase.PLAYING and g.in_band
    assert g.bubble == pytest.approx(0.4 / 8.0)
    assert g.fill > 0.2 and not g.drifting


def test_a_drop_of_the_lifted_side_leaves_the_band_and_counts_as_a_drop():
    # Standing on the right leg the left leg is lifted; positive obliquity = the left side lower.
    g = SpiritLevel("right")
    t, _ = play(g, 0.0, 3.0)
    fill_before = g.fill
    t, ev = play(g, 5.0, 5.0, t0=t)
    assert "drift_start" in ev and g.drifting and not g.in_band
    assert g.drop_deg == pytest.approx(5.0) and g.fill == pytest.approx(fill_before)
    # The bubble goes to the higher (right) side, as a real spirit level's would.
    assert g.bubble > 0


def test_the_same_tilt_is_no_drop_when_the_other_leg_is_lifted():
    g = SpiritLevel("left")  # right leg lifted: left-side-down is the stance side dropping
    t, _ = play(g, 0.0, 3.0, stance="left")
    play(g, 5.0, 5.0, stance="left", t0=t)
    assert g.drop_deg == pytest.approx(-5.0) and not g.drifting


def test_drift_penalty_slows_the_fill_inside_the_band():
    fast, slow = SpiritLevel("right"), SpiritLevel("right")
    slow.config.band_deg = 6.0  # a wide band: the drop stays inside it
    fast.config.band_deg = 6.0
    t, _ = play(fast, 1.0, 10.0)
    play(slow, 4.5, 10.0)
    assert slow.drifting and slow.fill < fast.fill * 0.75


def test_details_say_the_round_was_measured_by_the_pelvis_sensor():
    g = SpiritLevel("right")
    play(g, 0.5, 4.0)
    d = g.details()
    assert d["measured_by"] == "pelvis sensor" and d["band_deg"] == 2.0


def test_the_round_reports_its_mean_drop():
    g = SpiritLevel("right")
    play(g, lambda t: 3.0 if t > 0.5 else 9.0, 5.0)  # the weight coming across is not scored
    assert g.mean_drop_deg == pytest.approx(3.0) and g.details()["mean_drop_deg"] == 3.0
