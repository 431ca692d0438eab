"""Squat repetitions are counted as a person counts them (issue 13).

A repetition completed just before the lifted foot comes down still counts, and a set's count
never depends on how soon the foot touches down afterwards: the event detector gives every
consumer (the squat test, a programme session, the squat builder game) the same count, live
in blocks of any size and on replay of a recording. A half repetition whose ascent the
touchdown interrupts is not a single-leg repetition and is not counted.

The sets are the simulator's own person (minimum-jerk squats, its touchdown move, its cells
and ADC noise), scripted with the scenarios' moves so the foot comes down at a chosen time
after the last ascent.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from balance_trainer.balance import BalanceBlock
from balance_trainer.events import EventDetector
from balance_trainer.programme import parse_programme
from balance_trainer.programme_session import Phase, SessionRunner
from balance_trainer.protocols import analyze_recording_for_test, make_protocol
from balance_trainer.recording import RecordingWriter
from balance_trainer.stream import process_frames
from balance_trainer.wiring import open_board
from hardware.person_model import min_jerk
from hardware.scenarios import Script

N_REPS = 4
DELAYS_S = (0.05, 0.3, 2.0)
"""Touchdown this long after the end of the last repetition's ascent (the brief's three)."""
STANCE = "left"


def _half_squat(sc: Script, moves, stance: str) -> None:
    """Down on one leg, the foot comes down at the bottom, and up again on both feet."""
    depth_m, t_half = 0.2, 1.25
    m = sc.samples(t_half)
    _, _, acc = min_jerk(m)
    sc.shape(m, z_acc=-depth_m * acc / t_half**2)
    moves.touch_down(sc, stance)
    sc.shape(m, z_acc=depth_m * acc / t_half**2)


def squat_set(delay_s: float, *, half_rep: bool = False, seed: int = 3):
    """One set of N_REPS squats on STANCE, the foot down ``delay_s`` after the last ascent.

    Returns ``(block, forces, board, sim_events)``.
    """

    def timeline(moves, fs):
        sc = Script(fs, moves.state("both"))
        sc.hold(3.0)
        moves.lift_off(sc, STANCE)
        moves.hold_single(sc, STANCE, 2.0)
        for i in range(N_REPS):
            moves.squat(sc, STANCE)
            if i < N_REPS - 1 or half_rep:
                sc.hold(0.8)
        if half_rep:
            _half_squat(sc, moves, STANCE)
        else:
            sc.hold(delay_s)
            moves.touch_down(sc, STANCE)
        sc.hold(5.0)
        return sc

    conn = open_board("sim", scenario="quiet", seed=seed, realtime=False, timeline=timeline)
    src = conn.source
    n = int((src.script_duration_s + 1.0) * src.fs)
    parts = list(process_frames(src.frames(), conn.converter, max_frames=n, block_size=1024))
    board = src.board
    conn.close()
    block = BalanceBlock.concatenate([b for b, _ in parts])
    return block, np.concatenate([f for _, f in parts]), board, list(src.events)


@pytest.fixture(scope="module")
def sets():
    out = {d: squat_set(d) for d in DELAYS_S}
    out["half"] = squat_set(0.0, half_rep=True)
    return out


def cut(block: BalanceBlock, size: int):
    for i in range(0, len(block), size):
        yield BalanceBlock(*(getattr(block, f)[i : i + size] for f in BalanceBlock.FIELDS))


def detector_squats(block: BalanceBlock, size: int):
    det = EventDetector()
    evs = [e for b in cut(block, size) for e in det.feed(b)]
    return [e for e in evs if e.kind == "squat"], [e for e in evs if e.kind == "touchdown"]


def run_test(block: BalanceBlock, trials: int, size: int = 7):
    proto = make_protocol("single-leg-squat", side=STANCE, trials=trials)
    for b in cut(block, size):
        proto.feed(b)
        if proto.done:
            break
    proto.finish()
    return proto.result()


def programme_count(block: BalanceBlock, size: int = 4) -> int:
    plan = parse_programme(
        f"""
days_per_week = 7
start = 2026-12-01
review = 2027-01-12

[[exercise]]
name = "single-leg-squat"
side = "{STANCE}"
sets = 1
reps = {N_REPS + 1}
rest_s = 2
""",
        "squats.toml",
    )
    runner = SessionRunner(plan, None, "p01", date(2026, 12, 2))
    runner.tick(runner.ready_s)
    assert runner.phase is Phase.ACTIVE
    for b in cut(block, size):
        runner.feed(b)
    return runner.reps_done


@pytest.mark.parametrize("delay_s", DELAYS_S)
def test_every_repetition_counts_however_soon_the_foot_comes_down(sets, delay_s):
    block, _, _, truth = sets[delay_s]
    ends = [e.t_s for e in truth if e.name == "squat_end"]
    landed = [e.t_s for e in truth if e.name == "touchdown"][0]
    assert landed - ends[-1] == pytest.approx(delay_s, abs=0.02)
    for size in (1, 7, 4096):  # live frame by frame, small blocks, a whole recording
        reps, downs = detector_squats(block, size)
        assert [r.side for r in reps] == [STANCE] * N_REPS, size
        # the last repetition ended before the foot came down, even when it was confirmed after
        assert reps[-1].data["end_s"] <= downs[0].t_s
        assert reps[-1].data["rep_stance"] == STANCE


@pytest.mark.parametrize("delay_s", DELAYS_S)
def test_the_squat_test_counts_the_whole_set_however_soon_the_foot_comes_down(sets, delay_s):
    block = sets[delay_s][0]
    exact = run_test(block, N_REPS)  # the set is complete with the last repetition
    assert len(exact["reps"]) == N_REPS
    assert [(s["reps"], s["stop_reason"]) for s in exact["sets"]] == [(N_REPS, "reps_done")]
    more = run_test(block, N_REPS + 1)  # one more asked for: the foot came down first
    assert [(s["reps"], s["stop_reason"]) for s in more["sets"]] == [(N_REPS, "touchdown")]
    assert more["summary"][STANCE]["reps"] == N_REPS


@pytest.mark.parametrize("delay_s", DELAYS_S)
def test_a_programme_set_counts_the_same_repetitions(sets, delay_s):
    assert programme_count(sets[delay_s][0]) == N_REPS


def test_a_half_repetition_ended_by_the_foot_coming_down_does_not_count(sets):
    block = sets["half"][0]
    for size in (1, 4096):
        reps, downs = detector_squats(block, size)
        assert len(downs) == 1
        assert [r.side for r in reps] == [STANCE] * N_REPS
        assert all(r.data["end_s"] <= downs[0].t_s for r in reps)
    res = run_test(block, N_REPS + 1)
    assert [(s["reps"], s["stop_reason"]) for s in res["sets"]] == [(N_REPS, "touchdown")]
    assert programme_count(block) == N_REPS


@pytest.mark.parametrize("key", [0.05, "half"])
def test_a_recording_of_the_set_replays_to_the_same_count(sets, tmp_path, key):
    block, forces, board, _ = sets[key]
    path = tmp_path / "squats.csv"
    with RecordingWriter(path, board) as w:
        w.write_block(block.t_s, forces)
    res = analyze_recording_for_test(path, "single-leg-squat", side=STANCE, trials=N_REPS + 1)
    assert [s["reps"] for s in res["sets"]] == [N_REPS]
    live = run_test(block, N_REPS + 1)
    assert [r["end_s"] for r in res["reps"]] == pytest.approx([r["end_s"] for r in live["reps"]])


def game_count(block: BalanceBlock) -> int:
    """The squat builder's rules driven as the game drives them: the feed's detector every
    0.1 s of signal, the rules told the stance after each, then each repetition reported."""
    from games.rules.squat_builder import SquatBuilder

    det = EventDetector()
    game = SquatBuilder(STANCE)
    for b in cut(block, 8):  # 0.1 s at 80 frames/s (games.feed.DETECT_EVERY_S)
        events = det.feed(b)
        ml = b.left_cop_ml_mm if STANCE == "left" else b.right_cop_ml_mm
        game.update(float(b.t_s[-1]), float(ml[-1]), det.stance)
        for ev in events:
            if ev.kind == "squat":
                d = ev.data
                game.rep(d["start_s"], d["bottom_s"], d["end_s"])
    return game.reps


@pytest.mark.parametrize("key", [*DELAYS_S, "half"])
def test_the_squat_builder_counts_the_same_repetitions(sets, key):
    assert game_count(sets[key][0]) == N_REPS
