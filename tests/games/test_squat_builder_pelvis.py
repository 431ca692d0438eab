"""The squat builder with a pelvis sensor: a block needs the load over the foot and a level
pelvis; without a sensor it is judged on the load alone, as before."""

from __future__ import annotations

from games.rules.squat_builder import SquatBuilder


def squat(game: SquatBuilder, t0: float, drop_deg: float | None) -> list[str]:
    t = t0
    while t < t0 + 3.0:  # rest 1 s, then a 2 s squat with the load steady under the foot
        game.update(t, 0.0, "right")
        if drop_deg is not None:
            game.pelvis(t, drop_deg if t >= t0 + 1.0 else 0.0)
        t += 1 / 60
    return game.rep(t0 + 1.0, t0 + 2.0, t0 + 3.0)


def test_a_steady_squat_with_a_level_pelvis_builds_a_block():
    g = SquatBuilder("right")
    assert squat(g, 0.0, 1.5) == ["block"] and g.built == 1


def test_a_steady_load_with_a_dropping_pelvis_is_no_block():
    g = SquatBuilder("right")
    assert squat(g, 0.0, 9.0) == ["hips"] and g.built == 0
    assert g.details()["mean_peak_pelvic_drop_deg"] == 9.0


def test_without_a_sensor_the_load_alone_decides():
    g = SquatBuilder("right")
    assert squat(g, 0.0, None) == ["block"]
    assert "mean_peak_pelvic_drop_deg" not in g.details()
