"""The core's one spike guard: corrupted words are held back, real steps pass, any chunking."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from balance_trainer.balance import BalanceModel
from balance_trainer.calibration import Calibration
from balance_trainer.config import load_board
from balance_trainer.spikes import SpikeGuard
from balance_trainer.stream import Converter, process_frames

SCALE = 2.5e-4  # N per count: a common 50 kg half-bridge pair on an HX711 at gain 128
FS = 80.0


def stand(n=400, cells=4, seed=0, load_n=170.0, noise_counts=40.0):
    """Counts of a person standing still: offset + load + the chip's noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(n) / FS
    c = 100_000 + load_n / SCALE + rng.normal(0, noise_counts, (n, cells))
    return t, np.rint(c)


def test_a_corrupted_word_is_replaced_by_the_last_good_reading():
    t, c = stand()
    bad = c.copy()
    bad[100, 2] += 1 << 22  # a high bit flipped
    bad[250, 0] -= 2**21 - 1  # the 2^k - 1 pattern of a conversion landing mid-read
    guard = SpikeGuard([SCALE] * 4)
    out = guard.filter(t, bad)
    assert out[100, 2] == c[99, 2] and out[250, 0] == c[249, 0]
    np.testing.assert_array_equal(np.delete(out, [100, 250], axis=0), np.delete(c, [100, 250], 0))
    assert guard.spikes_.tolist() == [1, 0, 1, 0]


@pytest.mark.parametrize("bit", [17, 18, 19])
def test_corrupted_low_bits_that_the_old_2_20_step_let_through_are_caught(bit):
    # 2^17 counts is 33 N (3.3 kg) on this cell: far above a standing person's noise.
    t, c = stand()
    bad = c.copy()
    bad[200, 1] += 1 << bit
    out = SpikeGuard([SCALE] * 4).filter(t, bad)
    assert out[200, 1] == c[199, 1]


def test_a_real_step_onto_a_cell_passes_one_reading_late_at_most():
    t, c = stand(load_n=0.0)
    step = c.copy()
    step[120:, :] += 350.0 / SCALE  # a foot lands on every cell at once, in one reading
    out = SpikeGuard([SCALE] * 4).filter(t, step)
    np.testing.assert_array_equal(out[121:], step[121:])  # confirmed by the next reading
    np.testing.assert_array_equal(out[:120], step[:120])
    assert np.all(out[120] == step[119])


@pytest.mark.parametrize("rise_s", [0.04, 0.1, 0.3])
def test_a_person_stepping_on_is_a_ramp_not_a_staircase(rise_s):
    # 700 N over two cells per foot; a hop landing rises in ~40 ms, a step in 0.1-0.3 s.
    t, c = stand(load_n=0.0)
    ramp = np.clip((t - 1.0) / rise_s, 0.0, 1.0)[:, None] * (350.0 / SCALE)
    real = c + ramp
    guard = SpikeGuard([SCALE] * 4)
    out = guard.filter(t, real)
    lagged = np.abs(out - real) > 1e-9
    assert lagged.sum(axis=0).max() <= 1  # at most the first jump of the ramp is held
    np.testing.assert_array_equal(out[-200:], real[-200:])
    assert guard.spikes_.sum() == 0


def test_a_spike_during_a_ramp_is_still_caught():
    t, c = stand(load_n=0.0)
    ramp = np.clip((t - 1.0) / 0.2, 0.0, 1.0)[:, None] * (350.0 / SCALE)
    real = c + ramp
    bad = real.copy()
    bad[90, 3] += 1 << 22
    out = SpikeGuard([SCALE] * 4).filter(t, bad)
    assert abs(out[90, 3] - real[90, 3]) < 50.0 / SCALE


def test_ten_samples_a_second_lets_a_person_sway_freely():
    # RATE low: 100 ms between readings, so more change per reading is physical.
    t = np.arange(100) / 10.0
    sway = 80.0 * np.sin(2 * np.pi * 0.8 * t)[:, None] / SCALE  # ±80 N on a cell, 0.8 Hz
    c = 100_000 + 300 / SCALE + sway + np.zeros((1, 2))
    guard = SpikeGuard([SCALE] * 2)
    np.testing.assert_array_equal(guard.filter(t, c), c)
    assert guard.held_.sum() == 0


def test_a_cell_without_a_scale_is_not_guarded():
    t, c = stand(cells=2)
    c[50, 0] += 1 << 22
    out = SpikeGuard([float("nan"), SCALE]).filter(t, c)
    assert out[50, 0] == c[50, 0]


@settings(max_examples=40, deadline=None)
@given(
    cuts=st.lists(st.integers(1, 399), max_size=12, unique=True),
    seed=st.integers(0, 10_000),
)
def test_blocks_of_any_size_give_the_same_result_as_one_reading_at_a_time(cuts, seed):
    rng = np.random.default_rng(seed)
    t, c = stand(seed=seed)
    for k in rng.integers(1, 399, 6):  # spikes, steps and a ramp
        c[k, rng.integers(0, 4)] += rng.choice([1, -1]) * (1 << int(rng.integers(16, 23)))
    c[300:, 1] += 200.0 / SCALE
    one = SpikeGuard([SCALE] * 4)
    by_one = np.vstack([one.filter(t[k : k + 1], c[k : k + 1]) for k in range(len(t))])
    chunked = SpikeGuard([SCALE] * 4)
    edges = [0, *sorted(cuts), len(t)]
    by_block = np.vstack(
        [chunked.filter(t[a:b], c[a:b]) for a, b in zip(edges[:-1], edges[1:], strict=True)]
    )
    np.testing.assert_array_equal(by_one, by_block)
    assert one.stats() == chunked.stats()


def simulated(**kw):
    from hardware.simulated import SimulatedBoard

    board = load_board("two-plate-4")
    return board, SimulatedBoard(board, realtime=False, seed=3, scenario="quiet", **kw)


def test_the_simulators_glitches_never_reach_the_forces():
    board, sim = simulated(spike_rate=1 / 50)
    offsets, scales = sim.builtin_calibration()
    conv = Converter(Calibration(board.cell_names, offsets, scales), BalanceModel(board))
    frames = []
    for f in sim.frames():
        frames.append(f)
        if len(frames) >= 2400:
            break
    forces = np.vstack([fs for _, fs in process_frames(iter(frames), conv, block_size=97)])
    assert sim.stats()["spikes"] >= 20
    assert conv.guard is not None and conv.guard.spikes_.sum() >= sim.stats()["spikes"] * 0.9
    # A standing person's cell force moves by newtons per reading, a flipped bit 17-22 by 30+.
    assert np.abs(np.diff(forces, axis=0)).max() < 30.0


def test_a_wii_boards_garbled_report_is_held_back():
    # hid-wiimote reports each corner in 10 g units: 0.0980665 N per count.
    wii = 0.0980665
    t = np.arange(300) / 100.0
    c = np.full((300, 4), 1800.0) + np.random.default_rng(1).integers(-3, 4, (300, 4))
    c[150, 2] = 9000.0  # 72 kg more on one corner for one report
    out = SpikeGuard([wii] * 4).filter(t, c)
    assert out[150, 2] == c[149, 2]


def test_the_connection_keeps_one_converter_so_the_guard_sees_the_whole_stream():
    from balance_trainer.wiring import open_board

    with open_board("sim", realtime=False) as conn:
        assert conn.converter is conn.converter
        assert conn.converter.guard is not None


def test_a_replayed_recording_is_not_guarded_twice(tmp_path):
    from balance_trainer.recording import RecordingWriter
    from balance_trainer.wiring import open_board

    board = load_board("two-plate-4")
    path = tmp_path / "step.csv"
    with RecordingWriter(path, board) as w:
        for k in range(40):
            w.write(k / FS, [0.0, 0.0, 0.0, 0.0] if k < 20 else [300.0, 300.0, 10.0, 10.0])
    with open_board(f"replay:{path}", realtime=False) as conn:
        assert conn.converter.guard is None
        forces = np.vstack([f for _, f in process_frames(conn.source.frames(), conn.converter)])
    assert forces[20, 0] == pytest.approx(300.0)  # the step where it was recorded


def test_a_board_calibrated_after_opening_is_guarded_from_then_on():
    board = load_board("two-plate-4")
    cal = Calibration(board.cell_names)  # not calibrated yet: no scale to judge by
    conv = Converter(cal, BalanceModel(board))
    t, c = stand()
    bad = c.copy()
    bad[10, 0] += 1 << 22
    bad[300, 0] += 1 << 22
    cal.offset_ = np.full(4, 100_000.0)
    cal.scale_ = np.full(4, SCALE)  # calibrate: the next blocks are judged in newtons
    conv.calibration.scale_ = np.full(4, np.nan)
    _, before = conv.counts_block(t[:200], bad[:200])
    assert before[10, 0] == pytest.approx((bad[10, 0] - 100_000) * np.nan, nan_ok=True)
    conv.calibration.scale_ = np.full(4, SCALE)
    _, after = conv.counts_block(t[200:], bad[200:])
    assert after[100, 0] == pytest.approx((c[299, 0] - 100_000) * SCALE)
