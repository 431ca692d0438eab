"""Event detection: body weight, lift-off, touchdown, brushes, step-off, foot shifts, squats."""

from __future__ import annotations

import math

import numpy as np
import pytest
from feet_helpers import BW, FS, feet_block

from balance_trainer.balance import BalanceBlock
from balance_trainer.errors import ProtocolError
from balance_trainer.events import (
    EventDetector,
    EventSettings,
    FootContact,
    com_bottom,
    detect_events,
)


def keyframes(points, n_s, fs=FS):
    """Piecewise-linear series through (t, value) points, sampled at k/fs for k < n_s*fs."""
    t = np.arange(int(round(n_s * fs))) / fs
    pt, pv = zip(*points, strict=True)
    return np.interp(t, pt, pv)


def one_leg_block(
    lift_at=3.0, down_at=10.0, ramp=0.2, total_s=14.0, noise=2.0, seed=0, lifted="right"
):
    """Both feet, then the ``lifted`` foot unloads over ``ramp`` s, holds, and lands again."""
    half = BW / 2
    foot = keyframes(
        [
            (0, half),
            (lift_at, half),
            (lift_at + ramp, 0.0),
            (down_at, 0.0),
            (down_at + ramp, half),
            (total_s, half),
        ],
        total_s,
    )
    other = BW - foot
    rng = np.random.default_rng(seed)
    foot = foot + rng.normal(0, noise, foot.size)
    other = other + rng.normal(0, noise, foot.size)
    return feet_block(other, foot) if lifted == "right" else feet_block(foot, other)


def first_frame(t, mask, after):
    i = np.flatnonzero(mask & (t >= after - 1e-9))
    return float(t[i[0]])


def split(block: BalanceBlock, sizes) -> list[BalanceBlock]:
    """Cut a block into consecutive pieces of the given sizes (cycled)."""
    out, i, k = [], 0, 0
    n = len(block)
    while i < n:
        m = sizes[k % len(sizes)]
        out.append(BalanceBlock(*(getattr(block, f)[i : i + m] for f in BalanceBlock.FIELDS)))
        i += m
        k += 1
    return out


def feed_all(det: EventDetector, blocks) -> list:
    evs = []
    for b in blocks:
        evs += det.feed(b)
    return evs


def kinds(evs, kind):
    return [e for e in evs if e.kind == kind]


# --- body weight --------------------------------------------------------------------------------


def test_body_weight_is_the_median_load_of_the_baseline_window():
    rng = np.random.default_rng(1)
    total = BW + rng.normal(0, 5, 400)
    total[100] += 300.0  # a spike in the window moves a median by almost nothing
    blk = feet_block(total / 2, total / 2)
    ev = kinds(detect_events(blk), "body_weight")[0]
    s = EventSettings()
    window = (blk.t_s >= s.baseline_settle_s - 1e-9) & (blk.t_s <= ev.t_s + 1e-9)
    assert ev.data["body_weight_n"] == pytest.approx(float(np.median(total[window])))
    assert ev.t_s == pytest.approx(s.baseline_settle_s + s.baseline_s)


def test_no_body_weight_and_no_events_without_both_feet_down():
    rng = np.random.default_rng(2)
    nobody = feet_block(rng.normal(0, 1, 800), rng.normal(0, 1, 800))
    one_foot = feet_block(np.full(800, BW), np.zeros(800))
    assert detect_events(nobody) == []
    assert detect_events(one_foot) == []


def test_given_body_weight_starts_at_the_first_frame_with_both_feet_down():
    blk = one_leg_block()
    evs = detect_events(blk, body_weight_n=BW)
    assert evs[0].kind == "body_weight" and evs[0].t_s == 0.0
    assert kinds(evs, "lift_off")


# --- lift-off, touchdown, brushes ---------------------------------------------------------------


def test_lift_off_is_dated_at_the_crossing_and_known_half_a_second_later():
    blk = one_leg_block(lift_at=3.0, down_at=10.0)
    evs = detect_events(blk)
    lift = kinds(evs, "lift_off")[0]
    crossing = first_frame(blk.t_s, blk.right_n < 0.1 * BW, 3.0)
    assert lift.side == "right" and lift.data["stance_side"] == "left"
    assert lift.t_s == crossing
    assert lift.known_s == pytest.approx(crossing + 0.5)


def test_touchdown_is_dated_at_the_crossing_and_known_after_the_brush_time():
    blk = one_leg_block(lift_at=3.0, down_at=10.0)
    td = kinds(detect_events(blk), "touchdown")[0]
    crossing = first_frame(blk.t_s, blk.right_n > 0.1 * BW, 10.0)
    assert td.side == "right" and td.t_s == crossing
    assert td.known_s == pytest.approx(crossing + 0.05)


def test_a_foot_back_down_within_half_a_second_is_no_lift_off():
    blk = one_leg_block(lift_at=3.0, down_at=3.45, ramp=0.05)
    assert kinds(detect_events(blk), "lift_off") == []


@pytest.mark.parametrize("frames, is_touchdown", [(1, False), (4, False), (5, True)])
def test_a_touch_shorter_than_50_ms_is_a_brush_not_a_touchdown(frames, is_touchdown):
    blk = one_leg_block(lift_at=3.0, down_at=20.0, total_s=14.0)
    right = blk.right_n.copy()
    i = int(6.0 * FS)
    right[i : i + frames] = 0.3 * BW  # 4 frames span 37.5 ms; 5 frames span 50 ms
    evs = detect_events(feet_block(blk.left_n, right))
    assert bool(kinds(evs, "touchdown")) == is_touchdown
    assert bool(kinds(evs, "brush")) != is_touchdown
    if not is_touchdown:
        assert kinds(evs, "brush")[0].t_s == pytest.approx(6.0)


def test_a_brush_during_the_first_half_second_does_not_restart_the_lift_off():
    blk = one_leg_block(lift_at=3.0, down_at=10.0)
    right = blk.right_n.copy()
    crossing = first_frame(blk.t_s, blk.right_n < 0.1 * BW, 3.0)
    i = int(round((crossing + 0.2) * FS))
    right[i : i + 3] = 0.3 * BW
    lift = kinds(detect_events(feet_block(blk.left_n, right)), "lift_off")[0]
    assert lift.t_s == crossing


def test_spikes_and_dropouts_do_not_make_events():
    blk = one_leg_block(lift_at=3.0, down_at=10.0)
    left, right = blk.left_n.copy(), blk.right_n.copy()
    k = lambda s: int(s * FS)  # noqa: E731
    right[k(6.0)] = 5 * BW  # one wild sample on the lifted side
    left[k(7.0)] = 0.0  # a dropout of the stance side: total < 20 % BW
    left[k(1.8)] = right[k(1.8)] = 0.0  # both sides lost for a frame before the lift
    right[k(2.2) : k(2.2) + 2] = 0.0  # a foot reading zero for 2 frames while bipedal
    evs = detect_events(feet_block(left, right))
    assert [e.kind for e in evs if e.kind != "brush"] == ["body_weight", "lift_off", "touchdown"]


def _reference_foot(t, above, hold=0.5, brush=0.05):
    """The definitions read plainly, one frame at a time (the slow, obvious reference)."""
    eps = 1e-9
    out, state, lift_t, touch_t = [], "down", None, None
    for ti, a in zip(t.tolist(), above.tolist(), strict=True):
        if state == "down":
            if not a:
                state, lift_t, touch_t = "lifting", ti, None
        elif state == "lifting":
            if a:
                touch_t = ti if touch_t is None else touch_t
                if ti - touch_t >= brush - eps:
                    state, touch_t = "down", None
            else:
                touch_t = None
                if ti - lift_t >= hold - eps:
                    out.append(("lift_off", lift_t, ti))
                    state = "up"
        else:
            if a:
                touch_t = ti if touch_t is None else touch_t
                if ti - touch_t >= brush - eps:
                    out.append(("touchdown", touch_t, ti))
                    state, touch_t = "down", None
            elif touch_t is not None:
                out.append(("brush", touch_t, ti))
                touch_t = None
    return out


@pytest.mark.parametrize("seed", range(6))
def test_foot_contact_agrees_with_a_frame_by_frame_reading_of_the_rules(seed):
    rng = np.random.default_rng(seed)
    n = 3000
    # Runs of random lengths (1 frame to 2 s) so every rule gets exercised.
    lengths = rng.integers(1, 160, 200)
    values = np.arange(200) % 2 == 0
    above = np.repeat(values, lengths)[:n]
    t = np.arange(above.size) / FS + rng.uniform(0, 5)
    want = _reference_foot(t, above)
    foot = FootContact("right", EventSettings())
    got = []
    sizes = rng.integers(1, 300, 50).tolist()
    i = 0
    for m in sizes * 20:
        if i >= above.size:
            break
        got += [(e.kind, e.t_s, e.known_s) for _, e in foot.feed(t[i : i + m], above[i : i + m])]
        i += m
    assert got == want
    assert len(want) > 10


# --- stepping off and on ----------------------------------------------------------------------


def test_step_off_and_on_with_body_weight_measured_again():
    half = BW / 2
    light = 500.0  # someone lighter steps on the second time
    total = keyframes([(0, BW), (4, BW), (4.3, 0), (8, 0), (8.3, light), (14, light)], 14)
    blk = feet_block(total / 2, total / 2)
    evs = detect_events(blk)
    off = kinds(evs, "step_off")[0]
    on = kinds(evs, "step_on")[0]
    assert off.t_s == first_frame(blk.t_s, blk.total_n < 0.2 * BW, 4.0)
    assert off.known_s == pytest.approx(off.t_s + 0.1)
    assert on.t_s == first_frame(blk.t_s, blk.total_n >= 0.2 * BW, 8.0)
    bws = [e.data["body_weight_n"] for e in kinds(evs, "body_weight")]
    assert bws == [pytest.approx(BW), pytest.approx(light)]
    assert half  # (both feet share equally throughout)


def test_events_do_not_depend_on_how_the_stream_is_cut_into_blocks(sim_runs):
    block = sim_runs["squats-left"]["block"]
    whole = [(e.kind, e.t_s, e.known_s, e.side) for e in detect_events(block)]
    for sizes in ([1], [7, 64, 3], [500]):
        det = EventDetector()
        got = [(e.kind, e.t_s, e.known_s, e.side) for e in feed_all(det, split(block, sizes))]
        assert got == whole
    assert len(kinds(detect_events(block), "squat")) == 15  # 3 sets of 5


def test_step_on_off_scenario_gives_the_simulated_steps(sim_runs):
    run = sim_runs["step-on-off"]
    evs = detect_events(run["block"])
    truth = [e for e in run["events"] if e.name in ("step_on", "step_off")]
    offs = kinds(evs, "step_off")
    assert len(offs) == sum(e.name == "step_off" for e in truth) == 3
    for got, want in zip(offs, [e for e in truth if e.name == "step_off"], strict=True):
        # The simulator marks the last foot leaving; 20 % of body weight is crossed earlier.
        assert -0.5 <= got.t_s - want.t_s <= 0.05


# --- the simulator's single-leg scenarios -------------------------------------------------------


@pytest.mark.parametrize("scenario", ["single-leg-left", "single-leg-right"])
def test_simulated_lift_off_and_touchdown_follow_the_definitions(sim_runs, scenario):
    run = sim_runs[scenario]
    blk, truth = run["block"], run["events"]
    evs = detect_events(blk)
    bw = kinds(evs, "body_weight")[0].data["body_weight_n"]
    lifts, downs = kinds(evs, "lift_off"), kinds(evs, "touchdown")
    sim_lifts = [e.t_s for e in truth if e.name == "lift_off"]
    sim_downs = [e.t_s for e in truth if e.name == "touchdown"]
    assert len(lifts) == len(downs) == len(sim_lifts) == 3  # the scenario's 3 trials
    lifted = truth[0].side
    load = blk.right_n if lifted == "right" else blk.left_n
    t = blk.t_s
    below = load < 0.1 * bw
    for lift, down, sim_lift, sim_down in zip(lifts, downs, sim_lifts, sim_downs, strict=True):
        assert lift.side == down.side == lifted
        i0 = int(np.searchsorted(t, lift.t_s))
        i1 = int(np.searchsorted(t, down.t_s))
        # Lift-off: a crossing, then below for 0.5 s; touchdown: a crossing, then above 50 ms.
        assert below[i0] and not below[i0 - 1]
        assert below[i0 : i0 + 41].all()
        assert not below[i1] and below[i1 - 1] and not below[i1 : i1 + 5].any()
        # The simulator dates lift-off when the foot is fully off and touchdown at first
        # contact; its foot rests at 4-6 % of body weight around both, so the 10 % crossings
        # come before its lift-off and after its touchdown.
        assert -1.0 <= lift.t_s - sim_lift <= 0.05
        assert 0.0 <= down.t_s - sim_down <= 0.8


@pytest.mark.parametrize("scenario", ["single-leg-left", "single-leg-right"])
def test_simulated_lift_off_and_touchdown_within_a_tenth_of_a_second(sim_runs, scenario):
    run = sim_runs[scenario]
    evs = detect_events(run["block"])
    for kind in ("lift_off", "touchdown"):
        got = kinds(evs, kind)
        want = [e.t_s for e in run["events"] if e.name == kind]
        assert len(got) == len(want) == 3  # the scenario's 3 trials
        for g, w in zip(got, want, strict=True):
            assert g.t_s == pytest.approx(w, abs=0.1)


# --- foot shifts --------------------------------------------------------------------------------


def test_a_stance_foot_sliding_70_mm_is_a_foot_shift():
    blk = one_leg_block(lift_at=3.0, down_at=12.0, total_s=14.0)
    t = blk.t_s
    cop = np.where(t < 7.0, -120.0, -120.0 + 70.0 * np.clip((t - 7.0) / 0.15, 0, 1))
    cop = cop + np.random.default_rng(3).normal(0, 2.0, t.size)
    evs = detect_events(feet_block(blk.left_n, blk.right_n, left_cop=cop))
    shift = kinds(evs, "foot_shift")
    assert len(shift) == 1 and shift[0].side == "left"
    assert 7.0 <= shift[0].t_s <= 7.5


def test_ordinary_weak_hip_sway_on_one_leg_is_not_a_foot_shift(sim_runs):
    assert kinds(detect_events(sim_runs["single-leg-left-weak"]["block"]), "foot_shift") == []


def test_the_same_slide_while_the_other_foot_carries_weight_is_not_a_foot_shift():
    blk = one_leg_block(lift_at=3.0, down_at=12.0, total_s=14.0)
    t = blk.t_s
    cop = np.where(t < 7.0, -120.0, -50.0)
    right = np.where((t > 6.5) & (t < 7.6), 0.06 * BW, blk.right_n)  # resting the foot lightly
    evs = detect_events(feet_block(blk.left_n, right, left_cop=cop))
    assert kinds(evs, "foot_shift") == []


# --- squats -------------------------------------------------------------------------------------


def squat_force(depths_m, periods_s, pauses_s, lead_s=3.0, tail_s=3.0, noise=0.0, seed=0):
    """Vertical force of minimum-jerk squats on one leg; returns (total_n, bottoms_s)."""
    g = 9.80665
    parts = [np.zeros(int(lead_s * FS))]
    bottoms = []
    t_now = lead_s
    for depth, period, pause in zip(depths_m, periods_s, pauses_s, strict=True):
        n = int(round(period * FS))
        tau = np.arange(n) / n
        # y = -depth (1 - cos 2πτ) / 2, so y'' = -depth/2 (2π/T)² cos 2πτ
        acc = -depth / 2 * (2 * np.pi / period) ** 2 * np.cos(2 * np.pi * tau)
        parts.append(acc / g)
        bottoms.append(t_now + period / 2)
        t_now += period
        parts.append(np.zeros(int(round(pause * FS))))
        t_now += pause
    parts.append(np.zeros(int(tail_s * FS)))
    d = np.concatenate(parts)
    d = d + np.random.default_rng(seed).normal(0, noise, d.size)
    return BW * (1 + d), bottoms


def single_leg_squats(depths, periods, pauses, noise=0.002):
    total, bottoms = squat_force(depths, periods, pauses, lead_s=6.0, noise=noise)
    n = total.size
    t = np.arange(n) / FS
    right = np.where(t < 3.0, BW / 2, 0.0)
    left = total - right
    return feet_block(left, right), bottoms


def test_squat_repetitions_are_counted_with_their_bottoms():
    blk, bottoms = single_leg_squats([0.2, 0.15, 0.25], [2.5, 2.0, 3.0], [1.0, 1.5, 1.0])
    reps = kinds(detect_events(blk), "squat")
    assert len(reps) == 3
    for rep, bottom in zip(reps, bottoms, strict=True):
        assert rep.side == "left"
        assert rep.data["bottom_s"] == pytest.approx(bottom, abs=0.05)
        assert rep.data["start_s"] < rep.data["bottom_s"] < rep.data["end_s"]
    assert reps[0].data["depth_mm"] == pytest.approx(200, rel=0.1)


def test_squats_without_a_pause_are_each_counted():
    blk, bottoms = single_leg_squats([0.2] * 4, [2.0] * 4, [0.0] * 4)
    reps = kinds(detect_events(blk), "squat")
    assert len(reps) == 4
    # Back to back, one repetition ends where the next begins (the turn at the top).
    assert reps[1].data["start_s"] == reps[0].data["end_s"]
    for rep, bottom in zip(reps, bottoms, strict=True):
        assert rep.data["bottom_s"] == pytest.approx(bottom, abs=0.05)


def test_small_knee_bobs_are_not_squats():
    blk, _ = single_leg_squats([0.01] * 3, [0.6] * 3, [1.0] * 3, noise=0.0)
    assert kinds(detect_events(blk), "squat") == []


@pytest.mark.parametrize("scenario", ["squats-left", "squats-right"])
def test_simulated_squats_are_counted_exactly(sim_runs, scenario):
    run = sim_runs[scenario]
    reps = kinds(detect_events(run["block"]), "squat")
    stance = scenario.rsplit("-", 1)[1]
    truth = [e.t_s for e in run["events"] if e.name == "squat_bottom"]
    assert len(reps) == len(truth) == 15  # 3 sets of 5
    for rep, bottom in zip(reps, truth, strict=True):
        assert rep.side == stance
        # worst of these 30 simulated repetitions: 0.26 s (0.25 held over the first 5)
        assert rep.data["bottom_s"] == pytest.approx(bottom, abs=0.3)


def test_com_bottom_of_a_cosine_dip_is_its_middle():
    t = np.arange(200) / FS
    y = -0.1 * (1 - np.cos(2 * np.pi * t / t[-1])) / 2
    d = np.gradient(np.gradient(y, t), t) / 9.80665 + 0.01  # a 1 % error in body weight
    bottom, depth = com_bottom(t, d)
    assert bottom == pytest.approx(t[-1] / 2, abs=1.5 / FS)
    assert depth == pytest.approx(100.0, rel=0.03)


# --- settings -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        {"lift_fraction": 1.5},
        {"lift_hold_s": -1},
        {"bipedal_min_share": 0.6},
        {"squat_quiet_fraction": 0.05},
        {"baseline_s": math.nan},
    ],
)
def test_nonsense_settings_are_refused(change):
    with pytest.raises(ProtocolError):
        EventSettings().replace(**change)


def test_unknown_setting_names_are_refused():
    with pytest.raises(ProtocolError, match="unknown event setting"):
        EventSettings().replace(lift_treshold=0.1)


def test_a_stricter_hold_changes_what_counts_as_a_lift_off():
    blk = one_leg_block(lift_at=3.0, down_at=3.9, ramp=0.05)
    assert kinds(detect_events(blk), "lift_off")
    strict = EventSettings(lift_hold_s=1.0)
    assert kinds(detect_events(blk, strict), "lift_off") == []


# --- simulator fixtures -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sim_runs():
    from balance_trainer.stream import process_frames
    from balance_trainer.wiring import open_board

    out = {}
    for key, scenario, seed, weak in (
        ("single-leg-left", "single-leg-left", 1, None),
        ("single-leg-right", "single-leg-right", 2, None),
        ("single-leg-left-weak", "single-leg-left", 4, "left"),
        ("squats-left", "squats-left", 0, None),
        ("squats-right", "squats-right", 1, None),
        ("step-on-off", "step-on-off", 0, None),
    ):
        conn = open_board("sim", scenario=scenario, seed=seed, weak_hip=weak, realtime=False)
        src = conn.source
        n = int((src.script_duration_s + 1.0) * FS)
        blocks = [
            b
            for b, _ in process_frames(src.frames(), conn.converter, max_frames=n, block_size=2048)
        ]
        out[key] = {"block": BalanceBlock.concatenate(blocks), "events": list(src.events)}
        conn.close()
    return out
