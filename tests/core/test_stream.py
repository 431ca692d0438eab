"""The ring buffer and sampler: readers never block the writer and never see stale data."""

from __future__ import annotations

import numpy as np

from balance_trainer.balance import BalanceModel
from balance_trainer.calibration import Calibration
from balance_trainer.config import load_board
from balance_trainer.frames import RawFrame
from balance_trainer.stream import Converter, RingBuffer, Sampler, process_frames

BOARD = load_board("two-plate-4")


def converter():
    cal = Calibration(BOARD.cell_names, [0.0] * 4, [0.01] * 4)
    return Converter(cal, BalanceModel(BOARD))


def frames(n):
    for k in range(n):
        yield RawFrame(k / 80, (20000 + k, 20000, 20000, 20000 - k))


def test_reader_gets_every_frame_in_order():
    conv = converter()
    buf = RingBuffer(64, 4)
    seq = 0
    got = []
    all_frames = list(frames(200))
    for i in range(0, 200, 10):
        block, forces = conv.block(all_frames[i : i + 10])
        buf.append(block, forces)
        out, _f, seq, missed = buf.read_since(seq)
        assert missed == 0
        got.extend(out.t_s)
    assert np.allclose(got, np.arange(200) / 80)


def test_slow_reader_is_told_what_it_missed():
    conv = converter()
    buf = RingBuffer(16, 4)
    block, forces = conv.block(list(frames(100)))
    buf.append(block, forces)
    out, _f, seq, missed = buf.read_since(0)
    assert seq == 100
    assert missed + len(out) == 100
    assert out.t_s[-1] == 99 / 80
    assert np.all(np.diff(out.t_s) > 0)


def test_latest_is_the_newest_frame():
    conv = converter()
    buf = RingBuffer(8, 4)
    assert buf.latest() is None
    block, forces = conv.block(list(frames(30)))
    buf.append(block, forces)
    assert buf.latest().t_s == 29 / 80
    assert len(buf.last(5)) == 5


def test_sampler_thread_fills_the_buffer_and_finishes():
    conv = converter()
    s = Sampler(frames(500), conv, capacity=1000).start()
    assert s.finished.wait(5)
    assert s.error is None and s.buffer.seq == 500
    live, _f, _seq, _m = s.buffer.read_since(0)
    offline = list(process_frames(frames(500), conv, block_size=128))
    # live (one frame at a time) and offline (blocks) give bit-identical balance
    off_ml = np.concatenate([b.cop_ml_mm for b, _ in offline])
    assert np.array_equal(live.cop_ml_mm, off_ml)


def test_sampler_hands_source_errors_to_the_consumer():
    def broken():
        yield RawFrame(0.0, (1, 2, 3, 4))
        raise OSError("chip gone")

    s = Sampler(broken(), converter()).start()
    assert s.finished.wait(5)
    assert isinstance(s.error, OSError) and s.buffer.seq == 1
