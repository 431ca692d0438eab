"""The clinical-test engine: trials, endings, sides, results, norms, live against replay."""

from __future__ import annotations

import json

import numpy as np
import pytest
from feet_helpers import BOARD, BW, FS, feet_block

from balance_trainer.balance import BalanceBlock
from balance_trainer.errors import AnalysisError, UsageError
from balance_trainer.events import EventDetector
from balance_trainer.metrics import METRIC_NAMES
from balance_trainer.protocols import (
    PROTOCOLS,
    SCALE_LIMITS,
    analyze_recording_for_test,
    make_protocol,
)
from balance_trainer.recording import RecordingWriter
from balance_trainer.stance import foot_spans

PDS = "tests/data/pds/PDS13OR1grf.txt"
BDS = "tests/data/hbedb/BDS00001.txt"


def script(steps, total_s, bw=BW, noise=2.0, seed=0, sway_mm=3.0):
    """Feet loads from ``(t, left_fraction, right_fraction)`` keyframes, linear in between.

    Each foot's own COP sways a little about its plate centre, so there is something to
    measure.
    """
    t = np.arange(int(round(total_s * FS))) / FS
    ts, lf, rf = zip(*steps, strict=True)
    rng = np.random.default_rng(seed)
    left = bw * np.interp(t, ts, lf) + rng.normal(0, noise, t.size)
    right = bw * np.interp(t, ts, rf) + rng.normal(0, noise, t.size)
    sway = sway_mm * np.sin(2 * np.pi * 0.7 * t)
    return feet_block(left, right, -120.0 + sway, 120.0 + sway)


def stand_on(side, at, until, ramp=0.2):
    """Keyframes: both feet, then stand on ``side`` from ``at`` to ``until``."""
    loads = (1.0, 0.0) if side == "left" else (0.0, 1.0)
    return [(at, 0.5, 0.5), (at + ramp, *loads), (until, *loads), (until + ramp, 0.5, 0.5)]


def run(proto, block, sizes=(64,)):
    events = []
    i, k = 0, 0
    n = len(block)
    while i < n and not proto.done:
        m = sizes[k % len(sizes)]
        events += proto.feed(
            BalanceBlock(*(getattr(block, f)[i : i + m] for f in BalanceBlock.FIELDS))
        )
        i += m
        k += 1
    events += proto.finish()
    return events


def crossing(block, side, after, below=True):
    load = block.left_n if side == "left" else block.right_n
    mask = (load < 0.1 * BW) if below else (load > 0.1 * BW)
    return float(block.t_s[np.flatnonzero(mask & (block.t_s >= after))[0]])


# --- single-leg stance --------------------------------------------------------------------------


def test_a_trial_runs_from_lift_off_to_the_first_touch_with_its_measures():
    blk = script([(0, 0.5, 0.5), *stand_on("left", 6.0, 15.0), (20, 0.5, 0.5)], 20)
    proto = make_protocol("single-leg-stance", side="left", trials=1)
    events = run(proto, blk)
    res = proto.result()
    (trial,) = res["trials"]
    start = crossing(blk, "right", 6.0)
    # strict touch rule: the clock stops when the foot first reads above the 10 N noise floor
    end = float(blk.t_s[np.flatnonzero((blk.right_n > 10.0) & (blk.t_s >= 15.0))[0]])
    assert end < crossing(blk, "right", 15.0, below=False)  # before 10 % of body weight
    assert trial["stance_side"] == "left" and trial["stop_reason"] == "touch"
    assert trial["start_s"] == pytest.approx(start) and trial["end_s"] == pytest.approx(end)
    assert trial["hold_s"] == pytest.approx(end - start)
    m = trial["metrics"]
    assert set(METRIC_NAMES) <= set(m) and m["ml_source"] == "stance foot"
    assert m["ml_range_mm"] == pytest.approx(6.0, abs=0.6)  # the 3 mm sine under the foot
    assert m["ap_rms_mm"] is None  # this board has no AP spacing: null, never 0
    kinds = [e.kind for e in events]
    assert kinds.index("countdown") < kinds.index("trial_started") < kinds.index("trial_ended")
    assert kinds[-1] == "done" and proto.done
    assert [e.data["remaining"] for e in events if e.kind == "countdown"] == [3, 2, 1, 0]
    times = [e.t_s for e in events]
    assert times == sorted(times)
    json.dumps(res)  # JSON-ready


def test_a_hold_is_stopped_at_the_maximum_time():
    blk = script([(0, 0.5, 0.5), *stand_on("right", 3.0, 40.0), (45, 0.5, 0.5)], 45)
    proto = make_protocol("single-leg-stance", side="right", trials=1, max_time_s=30)
    run(proto, blk)
    (trial,) = proto.result()["trials"]
    assert trial["stop_reason"] == "max_time"
    assert trial["hold_s"] == pytest.approx(30.0)


def test_stepping_off_ends_a_trial_at_the_step_off_crossing():
    blk = script(
        [
            (0, 0.5, 0.5),
            (3.0, 0.5, 0.5),
            (3.2, 1.0, 0.0),
            (8.0, 1.0, 0.0),
            (8.3, 0.0, 0.0),
            (12, 0.0, 0.0),
        ],
        12,
    )
    proto = make_protocol("single-leg-stance", side="left", trials=1)
    run(proto, blk)
    (trial,) = proto.result()["trials"]
    assert trial["stop_reason"] == "step_off"
    want = float(blk.t_s[np.flatnonzero((blk.total_n < 0.2 * BW) & (blk.t_s > 8))[0]])
    assert trial["end_s"] == pytest.approx(want)


def test_the_earliest_ending_wins_even_when_it_is_confirmed_later():
    # The stance foot leaves (step-off needs 0.1 s to be sure) 37.5 ms before the lifted foot
    # lands lightly (a touchdown is sure after 50 ms): the step-off happened first although
    # the touchdown is confirmed first.
    blk = script(
        [
            (0, 0.5, 0.5),
            *stand_on("left", 3.0, 8.0)[:3],
            (8.0125, 0.0, 0.0),
            (8.0375, 0.0, 0.0),
            (8.05, 0.0, 0.15),
            (12, 0.0, 0.15),
        ],
        12,
        noise=0.0,
    )
    proto = make_protocol("single-leg-stance", side="left", trials=1)
    run(proto, blk)
    (trial,) = proto.result()["trials"]
    assert trial["stop_reason"] == "step_off"
    assert trial["end_s"] == pytest.approx(8.0125)


def test_a_foot_shift_of_the_stance_foot_ends_the_trial():
    blk = script([(0, 0.5, 0.5), *stand_on("left", 3.0, 20.0), (24, 0.5, 0.5)], 24)
    t = blk.t_s
    cop = np.where(t < 9.0, -120.0, -50.0)
    moved = feet_block(blk.left_n, blk.right_n, cop)
    proto = make_protocol("single-leg-stance", side="left", trials=1)
    run(proto, moved)
    (trial,) = proto.result()["trials"]
    assert trial["stop_reason"] == "foot_shift"
    assert 9.0 <= trial["end_s"] <= 9.5


def test_both_sides_run_left_then_right_and_the_wrong_leg_is_not_counted():
    steps = [
        (0, 0.5, 0.5),
        *stand_on("right", 3.0, 6.0),  # wrong leg first
        *stand_on("left", 10.0, 14.0),
        *stand_on("left", 20.0, 30.0),
        *stand_on("right", 35.0, 43.0),
        *stand_on("right", 48.0, 50.0),
        (55, 0.5, 0.5),
    ]
    blk = script(steps, 55)
    proto = make_protocol("single-leg-stance", side="both", trials=2, age=75)
    events = run(proto, blk)
    res = proto.result()
    assert [t["stance_side"] for t in res["trials"]] == ["left", "left", "right", "right"]
    assert any("That was your right leg" in e.data.get("text", "") for e in events)
    holds = [t["hold_s"] for t in res["trials"]]
    s = res["summary"]
    assert s["left"]["best_hold_s"] == pytest.approx(max(holds[:2]))
    assert s["right"]["mean_hold_s"] == pytest.approx(np.mean(holds[2:]))
    left, right = s["left"]["best_hold_s"], s["right"]["best_hold_s"]
    assert s["asymmetry_pct"] == pytest.approx(100 * (left - right) / max(left, right), abs=1e-3)
    norm = res["norm"]
    assert norm["mean_s"] == 21.5 and norm["age_band"] == "70-79" and "Springer" in norm["source"]
    assert norm["norms"][1]["mean_s"] == 17.2 and "Bohannon" in norm["norms"][1]["source"]
    assert norm["comparison"] == "below mean" and proto.done


def test_a_foot_down_within_a_second_is_a_false_start_and_is_tried_again():
    steps = [
        (0, 0.5, 0.5),
        *stand_on("left", 3.0, 3.6, ramp=0.05),
        *stand_on("left", 6.0, 16.0),
        (20, 0.5, 0.5),
    ]
    blk = script(steps, 20)
    proto = make_protocol("hip-stability", side="left")
    events = run(proto, blk)
    res = proto.result()
    (trial,) = res["trials"]
    assert trial["hold_s"] > 9.5
    (false,) = res["false_starts"]
    assert false["hold_s"] < 1.0 and false["stance_side"] == "left"
    assert [e.kind for e in events].count("false_start") == 1


def test_after_two_false_starts_a_short_hold_counts():
    steps = [(0, 0.5, 0.5)]
    for at in (3.0, 6.0, 9.0):
        steps += stand_on("left", at, at + 0.7, ramp=0.05)
    blk = script(steps + [(14, 0.5, 0.5)], 14)
    proto = make_protocol("single-leg-stance", side="left", trials=1)
    run(proto, blk)
    res = proto.result()
    assert len(res["false_starts"]) == 2
    (trial,) = res["trials"]
    assert trial["hold_s"] < 1.0 and trial["start_s"] > 9.0 and proto.done


def step_hold(lift_frame, hold_frames, total_s=12.0):
    """Both feet, then the right foot up at frame ``lift_frame`` and down ``hold_frames`` later.

    Noise-free steps of one frame, so lift-off and touchdown are dated at those exact frames;
    frame numbers that are multiples of 5 fall on times exact in binary (k / 80 = m / 16).
    """
    t = np.arange(int(round(total_s * FS))) / FS
    up = (t >= lift_frame / FS) & (t < (lift_frame + hold_frames) / FS)
    left = np.where(up, BW, BW / 2)
    right = np.where(up, 0.0, BW / 2)
    return feet_block(left, right)


@pytest.mark.parametrize(
    "hold_frames, false_start",
    [(80, False), (79, True)],
    ids=["exactly-1.000-s-counts", "one-frame-short-is-false"],
)
def test_a_hold_of_exactly_the_false_start_time_counts_as_a_trial(hold_frames, false_start):
    proto = make_protocol("single-leg-stance", side="left", trials=1)
    run(proto, step_hold(400, hold_frames))
    res = proto.result()
    hold = hold_frames / FS
    if false_start:
        (fs,) = res["false_starts"]
        assert fs["hold_s"] == pytest.approx(hold, abs=1e-9) and res["trials"] == []
    else:
        (trial,) = res["trials"]
        assert trial["hold_s"] == 1.0 and trial["stop_reason"] == "touch"
        assert res["false_starts"] == []


@pytest.mark.parametrize("age, mean", [(25, 44.7), (60, 32.1), (69.9, 32.1), (70, 21.5), (85, 9.4)])
def test_the_norm_follows_the_age_band(age, mean):
    proto = make_protocol("single-leg-stance", age=age)
    assert proto.result()["norm"]["mean_s"] == mean


@pytest.mark.parametrize("age, eyes", [(None, "open"), (12, "open"), (12, "closed")])
def test_no_norm_is_invented_where_none_is_published(age, eyes):
    assert make_protocol("single-leg-stance", age=age, eyes=eyes).result()["norm"] is None


def _light_touch(at_s, load_n, frames):
    """Left stance from 3 s to 15 s with the right foot resting ``load_n`` for ``frames``."""
    blk = script([(0, 0.5, 0.5), *stand_on("left", 3.0, 15.0), (20, 0.5, 0.5)], 20)
    i = int(np.searchsorted(blk.t_s, at_s))
    right = blk.right_n.copy()
    right[i : i + frames] = load_n
    left = blk.left_n.copy()
    left[i : i + frames] -= load_n
    fields = {f: getattr(blk, f) for f in BalanceBlock.FIELDS}
    fields.update(right_n=right, left_n=left, left_share=left / (left + right))
    return BalanceBlock(**fields), float(blk.t_s[i])


@pytest.mark.parametrize("sizes", [(1,), (7, 200), (4096,)])
def test_a_light_short_touch_ends_the_stance_trial_and_a_lenient_test_only_counts_it(sizes):
    # 30 N (under 10 % of body weight) for 3 frames (under the 50 ms brush rule)
    blk, touch_t = _light_touch(9.0, 30.0, 3)
    proto = make_protocol("single-leg-stance", side="left", trials=1)
    run(proto, blk, sizes=sizes)
    (trial,) = proto.result()["trials"]
    assert trial["stop_reason"] == "touch" and trial["end_s"] == pytest.approx(touch_t)
    hip = make_protocol("hip-stability", side="left", trials=1, max_time_s=None)
    run(hip, blk, sizes=sizes)
    (held,) = hip.result()["trials"]
    # the detector's rule (10 % of body weight for 50 ms) does not even see it as a brush
    assert held["stop_reason"] == "touchdown" and held["brushes"] == 0
    assert held["end_s"] > 14.0


def test_one_frame_above_the_noise_floor_is_not_a_touch():
    blk, _ = _light_touch(9.0, 30.0, 1)
    proto = make_protocol("single-leg-stance", side="left", trials=1)
    run(proto, blk)
    (trial,) = proto.result()["trials"]
    assert trial["stop_reason"] == "touch" and trial["end_s"] > 14.0


# --- bad input ----------------------------------------------------------------------------------


def test_nobody_on_the_board_gives_no_trials_and_says_why():
    rng = np.random.default_rng(0)
    blk = feet_block(rng.normal(0, 1, 1600), rng.normal(0, 1, 1600))
    proto = make_protocol("single-leg-stance")
    run(proto, blk)
    res = proto.result()
    assert res["trials"] == [] and "nobody stood on the board" in res["notes"][0]
    assert proto.phase == "waiting_on_board"


def test_two_feet_down_all_the_time_gives_no_trials_and_says_why():
    blk = script([(0, 0.5, 0.5), (30, 0.5, 0.5)], 30)
    for name in ("single-leg-stance", "hip-stability", "single-leg-squat"):
        proto = make_protocol(name)
        run(proto, blk)
        typed = proto.test_result()
        assert typed.trials == () and typed.reps == ()
        assert "both feet stayed down" in typed.notes[0]


@pytest.mark.parametrize(
    "params, message",
    [
        ({"side": "up"}, "--side 'up'"),
        ({"eyes": "half"}, "--eyes 'half'"),
        ({"trials": 0}, "--trials 0"),
        ({"max_time_s": 0.5}, "--max-time 0.5"),
        ({"age": -3}, "--age -3"),
    ],
)
def test_bad_parameters_are_usage_errors(params, message):
    with pytest.raises(UsageError, match=message):
        make_protocol("single-leg-stance", **params)


def test_an_unknown_test_name_is_a_usage_error_listing_the_tests():
    with pytest.raises(UsageError) as exc:
        make_protocol("stork-stand")
    for name in PROTOCOLS:
        assert name in str(exc.value)


def test_tests_on_both_feet_refuse_a_side():
    with pytest.raises(UsageError, match="both feet"):
        make_protocol("mctsib", side="left")


# --- hip stability ------------------------------------------------------------------------------


def test_hip_stability_measures_drift_toward_the_lifted_side():
    blk = script([(0, 0.5, 0.5), *stand_on("left", 3.0, 40.0), (42, 0.5, 0.5)], 42, sway_mm=0.0)
    t = blk.t_s
    # Under the left foot the load creeps 12 mm to the right (toward the lifted foot).
    cop = -120.0 + 12.0 * np.clip((t - 3.0) / 30.0, 0, 1)
    blk = feet_block(blk.left_n, blk.right_n, cop)
    proto = make_protocol("hip-stability", side="left")
    run(proto, blk)
    res = proto.result()
    (trial,) = res["trials"]
    assert trial["stop_reason"] == "max_time" and trial["hold_s"] == pytest.approx(30.0)
    m = trial["metrics"]
    # From 5 s (2 s skipped) to 33 s the series is a straight line: thirds 2/3 apart.
    assert m["ml_drift_rate_mm_s"] == pytest.approx(12.0 / 30.0, rel=0.02)
    assert m["ml_drift_mm"] == pytest.approx(12.0 / 30.0 * 28.0 * 2 / 3, rel=0.03)
    assert res["scale_limits"] == SCALE_LIMITS and "cannot see" in SCALE_LIMITS


def test_drift_of_a_right_stance_toward_the_left_is_positive():
    blk = script([(0, 0.5, 0.5), *stand_on("right", 3.0, 40.0), (42, 0.5, 0.5)], 42, sway_mm=0.0)
    cop = 120.0 - 10.0 * np.clip((blk.t_s - 3.0) / 30.0, 0, 1)
    blk = feet_block(blk.left_n, blk.right_n, right_cop=cop)
    proto = make_protocol("hip-stability", side="right")
    run(proto, blk)
    assert proto.result()["trials"][0]["metrics"]["ml_drift_mm"] > 5.0


# --- squats -------------------------------------------------------------------------------------


def test_squat_protocol_counts_repetitions_and_measures_each(sim_squats):
    block, truth = sim_squats
    proto = make_protocol("single-leg-squat", side="right", trials=5)
    events = run(proto, block)
    res = proto.result()
    reps = res["reps"]
    assert len(reps) == 5 == len([e for e in events if e.kind == "rep"])
    bottoms = [e.t_s for e in truth if e.name == "squat_bottom"][:5]  # the first set of 3
    for rep, bottom in zip(reps, bottoms, strict=True):
        m = rep["metrics"]
        assert rep["stance_side"] == "right"
        assert rep["start_s"] < rep["bottom_s"] < rep["end_s"]
        assert rep["bottom_s"] == pytest.approx(bottom, abs=0.25)
        assert "pelvic_control_index" not in m  # renamed for what it is (issue 13)
        assert m["descent_s"] + m["ascent_s"] == pytest.approx(m["duration_s"])
        assert m["descent_ml_range_mm"] <= m["ml_range_mm"] + 1e-6
        assert m["ml_source"] == "stance foot"
    assert res["sets"][-1]["stop_reason"] == "reps_done" and res["sets"][-1]["reps"] == 5
    assert res["summary"]["right"]["reps"] == 5 and proto.done


# --- tests on both feet -------------------------------------------------------------------------


def test_weight_bearing_symmetry_reports_each_feet_share():
    blk = script([(0, 0.6, 0.4), (30, 0.6, 0.4)], 30, noise=1.0)
    proto = make_protocol("weight-bearing-symmetry")
    events = run(proto, blk)
    res = proto.result()
    (trial,) = res["trials"]
    assert trial["duration_s"] == pytest.approx(10.0) and trial["stop_reason"] == "max_time"
    assert trial["left_share"] == pytest.approx(0.6, abs=0.002)
    assert trial["asymmetry_pct"] == pytest.approx(20.0, abs=0.3)
    # The trial starts when the countdown ends: body weight at 1.5 s, then 3, 2, 1, 0.
    assert trial["start_s"] == pytest.approx(1.5 + 3.0)
    assert res["summary"]["more_on"] == "left"
    assert [e.kind for e in events][-1] == "done"


def test_a_foot_lifted_during_a_bipedal_trial_ends_it():
    blk = script([(0, 0.5, 0.5), (8.0, 0.5, 0.5), (8.2, 1.0, 0.0), (20, 1.0, 0.0)], 20)
    proto = make_protocol("weight-bearing-symmetry")
    run(proto, blk)
    (trial,) = proto.result()["trials"]
    assert trial["stop_reason"] == "foot_lift"
    assert trial["end_s"] == pytest.approx(crossing(blk, "right", 8.0))


def test_mctsib_runs_four_conditions_with_a_step_off_for_the_foam():
    firm = [
        (0, 0.5, 0.5),
        (52, 0.5, 0.5),
        (52.3, 0.0, 0.0),
        (57, 0.0, 0.0),
        (57.3, 0.51, 0.51),
        (120, 0.51, 0.51),
    ]
    blk = script(firm, 120)
    proto = make_protocol("mctsib")
    events = run(proto, blk)
    res = proto.result()
    conds = res["conditions"]
    assert [c["condition"] for c in conds] == ["eo_firm", "ec_firm", "eo_foam", "ec_foam"]
    assert all(
        c["stop_reason"] == "max_time" and c["duration_s"] == pytest.approx(20) for c in conds
    )
    texts = [e.data.get("text", "") for e in events if e.kind == "prompt"]
    assert any("put the foam pad on the board" in x for x in texts)
    assert res["variant"] == "ml-only"  # no AP on this board
    for c in conds:
        ml_cm = c["metrics"]["ml_path_mm"] / 10
        assert res["path_cm"][c["condition"]] == pytest.approx(ml_cm, abs=1e-3)
    assert res["complete"] and proto.done


def test_mctsib_without_the_foam_step_is_incomplete_not_a_crash():
    blk = script([(0, 0.5, 0.5), (150, 0.5, 0.5)], 150)
    proto = make_protocol("mctsib")
    run(proto, blk)
    res = proto.result()
    assert len(res["conditions"]) == 2 and not res["complete"]
    assert res["path_cm"]["eo_foam"] is None and proto.phase == "between_trials"


# --- live against replay, and offline analysis ----------------------------------------------


def _live_sim(tmp_path, name, scenario, seed, params, realtime):
    """Run a test on the simulator as the live command does, recording what it saw."""
    from balance_trainer.commands._board import balance_blocks
    from balance_trainer.wiring import open_board

    clock = {"t": 1000.0}

    def now():
        return clock["t"]

    def sleep(s):
        clock["t"] += s

    conn = open_board(
        "sim", scenario=scenario, seed=seed, realtime=realtime, clock=now, sleep=sleep
    )
    path = tmp_path / f"{name}.csv"
    spans = foot_spans(conn.source.board)  # what the live command passes, as a replay does
    proto = make_protocol(name, fs_hz=80.0, foot_span_mm=spans, **params)
    limit = conn.source.script_duration_s + 1.0
    with conn, RecordingWriter(path, conn.source.board) as writer:
        t0 = None
        for block, forces, _ in balance_blocks(conn, realtime=realtime):
            writer.write_block(block.t_s, forces)
            proto.feed(block)
            t0 = block.t_s[0] if t0 is None else t0
            if proto.done or block.t_s[-1] - t0 > limit:
                break
    proto.finish()
    return proto.result(), path


def _same(a, b, tol=1e-3):
    """Equal structure; equal strings; numbers equal to within ``tol`` (replay keeps 1 mN)."""
    if isinstance(a, dict):
        assert set(a) == set(b)
        for k in a:
            _same(a[k], b[k], tol)
    elif isinstance(a, list):
        assert len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            _same(x, y, tol)
    elif isinstance(a, float) and isinstance(b, float):
        assert a == pytest.approx(b, rel=tol, abs=tol)
    else:
        assert a == b


@pytest.mark.parametrize(
    "name, scenario, seed, params",
    [
        ("single-leg-stance", "single-leg-left", 1, {"side": "left", "trials": 1}),
        ("single-leg-squat", "squats-right", 1, {"side": "right", "trials": 5}),
    ],
)
def test_replaying_a_live_recording_gives_the_live_result(tmp_path, name, scenario, seed, params):
    live, path = _live_sim(tmp_path, name, scenario, seed, params, realtime=False)
    replay = analyze_recording_for_test(path, name, **params)
    assert live["trials" if name == "single-leg-stance" else "reps"]
    _same(live, replay)
    # Event times are frame times: equal to the sample, not just within tolerance.
    key = "trials" if name == "single-leg-stance" else "reps"
    for a, b in zip(live[key], replay[key], strict=True):
        assert (a["start_s"], a["end_s"]) == (b["start_s"], b["end_s"])


def test_replay_matches_a_real_time_run_read_by_the_sampler_thread(tmp_path):
    params = {"side": "left", "trials": 1}
    live, path = _live_sim(
        tmp_path, "single-leg-stance", "single-leg-left", 1, params, realtime=True
    )
    replay = analyze_recording_for_test(path, "single-leg-stance", **params)
    assert len(live["trials"]) == 1
    _same(live, replay)


def test_offline_analysis_finds_trials_on_either_side(tmp_path):
    blk_steps = [
        (0, 0.5, 0.5),
        *stand_on("right", 3.0, 9.0),
        *stand_on("left", 14.0, 20.0),
        (24, 0.5, 0.5),
    ]
    blk = script(blk_steps, 24)
    t = blk.t_s
    forces = np.column_stack(
        [
            (blk.left_n - blk.left_n * (blk.left_cop_ml_mm + 190) / 140),
            blk.left_n * (blk.left_cop_ml_mm + 190) / 140,
            blk.right_n * (1 - (blk.right_cop_ml_mm - 50) / 140),
            blk.right_n * (blk.right_cop_ml_mm - 50) / 140,
        ]
    )
    forces = np.nan_to_num(forces)
    path = tmp_path / "two.csv"
    with RecordingWriter(path, BOARD) as w:
        w.write_block(t, forces)
    res = analyze_recording_for_test(path, "single-leg-stance")
    assert [tr["stance_side"] for tr in res["trials"]] == ["right", "left"]
    assert res["params"]["side"] is None
    json.dumps(res)


def test_offline_analysis_of_lab_two_plate_data_and_refusal_of_one_plate():
    res = analyze_recording_for_test(PDS, "weight-bearing-symmetry")
    (trial,) = res["trials"]
    assert 0.3 < trial["left_share"] < 0.7
    quiet = analyze_recording_for_test(PDS, "single-leg-stance")
    assert quiet["trials"] == [] and "both feet stayed down" in quiet["notes"][0]
    with pytest.raises(AnalysisError, match="one force plate"):
        analyze_recording_for_test(BDS, "single-leg-stance")
    with pytest.raises(UsageError, match="no such test"):
        analyze_recording_for_test(PDS, "nope")


def test_the_engine_uses_the_detector_events_unchanged():
    blk = script([(0, 0.5, 0.5), *stand_on("left", 3.0, 15.0), (20, 0.5, 0.5)], 20)
    evs = EventDetector().feed(blk)
    lift = next(e for e in evs if e.kind == "lift_off")
    down = next(e for e in evs if e.kind == "touchdown")
    proto = make_protocol("hip-stability", side="left", trials=1, max_time_s=None)
    run(proto, blk, sizes=(1, 13, 200))
    (trial,) = proto.result()["trials"]
    assert (trial["start_s"], trial["end_s"]) == (lift.t_s, down.t_s)


@pytest.fixture(scope="module")
def sim_squats():
    from balance_trainer.stream import process_frames
    from balance_trainer.wiring import open_board

    conn = open_board("sim", scenario="squats-right", seed=1, realtime=False)
    src = conn.source
    n = int((src.script_duration_s + 1.0) * FS)
    blocks = [
        b for b, _ in process_frames(src.frames(), conn.converter, max_frames=n, block_size=1024)
    ]
    conn.close()
    return BalanceBlock.concatenate(blocks), list(src.events)
