"""The simulated pelvis: the hip model, the pelvis from the same body, the simulated sensor."""

from __future__ import annotations

from itertools import islice

import numpy as np
import pytest

from balance_trainer.config import load_board
from balance_trainer.errors import UsageError
from balance_trainer.frames import PelvisSample
from hardware.hip_model import HipModel
from hardware.pelvis_source import PelvisSource
from hardware.simulated import SimulatedBoard, SimulatedPelvis

FS = 80.0


def make(scenario: str, **kw) -> SimulatedBoard:
    kw.setdefault("realtime", False)
    kw.setdefault("spike_rate", 0.0)
    return SimulatedBoard(load_board("two-plate-4"), scenario, **kw)


def holds(sim: SimulatedBoard) -> list[tuple[float, float]]:
    lifts = [e.t_s for e in sim.events if e.name == "lift_off"]
    downs = [e.t_s for e in sim.events if e.name == "touchdown"]
    return list(zip(lifts, downs, strict=True))


def steady_drop(sim: SimulatedBoard, lifted: str) -> list[float]:
    """Mean true pelvic drop toward the lifted side over each hold's last 10 s, degrees."""
    out = []
    for lift, down in holds(sim):
        t = np.arange(max(lift + 3.0, down - 10.0), down - 0.5, 1 / FS)
        obl, _ = sim.pelvis_truth(t)
        out.append(float(np.mean(obl if lifted == "left" else -obl)))
    return out


# --- the hip model -------------------------------------------------------------------------------


def test_healthy_abductors_hold_the_pelvis_level_on_one_leg():
    st = HipModel().hold("left", np.linspace(0, 30, 100))
    assert np.all(st.drop_deg == 0.0) and np.all(st.com_shift_mm == 0.0)


def test_one_leg_stance_needs_about_0_8_newton_metres_per_kilogram():
    assert HipModel().need_nm / 70.0 == pytest.approx(0.83, abs=0.05)


def test_weaker_abductors_drop_the_pelvis_further_and_more_as_they_tire():
    t = np.array([0.0, 30.0])
    drops = [HipModel(weak_side="right", strength=s).hold("right", t).drop_deg for s in (0.7, 0.5)]
    assert 0 < drops[0][0] < drops[1][0]
    assert drops[1][1] > drops[1][0]  # fatigue over a 30 s hold
    assert 4.0 < drops[1][0] < 12.0


def test_the_weak_side_is_the_only_side_that_drops():
    hip = HipModel(weak_side="right")
    assert hip.hold("left", np.zeros(1)).drop_deg[0] == 0.0
    assert hip.hold("right", np.zeros(1)).drop_deg[0] > 3.0


def test_a_trunk_lean_lessens_the_drop_and_moves_the_body_over_the_stance_leg():
    plain = HipModel(weak_side="left").hold("left", np.zeros(1))
    lean = HipModel(weak_side="left", compensation="lean").hold("left", np.zeros(1))
    assert 0 < lean.drop_deg[0] < plain.drop_deg[0]
    assert plain.com_shift_mm[0] > 5.0  # toward the lifted side
    assert lean.com_shift_mm[0] < -5.0  # over the stance leg
    assert lean.lean_deg[0] == pytest.approx(3.0)


@pytest.mark.parametrize(("kw", "word"), [({"weak_side": "both"}, "weak-hip"),
                                          ({"compensation": "hop"}, "compensation")])  # fmt: skip
def test_a_bad_hip_option_is_a_usage_error_naming_it(kw, word):
    with pytest.raises(UsageError, match=word):
        HipModel(**kw)


# --- the simulated pelvis: the same body as the COP ---------------------------------------------


def test_a_weak_right_hip_drops_the_pelvis_on_the_left_when_standing_on_the_right():
    weak = make("single-leg-right", seed=3, weak_hip="right")
    for drop in steady_drop(weak, "left"):
        assert drop > 5.0
    healthy = make("single-leg-right", seed=3)
    for drop in steady_drop(healthy, "left"):
        assert abs(drop) < 2.0


def test_a_weak_right_hip_leaves_the_pelvis_level_standing_on_the_left():
    sim = make("single-leg-left", seed=5, weak_hip="right")
    assert all(abs(d) < 2.0 for d in steady_drop(sim, "right"))


def test_the_compensated_pattern_still_drops_the_pelvis():
    plain = steady_drop(make("single-leg-right", seed=3, weak_hip="right"), "left")
    lean = steady_drop(
        make("single-leg-right", seed=3, weak_hip="right", compensation="lean"), "left"
    )
    for p, q in zip(plain, lean, strict=True):
        assert 2.5 < q < p


def test_the_pelvis_is_level_on_both_feet_and_sways_with_the_body_on_one_leg():
    sim = make("single-leg-left", seed=1)
    (lift, down), *_ = holds(sim)
    quiet, _ = sim.pelvis_truth(np.arange(0.5, lift - 2.0, 1 / FS))
    one, rot = sim.pelvis_truth(np.arange(lift + 3.0, down - 0.5, 1 / FS))
    assert abs(np.mean(quiet)) < 0.5 and np.std(quiet) < 0.5
    assert 0.2 < np.std(one) < 2.0  # the hip strategy on one leg
    assert np.std(rot) > 0.05


def test_the_pelvis_comes_back_level_after_touchdown():
    sim = make("single-leg-right", seed=3, weak_hip="right")
    _, down = holds(sim)[0]
    obl, _ = sim.pelvis_truth(np.arange(down + 1.0, down + 4.0, 1 / FS))
    assert abs(np.mean(obl)) < 0.7


def test_a_weak_hip_drops_further_at_the_bottom_of_each_squat():
    sim = make("squats-right", seed=2, weak_hip="right")
    bottoms = [e.t_s for e in sim.events if e.name == "squat_bottom"]
    starts = [e.t_s for e in sim.events if e.name == "squat_start"]
    at_bottom, _ = sim.pelvis_truth(np.array(bottoms))
    at_start, _ = sim.pelvis_truth(np.array(starts))
    assert np.all(at_bottom - at_start > 1.5)  # + = the left (lifted) side lower


# --- the simulated sensor ------------------------------------------------------------------------


def test_the_simulated_sensor_is_a_pelvis_source_of_pelvis_samples():
    pel = SimulatedPelvis(make("quiet", seed=1))
    assert isinstance(pel, PelvisSource) and pel.simulated and pel.kind == "sim"
    sample = next(pel.samples())
    assert isinstance(sample, PelvisSample)
    assert "pelvis" in pel.description


def test_the_sensor_reads_at_about_100_hz_on_its_own_monotonic_timestamps():
    pel = SimulatedPelvis(make("quiet", seed=1))
    t = np.array([s.t_s for s in islice(pel.samples(), 3000)])
    assert np.all(np.diff(t) > 0)
    assert (len(t) - 1) / (t[-1] - t[0]) == pytest.approx(100.0, rel=0.012)
    assert not np.allclose(np.diff(t), np.diff(t)[0])  # read-out jitter, not a perfect grid


def test_the_sensor_reports_the_true_pelvis_within_a_degree_with_imu_like_noise():
    sim = make("single-leg-right", seed=3, weak_hip="right")
    pel = SimulatedPelvis(sim)
    lift, down = holds(sim)[0]
    samples = [s for s in islice(pel.samples(), int(down * 100) + 100) if lift < s.t_s < down]
    t = np.array([s.t_s for s in samples])
    measured = np.array([s.obliquity_deg for s in samples])
    truth, _ = pel.truth(t)
    err = measured - truth
    assert np.max(np.abs(err)) < 1.0
    assert np.std(np.diff(err)) > 0.02  # it is noisy, not the truth copied
    drop = np.mean([s.drop_deg("left") for s in samples if s.t_s > lift + 3])
    assert drop > 5.0


def test_the_same_seed_gives_the_same_sensor_readings():
    def first(seed: int) -> list[PelvisSample]:
        return list(islice(SimulatedPelvis(make("quiet", seed=seed)).samples(), 50))

    assert first(4) == first(4)
    assert first(4) != first(5)


def test_the_sensor_may_read_ahead_of_the_board_without_changing_its_frames():
    def counts(with_pelvis: bool) -> list[tuple[int, ...]]:
        sim = make("single-leg-left", seed=9)
        if with_pelvis:
            list(islice(SimulatedPelvis(sim).samples(), 1500))  # 15 s ahead of the frames
        return [f.counts for f in islice(sim.frames(), 1600)]

    assert counts(True) == counts(False)


def test_pelvis_drop_is_positive_for_the_lifted_side_lower_whichever_side_is_lifted():
    s = PelvisSample(1.0, 4.0, 0.0)  # left side 4° lower
    assert s.drop_deg("left") == 4.0 and s.drop_deg("right") == -4.0
