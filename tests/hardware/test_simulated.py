"""The simulated board: determinism, scenarios, physics of the loads, calibration, pacing."""

from __future__ import annotations

from itertools import islice

import numpy as np
import pytest
from scipy.signal import welch

from balance_trainer import STANDARD_GRAVITY
from balance_trainer.balance import BalanceBlock, BalanceModel
from balance_trainer.calibration import Calibration
from balance_trainer.config import load_board
from balance_trainer.errors import UsageError
from balance_trainer.frames import Source
from balance_trainer.wiring import open_source
from hardware.person_model import Person
from hardware.simulated import ADC_MAX, SCENARIOS, SimEvent, SimulatedBoard

FS = 80.0


def make(scenario: str = "quiet", board: str = "two-plate-4", **kw) -> SimulatedBoard:
    kw.setdefault("realtime", False)
    return SimulatedBoard(load_board(board), scenario, **kw)


def counts_of(sim: SimulatedBoard, seconds: float) -> tuple[np.ndarray, np.ndarray]:
    frames = list(islice(sim.frames(), int(round(seconds * FS))))
    return (np.array([f.t for f in frames]), np.array([f.counts for f in frames], dtype=float))


def balance_of(sim: SimulatedBoard, seconds: float) -> BalanceBlock:
    """Frames through the built-in calibration and the core's COP maths."""
    t, counts = counts_of(sim, seconds)
    offsets, scales = sim.builtin_calibration()
    cal = Calibration(sim.board.cell_names, offsets, scales)
    return BalanceModel(sim.board).compute(t, cal.forces(counts))


def event(sim: SimulatedBoard, name: str) -> SimEvent:
    return next(e for e in sim.events if e.name == name)


def mean_velocity(x: np.ndarray) -> float:
    return float(np.abs(np.diff(x)).sum() / (len(x) / FS))


# --- identity and determinism -------------------------------------------------------------------


def test_open_source_sim_builds_a_simulated_source_with_the_named_geometry():
    src = open_source("sim:corners-4", scenario="weight-shift", seed=3, realtime=False)
    assert isinstance(src, SimulatedBoard) and isinstance(src, Source)
    assert (src.kind, src.simulated, src.board.name) == ("sim", True, "corners-4")
    assert src.calibration_key == "sim-corners-4"
    assert "weight-shift" in src.description


def test_same_seed_gives_identical_frames_and_events():
    a, b = make("squats-left", seed=11), make("squats-left", seed=11)
    assert a.events == b.events
    assert list(islice(a.frames(), 800)) == list(islice(b.frames(), 800))


def test_different_seeds_give_different_frames_and_timelines():
    a, b = make("single-leg-left", seed=1), make("single-leg-left", seed=2)
    assert a.events != b.events
    assert list(islice(a.frames(), 50)) != list(islice(b.frames(), 50))


def test_real_time_and_virtual_time_give_the_same_counts():
    fake = FakeTime()
    live = make("quiet", seed=4, realtime=True, clock=fake.clock, sleep=fake.sleep)
    virtual = make("quiet", seed=4)
    assert [f.counts for f in islice(live.frames(), 100)] == [
        f.counts for f in islice(virtual.frames(), 100)
    ]


def test_unknown_scenario_is_a_usage_error_naming_the_valid_ones():
    with pytest.raises(UsageError) as info:
        make("single-leg-both")
    for name in SCENARIOS:
        assert name in str(info.value)


def test_person_with_impossible_mass_is_a_usage_error():
    with pytest.raises(UsageError, match="mass_kg"):
        Person(mass_kg=-3)


@pytest.mark.parametrize("board", ["two-plate-4", "corners-4", "two-plate-8"])
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_every_scenario_yields_integer_frames_on_the_80hz_grid(scenario, board):
    sim = make(scenario, board, seed=5, duration_s=3.0)
    frames = list(sim.frames())
    assert len(frames) == 240
    assert np.allclose(np.diff([f.t for f in frames]), 1 / FS)
    assert all(len(f.counts) == sim.board.n_cells for f in frames)
    assert all(type(c) is int and -(1 << 23) <= c <= ADC_MAX for f in frames for c in f.counts)


# --- loads and the person's physics -------------------------------------------------------------


def test_total_load_is_the_body_weight():
    bal = balance_of(make("quiet", seed=2, person=Person(mass_kg=85.0)), 20)
    assert np.median(bal.total_kg) == pytest.approx(85.0, rel=0.003)


def trials(sim: SimulatedBoard) -> list[tuple[SimEvent, SimEvent]]:
    lifts = [e for e in sim.events if e.name == "lift_off"]
    downs = [e for e in sim.events if e.name == "touchdown"]
    assert len(lifts) == len(downs)
    return list(zip(lifts, downs, strict=True))


@pytest.mark.parametrize("stance", ["left", "right"])
def test_single_leg_lifts_three_times_unloading_the_lifted_side_and_reloading_it(stance):
    sim = make(f"single-leg-{stance}", seed=6)
    lifted = "right" if stance == "left" else "left"
    bal = balance_of(sim, sim.script_duration_s)
    weight = 70.0 * STANDARD_GRAVITY
    lifted_n = bal.right_n if lifted == "right" else bal.left_n
    pairs = trials(sim)
    assert len(pairs) == 3
    stance_cop = bal.left_cop_ml_mm if stance == "left" else bal.right_cop_ml_mm
    foot = sim.board.side_centre_ml_mm(stance)
    for i, (lift, touch) in enumerate(pairs):
        assert (lift.side, touch.side) == (lifted, lifted)
        assert 15.0 <= touch.t_s - lift.t_s <= 30.0
        hold = (bal.t_s > lift.t_s + 0.1) & (bal.t_s < touch.t_s)
        # Spikes aside (1 frame in 2000), only cell noise is left on the lifted side.
        assert np.mean(np.abs(lifted_n[hold]) < 0.03 * weight) > 0.99
        assert np.median(np.abs(lifted_n[hold])) < 0.002 * weight
        prev = pairs[i - 1][1].t_s + 2.5 if i else 0.0
        nxt = pairs[i + 1][0].t_s - 2.0 if i + 1 < len(pairs) else np.inf
        before = (bal.t_s > prev) & (bal.t_s < lift.t_s - 2.0)
        after = (bal.t_s > touch.t_s + 2.5) & (bal.t_s < nxt)
        assert np.median(lifted_n[before]) > 0.35 * weight
        assert np.median(lifted_n[after]) > 0.35 * weight
        assert np.nanmedian(stance_cop[hold]) == pytest.approx(foot, abs=8)
        assert np.nanmedian(bal.cop_ml_mm[hold]) == pytest.approx(foot, abs=8)


def test_single_leg_without_a_side_does_three_trials_on_the_left_then_three_on_the_right():
    sim = make("single-leg", seed=2)
    assert [lift.side for lift, _ in trials(sim)] == ["right"] * 3 + ["left"] * 3


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_lift_off_and_touchdown_events_agree_with_the_load_signal(seed):
    sim = make("single-leg-left", seed=seed, spike_rate=0.0)
    bal = balance_of(sim, sim.script_duration_s)
    light = bal.right_n < 0.03 * 70.0 * STANDARD_GRAVITY
    for lift, touch in trials(sim):
        after = bal.t_s > lift.t_s - 1.0
        unloaded = bal.t_s[np.flatnonzero(light & after)[0]]
        reloaded = bal.t_s[np.flatnonzero(~light & (bal.t_s > lift.t_s))[0]]
        assert abs(unloaded - lift.t_s) <= 0.2
        assert abs(reloaded - touch.t_s) <= 0.2


def sway_stats(bal: BalanceBlock) -> tuple[float, float, float]:
    ml = bal.cop_ml_mm - bal.cop_ml_mm.mean()
    ap = bal.cop_ap_mm - bal.cop_ap_mm.mean()
    planar = float(np.hypot(np.diff(ml), np.diff(ap)).sum() / (len(ml) / FS))
    return float(ml.std()), float(ap.std()), planar


def test_quiet_stance_sway_amplitude_and_velocity_are_in_published_ranges():
    stats = np.array(
        [
            sway_stats(balance_of(make("quiet", "two-plate-8", seed=s, spike_rate=0.0), 60))
            for s in range(3)
        ]
    )
    ml_rms, ap_rms, velocity = stats.mean(axis=0)
    # HBEDB's young adults, eyes open, firm: ML RMS 1.69-1.77 mm, AP RMS 2.35-2.96 mm,
    # planar velocity 6.2-8.6 mm/s (test_sway_fit.py holds the fit per condition).
    assert 1.4 <= ml_rms <= 2.2
    assert 2.0 <= ap_rms <= 3.4
    assert 5.5 <= velocity <= 9.5
    assert ap_rms > ml_rms  # a wide stance holds ML tighter than AP


def test_quiet_stance_sway_is_a_slow_pendulum_not_white_noise():
    bal = balance_of(make("quiet", "two-plate-8", seed=3, spike_rate=0.0), 60)
    for cop in (bal.cop_ml_mm, bal.cop_ap_mm):
        f, p = welch(cop - cop.mean(), FS, nperseg=len(cop) // 2)
        assert f[np.argmax(p)] < 1.0
        assert p[f < 1.0].sum() / p.sum() > 0.9
    # White noise of the same RMS would move hundreds of mm/s at 80 Hz.
    assert mean_velocity(bal.cop_ml_mm) < 4 * np.std(bal.cop_ml_mm)


def test_single_leg_sway_under_the_stance_foot_is_larger_and_faster():
    sim = make("single-leg-left", seed=8, spike_rate=0.0)
    bal = balance_of(sim, sim.script_duration_s)
    hold = (bal.t_s > event(sim, "lift_off").t_s + 2) & (bal.t_s < event(sim, "touchdown").t_s)
    cop = bal.left_cop_ml_mm[hold]
    # young adult on one leg: ML RMS ≈ 4.3 mm, ML velocity ≈ 21 mm/s (sway_calibration)
    assert 2.5 <= np.std(cop) <= 7.0
    assert 14.0 <= mean_velocity(cop) <= 32.0
    f, p = welch(cop - cop.mean(), FS, nperseg=len(cop) // 2)
    quiet = balance_of(make("quiet", seed=8, spike_rate=0.0), 30).cop_ml_mm
    fq, pq = welch(quiet - quiet.mean(), FS, nperseg=len(quiet) // 2)
    single_hz = (f * p).sum() / p.sum()
    assert single_hz > 0.5 and single_hz > 1.5 * (fq * pq).sum() / pq.sum()
    assert np.std(cop) > 1.5 * np.std(quiet)


def hold_cop(sim: SimulatedBoard, stance: str) -> list[np.ndarray]:
    """Stance-foot ML COP per hold (from 2 s after lift-off), mm, + toward the lifted side."""
    toward = 1.0 if stance == "left" else -1.0
    bal = balance_of(sim, sim.script_duration_s)
    cop = bal.left_cop_ml_mm if stance == "left" else bal.right_cop_ml_mm
    out = []
    for lift, touch in trials(sim):
        hold = (bal.t_s > lift.t_s + 2) & (bal.t_s < touch.t_s)
        out.append((cop[hold] - sim.board.side_centre_ml_mm(stance)) * toward)
    return out


@pytest.mark.parametrize("weak", ["left", "right"])
@pytest.mark.parametrize("seed", [0, 1])
def test_a_weak_hip_drifts_toward_the_lifted_side_only_when_standing_on_its_leg(weak, seed):
    healthy = "right" if weak == "left" else "left"
    late = slice(-5 * int(FS), None)
    on_weak = hold_cop(make(f"single-leg-{weak}", seed=seed, weak_hip=weak, spike_rate=0), weak)
    normal = hold_cop(make(f"single-leg-{weak}", seed=seed, spike_rate=0.0), weak)
    on_healthy = hold_cop(
        make(f"single-leg-{healthy}", seed=seed, weak_hip=weak, spike_rate=0.0), healthy
    )
    for w, n, h in zip(on_weak, normal, on_healthy, strict=True):
        assert np.mean(w[late]) > 8.0
        assert np.mean(w[late]) - np.mean(n[late]) > 8.0
        assert abs(np.mean(h[late])) < 5.0
        assert mean_velocity(w) > mean_velocity(n)


def test_a_compensating_trunk_lean_moves_the_load_the_other_way():
    lean = hold_cop(
        make("single-leg-right", seed=4, weak_hip="right", compensation="lean", spike_rate=0),
        "right",
    )
    for cop in lean:
        assert np.mean(cop[-5 * int(FS) :]) < -6.0  # lateral: away from the lifted side


@pytest.mark.parametrize("stance", ["left", "right"])
def test_single_leg_squats_dip_below_then_rise_above_body_weight(stance):
    sim = make(f"squats-{stance}", seed=12, spike_rate=0.0)
    bal = balance_of(sim, sim.script_duration_s)
    weight = 70.0 * STANDARD_GRAVITY
    starts = [e.t_s for e in sim.events if e.name == "squat_start"]
    bottoms = [e.t_s for e in sim.events if e.name == "squat_bottom"]
    ends = [e.t_s for e in sim.events if e.name == "squat_end"]
    assert len(starts) == len(bottoms) == len(ends) == 15  # 3 sets of 5
    assert all(e.side == stance for e in sim.events if e.name.startswith("squat"))
    for t0, tb, t1 in zip(starts, bottoms, ends, strict=True):
        assert 2.0 <= t1 - t0 <= 3.0 and t0 < tb < t1
        rep = (bal.t_s >= t0) & (bal.t_s <= t1)
        load = bal.total_n[rep]
        first_dip = np.argmax(load < 0.97 * weight)
        assert load[first_dip] < 0.97 * weight
        assert load[first_dip:].max() > 1.03 * weight
        near_bottom = np.abs(bal.t_s - tb) < 0.3
        assert bal.total_n[near_bottom].max() > weight
    lifted = bal.right_n if stance == "left" else bal.left_n
    for k in range(0, 15, 5):
        during = (bal.t_s >= starts[k]) & (bal.t_s <= ends[k + 4])
        assert np.abs(lifted[during]).max() < 0.03 * weight
    lifts = [e.t_s for e in sim.events if e.name == "lift_off"]
    assert len(lifts) == 3 and all(a < b for a, b in zip(lifts, starts[::5], strict=True))


def test_step_on_off_loads_and_empties_the_board_at_the_events():
    sim = make("step-on-off", seed=13, spike_rate=0.0)
    bal = balance_of(sim, sim.script_duration_s)
    ons = [e.t_s for e in sim.events if e.name == "step_on"]
    offs = [e.t_s for e in sim.events if e.name == "step_off"]
    assert len(ons) == 4 and len(offs) == 3
    assert np.abs(bal.total_kg[bal.t_s < ons[0]]).max() < 0.5
    for on, off in zip(ons[:3], offs, strict=True):
        standing = (bal.t_s > on + 3) & (bal.t_s < off - 3)
        assert np.median(bal.total_kg[standing]) == pytest.approx(70.0, rel=0.01)
        assert np.abs(bal.total_kg[(bal.t_s > off) & (bal.t_s < off + 1)]).max() < 0.5


def test_weight_shift_moves_the_load_from_foot_to_foot():
    sim = make("weight-shift", seed=14, spike_rate=0.0)
    bal = balance_of(sim, sim.script_duration_s)
    assert bal.left_share.max() > 0.7 and bal.left_share.min() < 0.3
    for e in sim.events:
        if e.name == "shift_start":
            hold = (bal.t_s > e.t_s + 2.2) & (bal.t_s < e.t_s + 3.5)
            share = np.median(bal.left_share[hold])
            assert share > 0.65 if e.side == "left" else share < 0.35


def test_empty_board_reads_the_offsets_plus_a_few_counts_of_noise():
    sim = make("empty", seed=15, spike_rate=0.0)
    _, counts = counts_of(sim, 10)
    offsets, _ = sim.builtin_calibration()
    assert np.all(np.abs(np.median(counts, axis=0) - offsets) < 5)
    assert np.all((counts.std(axis=0) > 10) & (counts.std(axis=0) < 50))


def test_after_the_timeline_the_person_stays_in_quiet_stance():
    sim = make("single-leg-right", seed=16)
    bal = balance_of(sim, sim.script_duration_s + 20)
    tail = bal.t_s > sim.script_duration_s
    assert np.median(bal.left_share[tail]) == pytest.approx(0.5, abs=0.05)
    assert np.std(bal.cop_ml_mm[tail]) < 6.0


def test_spikes_are_rare_one_cell_outliers():
    sim = make("empty", seed=17, spike_rate=1 / 500)
    _, counts = counts_of(sim, 100)
    offsets, _ = sim.builtin_calibration()
    outliers = np.abs(counts - offsets) > 50_000
    assert 8 <= outliers.sum() <= 32  # 16 expected
    assert outliers.sum(axis=1).max() == 1
    assert sim.stats()["spikes"] == outliers.sum()


# --- geometry ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("board", "x", "y"),
    [
        ("two-plate-4", -160.0, 0.0),
        ("two-plate-4", 0.0, 0.0),
        ("two-plate-4", 75.0, 0.0),
        ("corners-4", 120.0, -60.0),
        ("two-plate-8", -70.0, 55.0),
        ("two-plate-8", 150.0, -90.0),
    ],
)
def test_a_placed_mass_reads_its_weight_at_the_point_it_was_put(board, x, y):
    sim = make("quiet", board, seed=18, spike_rate=0.0)
    sim.place_mass(20.0, x, y)
    bal = balance_of(sim, 2)
    assert np.median(bal.total_kg) == pytest.approx(20.0, rel=0.002)
    assert np.median(bal.cop_ml_mm) == pytest.approx(x, abs=0.5)
    if sim.board.has_ap_spacing:
        assert np.median(bal.cop_ap_mm) == pytest.approx(y, abs=0.5)


def test_a_mass_off_the_cells_is_a_usage_error():
    with pytest.raises(UsageError, match="off the cells"):
        make().place_mass(10.0, 400.0, 0.0)


def test_corners_4_single_leg_puts_the_cop_under_the_stance_foot_on_one_plate():
    sim = make("single-leg-left", "corners-4", seed=19, spike_rate=0.0)
    bal = balance_of(sim, sim.script_duration_s)
    hold = (bal.t_s > event(sim, "lift_off").t_s + 2) & (bal.t_s < event(sim, "touchdown").t_s)
    assert np.median(bal.cop_ml_mm[hold]) == pytest.approx(-100.0, abs=8)
    assert np.median(bal.total_kg[hold]) == pytest.approx(70.0, rel=0.01)
    # One plate: the right-hand cells still carry part of a left foot's load.
    assert 0.15 < np.median(bal.right_n[hold]) / np.median(bal.total_n[hold]) < 0.35


def test_two_plate_8_measures_each_foots_ap_sway():
    sim = make("quiet", "two-plate-8", seed=20, spike_rate=0.0)
    bal = balance_of(sim, 20)
    assert 1.0 < np.std(bal.cop_ap_mm) < 12.0
    assert np.median(bal.left_share) == pytest.approx(0.5, abs=0.05)


# --- calibration walkthrough ---------------------------------------------------------------------


@pytest.mark.parametrize("board", ["two-plate-4", "corners-4", "two-plate-8"])
def test_calibrating_with_placed_masses_recovers_the_true_cells(board):
    sim = make("single-leg-left", board, seed=21, spike_rate=0.0)
    counts_of(sim, 2)
    sim.clear_load()
    _, empty = counts_of(sim, 10)
    spans = []
    for cell in sim.board.cells:
        sim.place_mass(10.0, cell.x_mm, cell.y_mm)
        spans.append((counts_of(sim, 3)[1], 10.0))
    sim.resume_person()
    cal = Calibration(sim.board.cell_names).fit(empty, spans)
    offsets, scales = sim.builtin_calibration()
    assert np.all(np.abs(cal.offset_ - offsets) <= 5)
    assert np.allclose(cal.scale_, scales, rtol=0.01)
    assert np.median(balance_of(sim, 2).total_kg) == pytest.approx(70.0, rel=0.03)


def test_a_huge_mass_saturates_at_the_top_of_the_24_bit_range():
    sim = make("quiet", seed=22)
    sim.place_mass(1000.0, -190.0, 0.0)
    _, counts = counts_of(sim, 1)
    assert np.median(counts[:, 0]) == ADC_MAX


# --- interactive ---------------------------------------------------------------------------------


def test_interactive_body_follows_the_target_with_pendulum_dynamics():
    sim = make("interactive", seed=23, spike_rate=0.0)
    balance_of(sim, 2)
    sim.set_target(-60.0)
    bal = balance_of(sim, 4)
    assert np.median(bal.cop_ml_mm[bal.t_s > bal.t_s[0] + 2.5]) == pytest.approx(-60.0, abs=6)
    # The COP first steps the other way to push the body toward the target.
    assert bal.cop_ml_mm[: int(0.4 * FS)].max() > 5.0
    sim.set_target(40.0)
    bal = balance_of(sim, 4)
    assert np.median(bal.cop_ml_mm[bal.t_s > bal.t_s[0] + 2.5]) == pytest.approx(40.0, abs=6)


def test_interactive_stance_changes_lift_and_land_the_feet():
    sim = make("interactive", seed=24, spike_rate=0.0)
    sim.set_stance("left")
    bal = balance_of(sim, 5)
    assert np.median(bal.right_n[bal.t_s > 3.5]) < 2.0
    assert [(e.name, e.side) for e in sim.events] == [("lift_off", "right")]
    sim.set_stance("off")
    bal = balance_of(sim, 8)
    assert np.median(bal.total_kg[-int(FS) :]) < 0.5
    assert [e.name for e in sim.events] == ["lift_off", "touchdown", "step_off"]
    with pytest.raises(UsageError, match="stance"):
        sim.set_stance("hop")


def test_set_target_outside_the_interactive_scenario_is_a_usage_error():
    with pytest.raises(UsageError, match="interactive"):
        make("quiet").set_target(10.0)


# --- time ----------------------------------------------------------------------------------------


class FakeTime:
    """A clock that only moves when slept on (or when a test moves it)."""

    def __init__(self, start: float = 100.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_real_time_paces_frames_to_the_80hz_grid_of_the_clock():
    fake = FakeTime()
    sim = make("quiet", realtime=True, clock=fake.clock, sleep=fake.sleep)
    t = np.array([f.t for f in islice(sim.frames(), 160)])
    assert t[0] == 100.0
    assert np.allclose(t - 100.0, np.arange(160) / FS)
    assert len(fake.sleeps) == 159 and np.allclose(fake.sleeps, 1 / FS)


def test_real_time_does_not_drift_when_the_consumer_takes_time():
    fake = FakeTime()
    sim = make("quiet", realtime=True, clock=fake.clock, sleep=fake.sleep)
    t = []
    for i, frame in enumerate(sim.frames()):
        t.append(frame.t)
        fake.now += 0.004 if i != 50 else 0.2  # one slow moment: it catches up, no burst after
        if i == 199:
            break
    assert np.allclose(np.array(t[100:]) - 100.0, np.arange(100, 200) / FS)
    assert np.all(np.diff(t) > 0)
    assert sim.stats()["resyncs"] == 0


def test_real_time_moves_the_grid_after_a_long_stall():
    fake = FakeTime()
    sim = make("quiet", realtime=True, clock=fake.clock, sleep=fake.sleep)
    frames = sim.frames()
    list(islice(frames, 10))
    fake.now += 3.0
    t = np.array([f.t for f in islice(frames, 10)])
    assert np.allclose(np.diff(t), 1 / FS)
    assert sim.stats()["resyncs"] == 1


def test_duration_and_close_end_the_stream():
    assert len(list(make(duration_s=1.5).frames())) == 120
    sim = make()
    frames = sim.frames()
    next(frames)
    sim.close()
    assert list(frames) == []


@pytest.mark.parametrize("scenario", [s for s in SCENARIOS if s not in ("interactive", "empty")])
def test_no_cell_ever_carries_a_negative_force_only_noise_can_read_below_zero(scenario):
    # Noise and spikes off: the counts are the true forces to half a count (~0.25 mN).
    sim = make(scenario, seed=3, noise_counts=0.0, spike_rate=0.0, weak_hip="right")
    bal = balance_of(sim, min(max(sim.script_duration_s, 20.0), 90.0))
    for side in (bal.left_n, bal.right_n):
        assert side.min() > -0.001
    assert bal.total_n.max() < 2.0 * 70.0 * STANDARD_GRAVITY
