"""Pelvis measures: alignment to board frames, drop of the lifted side, patterns."""

from __future__ import annotations

import math

import numpy as np
import pytest

from balance_trainer.frames import PelvisSample
from balance_trainer.pelvis import (
    PelvicDrop,
    PelvisAligner,
    PelvisPattern,
    classify_pattern,
    difference_is_real,
    pelvic_drop,
    side_difference,
)


def test_aligner_holds_the_latest_sample_at_or_before_each_frame():
    a = PelvisAligner()
    a.feed(PelvisSample(t, 10 * t, -t) for t in (0.00, 0.0096, 0.0192, 0.0288))
    obl, rot = a.at(np.array([0.0, 0.0125, 0.025]))
    assert obl == pytest.approx([0.0, 0.096, 0.192])
    assert rot == pytest.approx([0.0, -0.0096, -0.0192])


def test_aligner_gives_nan_before_the_first_sample_and_after_a_gap():
    a = PelvisAligner(hold_limit_s=0.05)
    a.feed([PelvisSample(1.0, 3.0, 0.0)])
    obl, _ = a.at(np.array([0.99, 1.04, 1.06]))
    assert math.isnan(obl[0]) and obl[1] == 3.0 and math.isnan(obl[2])


def test_aligner_gives_the_same_values_in_one_call_or_frame_by_frame():
    rng = np.random.default_rng(0)
    ts = np.cumsum(rng.uniform(0.008, 0.011, 500))
    samples = [PelvisSample(t, float(np.sin(t)), 0.0) for t in ts]
    frames = np.arange(0.02, ts[-1], 1 / 80)
    whole = PelvisAligner()
    whole.feed(samples)
    w, _ = whole.at(frames)
    live = PelvisAligner()
    got = []
    j = 0
    for f in frames:  # samples arrive up to the frame's time, then the frame is processed
        while j < len(samples) and samples[j].t_s <= f:
            live.feed([samples[j]])
            j += 1
        got.append(live.at(np.array([f]))[0][0])
    assert np.array_equal(np.array(got), w, equal_nan=True)


def test_drop_is_positive_when_the_lifted_side_is_lower_on_either_leg():
    left_down = np.full(100, 4.0)  # obliquity +4: the left side lower
    assert pelvic_drop(left_down, "left").mean_deg == pytest.approx(4.0)
    assert pelvic_drop(left_down, "right").mean_deg == pytest.approx(-4.0)
    assert pelvic_drop(-left_down, "right").peak_deg == pytest.approx(4.0)


def test_drop_is_not_estimated_from_too_few_angles():
    o = np.full(100, 3.0)
    o[:25] = np.nan
    assert pelvic_drop(o, "left") is None
    o[:15] = 3.0
    d = pelvic_drop(o, "left")
    assert d is not None and d.coverage == pytest.approx(0.9)


def test_patterns_tell_a_compensated_drop_from_a_plain_drop_and_a_level_pelvis():
    drop = PelvicDrop(6.0, 8.0, 1.0)
    level = PelvicDrop(0.8, 2.5, 1.0)
    assert classify_pattern(level, 12.0) is PelvisPattern.LEVEL
    assert classify_pattern(drop, 12.0) is PelvisPattern.DROP  # load follows the falling side
    assert classify_pattern(drop, -3.0) is PelvisPattern.COMPENSATED  # trunk lean over stance
    assert classify_pattern(None, 0.0) is None
    assert "compensated" in PelvisPattern.COMPENSATED.sentence


def test_side_difference_uses_the_mdc():
    left, right = PelvicDrop(1.0, 2.0, 1.0), PelvicDrop(6.5, 9.0, 1.0)
    d = side_difference(left, right)
    assert d == pytest.approx(5.5) and difference_is_real(d)
    assert difference_is_real(3.9) is False
    assert side_difference(left, None) is None and difference_is_real(None) is None


def _block(n: int, t0: float = 0.0, pelvis: np.ndarray | None = None):
    from balance_trainer.balance import BalanceBlock

    cols = {f: np.zeros(n) for f in BalanceBlock.FIELDS}
    cols["t_s"] = t0 + np.arange(n) / 80
    cols["on_board"] = np.ones(n, dtype=bool)
    return BalanceBlock.of(cols, pelvis)


def test_blocks_carry_the_pelvis_column_through_take_concatenate_and_the_ring_buffer():
    from balance_trainer.balance import BalanceBlock
    from balance_trainer.stream import RingBuffer

    a = _block(4, 0.0, np.arange(4.0))
    b = _block(3, 0.05)  # a block without a sensor reading
    both = BalanceBlock.concatenate([a, b])
    assert np.array_equal(
        both.pelvis_obliquity_deg, [0, 1, 2, 3, np.nan, np.nan, np.nan], equal_nan=True
    )
    assert both.take(slice(1, 3)).pelvis_obliquity_deg.tolist() == [1.0, 2.0]
    assert BalanceBlock.concatenate([b, b]).pelvis_obliquity_deg is None
    ring = RingBuffer(16, 1)
    assert ring.read_since(0)[0].pelvis_obliquity_deg is None
    ring.append(a, np.zeros((4, 1)))
    got, _, seq, _ = ring.read_since(0)
    assert got.pelvis_obliquity_deg.tolist() == [0.0, 1.0, 2.0, 3.0] and seq == 4


def test_converter_gives_each_frame_the_pelvis_angle_in_force():
    from balance_trainer.balance import BalanceModel
    from balance_trainer.calibration import Calibration
    from balance_trainer.config import load_board
    from balance_trainer.stream import Converter

    board = load_board("two-plate-4")
    n = board.n_cells
    cal = Calibration(board.cell_names, np.zeros(n), np.ones(n))
    conv = Converter(cal, BalanceModel(board), PelvisAligner())
    conv.pelvis.feed([PelvisSample(0.0, 1.5, 0.0), PelvisSample(0.0125, 2.5, 0.0)])
    block, _ = conv.counts_block(np.array([0.0, 0.0125, 0.02]), np.full((3, n), 100.0))
    assert block.pelvis_obliquity_deg.tolist() == [1.5, 2.5, 2.5]
    plain = Converter(cal, BalanceModel(board))
    assert (
        plain.counts_block(np.array([0.0]), np.full((1, n), 100.0))[0].pelvis_obliquity_deg is None
    )


def test_trial_pelvis_tells_the_compensated_pattern_from_an_uncompensated_drop():
    from balance_trainer.pelvis import trial_pelvis

    n = 800
    drop_left_lifted = np.full(n, 6.0)  # standing on the right leg, the left side lower
    centre = 100.0  # the right foot's cells straddle x = 100 mm
    # Uncompensated: the weight follows the falling side, the load sits medially (to the left).
    plain = trial_pelvis(drop_left_lifted, np.full(n, centre - 13.0), "right", centre)
    assert plain.pattern is PelvisPattern.DROP and plain.cop_toward_lifted_mm == 13.0
    # Compensated: the trunk leans over the right leg, the load sits laterally.
    lean = trial_pelvis(drop_left_lifted, np.full(n, centre + 12.0), "right", centre)
    assert lean.pattern is PelvisPattern.COMPENSATED
    level = trial_pelvis(np.zeros(n), np.full(n, centre - 13.0), "right", centre)
    assert level.pattern is PelvisPattern.LEVEL
    unknown = trial_pelvis(drop_left_lifted, np.full(n, centre), "right", None)
    assert unknown.pattern is PelvisPattern.DROP and unknown.cop_toward_lifted_mm is None
    assert trial_pelvis(None, np.zeros(n), "right", centre) is None


class _FakeSource:
    kind = "fake"
    description = "fake pelvis"

    def __init__(self, samples, realtime=False):
        self._s = list(samples)
        self.realtime = realtime
        self.closed = False

    def samples(self):
        yield from self._s

    def close(self):
        self.closed = True


def test_feed_in_virtual_time_hands_over_samples_up_to_each_frame_time():
    from balance_trainer.pelvis import PelvisFeed

    feed = PelvisFeed(_FakeSource(PelvisSample(k / 100, float(k), 0.0) for k in range(10)))
    assert [s.t_s for s in feed.until(0.025)] == [0.0, 0.01, 0.02]
    assert feed.until(0.025) == []
    assert [s.obliquity_deg for s in feed.until(1.0)] == [3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]


def test_a_failing_sensor_stops_the_feed_and_keeps_its_error():
    from balance_trainer.errors import BoardDisconnected
    from balance_trainer.pelvis import PelvisFeed

    class Failing(_FakeSource):
        def samples(self):
            yield PelvisSample(0.0, 1.0, 0.0)
            raise BoardDisconnected("the pelvis sensor cable came loose")

    feed = PelvisFeed(Failing([]))
    assert len(feed.until(1.0)) == 1
    assert isinstance(feed.error, BoardDisconnected) and feed.until(2.0) == []


def test_open_pelvis_names_the_choices_for_an_unknown_sensor():
    from balance_trainer.errors import UsageError
    from balance_trainer.wiring import open_pelvis

    assert open_pelvis("none", None) is None and open_pelvis(None, None) is None
    with pytest.raises(UsageError, match="unknown; use none or one of i2c, replay, sim"):
        open_pelvis("imu", None)


def test_recording_round_trip_keeps_the_pelvis_column_and_replay_gives_it_back(tmp_path):
    from balance_trainer.config import load_board
    from balance_trainer.recording import RecordingWriter, read_recording
    from balance_trainer.wiring import open_board

    board = load_board("two-plate-4")
    path = tmp_path / "p.csv"
    t = np.arange(200) / 80
    forces = np.full((200, board.n_cells), 170.0)
    angle = 3.0 * np.sin(t)
    angle[50:60] = np.nan  # the sensor clipped: no angle there
    with RecordingWriter(path, board, pelvis=True) as w:
        w.write_block(t, forces, angle)
    text = path.read_text()
    assert [ln for ln in text.splitlines() if ln.startswith("t_s,")][0].endswith(
        ",pelvis_obliquity_deg,pelvis_rotation_deg"
    )
    rec = read_recording(path)
    assert np.allclose(rec.pelvis_obliquity_deg, angle, atol=0.005, equal_nan=True)
    with open_board(f"replay:{path}", realtime=False) as conn:
        assert conn.pelvis is not None
        frames = list(conn.source.frames())
        block, _ = conn.converter.block(frames)
    assert np.allclose(block.pelvis_obliquity_deg, angle, atol=0.005, equal_nan=True)


def test_a_recording_without_the_pelvis_column_still_reads_and_replays_without_one(tmp_path):
    from balance_trainer.config import load_board
    from balance_trainer.recording import RecordingWriter, read_recording
    from balance_trainer.wiring import open_board

    board = load_board("two-plate-4")
    path = tmp_path / "plain.csv"
    with RecordingWriter(path, board) as w:
        w.write_block(np.arange(10) / 80, np.full((10, board.n_cells), 170.0))
    assert read_recording(path).pelvis_obliquity_deg is None
    with open_board(f"replay:{path}", realtime=False) as conn:
        assert conn.pelvis is None


@pytest.mark.parametrize(
    "column,bad,what",
    [
        (-2, "nan", "pelvis angle"),
        (-2, "inf", "pelvis angle"),
        (-2, "95", "pelvis angle"),
        (-2, "level", "pelvis angle"),
        (-1, "185", "pelvis rotation"),
        (-1, "nan", "pelvis rotation"),
    ],
)
def test_a_bad_pelvis_angle_is_one_line_naming_the_row(tmp_path, column, bad, what):
    from balance_trainer.config import load_board
    from balance_trainer.errors import RecordingError
    from balance_trainer.recording import RecordingWriter, read_recording

    board = load_board("two-plate-4")
    path = tmp_path / "bad.csv"
    with RecordingWriter(path, board, pelvis=True) as w:
        w.write_block(np.arange(3) / 80, np.full((3, board.n_cells), 170.0), np.zeros(3))
    lines = path.read_text().splitlines()
    cells = lines[-1].split(",")
    cells[column] = bad
    lines[-1] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(RecordingError, match=rf"bad.csv:\d+: {what} '{bad}' is not an angle"):
        read_recording(path)


def test_the_store_keeps_the_pelvis_angles_beside_the_frames(tmp_path):
    from balance_trainer.config import load_board
    from balance_trainer.store import Store

    board = load_board("two-plate-4")
    t = np.arange(400) / 80
    forces = np.full((400, board.n_cells), 170.0)
    angle = 2.5 * np.cos(t)
    angle[100:120] = np.nan
    store = Store(tmp_path / "db.sqlite")
    store.add_person("p01", name="Ann")
    sid = store.start_session("p01", "record", board=board)
    rec = store.start_trial(sid, "record", {}, board)
    rec.add_frames(t[:250], forces[:250], angle[:250])
    rec.add_frames(t[250:], forces[250:], angle[250:])
    rec.finish()
    plain = store.start_trial(sid, "record", {}, board)
    plain.add_frames(t, forces)
    plain.finish()
    assert np.allclose(store.trial_pelvis(rec.trial_id), angle, atol=0.005, equal_nan=True)
    assert store.trial_pelvis(plain.trial_id) is None
    assert len(store.trial_frames(rec.trial_id)) == 3  # (t, forces, board) as before


def test_the_scale_note_stops_asking_for_a_sensor_once_one_was_fitted():
    from balance_trainer.protocols.text import SCALE_LIMITS, footer
    from balance_trainer.results import TestResult, Trial

    def result(drop):
        trial = Trial(1, 0.0, 20.0, "max_time", stance_side="right", hold_s=20.0)
        if drop is not None:
            trial = Trial(
                1,
                0.0,
                20.0,
                "max_time",
                stance_side="right",
                hold_s=20.0,
                pelvic_drop_mean_deg=drop,
                pelvic_drop_peak_deg=drop + 1,
            )
        return TestResult("hip-stability", trials=(trial,), scale_limits=SCALE_LIMITS)

    with_sensor = " ".join(footer(result(7.2)))
    assert "fit the pelvis sensor" not in with_sensor
    assert "The pelvis sensor's drop above is the measured one." in with_sensor
    assert "fit the pelvis sensor (--pelvis)" in " ".join(footer(result(None)))
