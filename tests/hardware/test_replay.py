"""Recording → replay gives identical frames; replay paces real time with the file's clock."""

from __future__ import annotations

import numpy as np
import pytest

from balance_trainer.config import load_board
from balance_trainer.errors import RecordingError, UsageError
from balance_trainer.recording import RecordingWriter, read_recording
from balance_trainer.stream import process_frames
from balance_trainer.wiring import open_board, open_source
from hardware.replay import ReplaySource


def make_recording(path, n=240):
    board = load_board("two-plate-4")
    rng = np.random.default_rng(7)
    with RecordingWriter(path, board) as w:
        for k in range(n):
            w.write(k / 80 + rng.uniform(0, 1e-3), rng.uniform(-2, 400, 4))
    return path


def test_replay_then_record_again_is_byte_identical(tmp_path):
    first = make_recording(tmp_path / "a.csv")
    with open_board(f"replay:{first}", realtime=False) as conn:
        with RecordingWriter(tmp_path / "b.csv", conn.source.board) as w:
            for block, forces in process_frames(conn.source.frames(), conn.converter):
                w.write_block(block.t_s, forces)
    a = [ln for ln in first.read_text().splitlines() if not ln.startswith("# ")]
    b = [ln for ln in (tmp_path / "b.csv").read_text().splitlines() if not ln.startswith("# ")]
    assert a == b and len(a) == 241


def test_replay_yields_the_file_frames_exactly(tmp_path):
    p = make_recording(tmp_path / "a.csv", n=50)
    rec = read_recording(p)
    src = ReplaySource(p, realtime=False)
    frames = list(src.frames())
    assert [f.t for f in frames] == list(rec.t_s)
    mn = np.array([f.counts for f in frames]) * 0.001
    assert np.allclose(mn, rec.forces_n, atol=1e-9)


def test_realtime_replay_sleeps_to_the_file_clock(tmp_path):
    p = make_recording(tmp_path / "a.csv", n=81)
    now = [100.0]
    slept = []

    def sleep(dt):
        slept.append(dt)
        now[0] += dt

    src = ReplaySource(p, realtime=True, clock=lambda: now[0], sleep=sleep)
    frames = list(src.frames())
    assert len(frames) == 81
    assert now[0] - 100.0 == pytest.approx(frames[-1].t - frames[0].t, abs=1e-9)


def test_replay_of_a_bad_file_names_it(tmp_path):
    p = tmp_path / "x.csv"
    p.write_text("hello\n")
    with pytest.raises(RecordingError, match="x.csv"):
        open_source(f"replay:{p}")


def test_replay_without_a_file_is_a_usage_error():
    with pytest.raises(UsageError, match="replay:session.csv"):
        open_source("replay")
