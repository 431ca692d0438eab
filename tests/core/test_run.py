"""The one live-run loop: frames to every sink before the protocol, finished exactly once."""

from __future__ import annotations

import numpy as np
import pytest
from feet_helpers import BOARD
from test_protocols import script, stand_on

from balance_trainer.protocols import make_protocol
from balance_trainer.recording import RecordingWriter, read_recording
from balance_trainer.run import (
    LiveRun,
    RecordingSink,
    RunStatus,
    Sink,
    StopReason,
    StoreSink,
    run_blocks,
)
from balance_trainer.store import Store

STEPS = [(0, 0.5, 0.5), *stand_on("left", 3.0, 9.0), (12, 0.5, 0.5)]


def blocks(total_s=12.0, size=40, fail_at=None, interrupt_at=None, noise=2.0):
    """``(block, forces, missed)`` of a one-trial stance script; forces from the board model."""
    blk = script(STEPS, total_s, noise=noise)
    # Forces that give these loads on the two-plate-4 board (outer/inner cell of each plate).
    forces = np.column_stack([blk.left_n / 2, blk.left_n / 2, blk.right_n / 2, blk.right_n / 2])
    for k, i in enumerate(range(0, len(blk), size)):
        if fail_at is not None and k == fail_at:
            raise OSError("the board went away")
        if interrupt_at is not None and k == interrupt_at:
            raise KeyboardInterrupt
        yield blk.take(slice(i, i + size)), forces[i : i + size], 0


class Log(Sink):
    def __init__(self):
        self.calls = []

    def on_block(self, run, block, forces_n, missed):
        self.calls.append(("block", len(block), run.protocol.in_trial if run.protocol else None))

    def on_events(self, run, events):
        self.calls += [("event", e.kind) for e in events]

    def on_stop(self, run, reason):
        self.calls.append(("stop", reason))

    def on_finish(self, run, outcome):
        self.calls.append(("finish", outcome.status))


def test_every_sink_gets_every_frame_and_one_finish_with_the_result(tmp_path):
    log = Log()
    writer = RecordingWriter(tmp_path / "r.csv", BOARD, {})
    proto = make_protocol("single-leg-stance", side="left", trials=1)
    outcome = run_blocks(blocks(), proto, [RecordingSink(writer), log])
    assert outcome.status is RunStatus.COMPLETE and outcome.stopped is StopReason.DONE
    (trial,) = outcome.result.trials
    assert trial.stance_side == "left" and 5.5 < trial.hold_s < 6.5
    fed = sum(n for kind, n, _ in (c for c in log.calls if c[0] == "block"))
    assert fed == outcome.n_frames == read_recording(tmp_path / "r.csv").t_s.size
    assert [c for c in log.calls if c[0] == "finish"] == [("finish", RunStatus.COMPLETE)]
    assert log.calls[-1][0] == "finish" and ("event", "done") in log.calls
    assert outcome.t0_s == 0.0


def test_finish_twice_closes_the_sinks_once():
    log = Log()
    live = LiveRun(make_protocol("single-leg-stance", side="left", trials=1), [log])
    for b in blocks(total_s=5.0):
        live.feed(*b)
    first = live.finish()
    assert live.finish() is first and live.abort() is first
    assert [c for c in log.calls if c[0] == "finish"] == [("finish", RunStatus.COMPLETE)]
    assert live.feed(*next(blocks())) == []  # nothing more is taken in


def test_an_error_mid_run_keeps_the_frames_stored_as_aborted(tmp_path):
    store = Store(tmp_path / "bt.db")
    store.add_person("p01")
    sid = store.start_session("p01", "test", board=BOARD)
    rec = store.start_trial(sid, "single-leg-stance", {}, BOARD)
    log = Log()
    with pytest.raises(OSError, match="went away"):
        run_blocks(blocks(fail_at=5), make_protocol("single-leg-stance"), [StoreSink(rec), log])
    (trial,) = store.history("p01")[0].trials
    assert trial.status == "aborted" and trial.n_frames == 5 * 40
    assert ("stop", StopReason.ERROR) in log.calls and log.calls[-1] == ("finish", "aborted")
    store.close()


def test_ctrl_c_gives_the_result_so_far_stored_as_aborted(tmp_path):
    store = Store(tmp_path / "bt.db")
    store.add_person("p01")
    sid = store.start_session("p01", "test", board=BOARD)
    rec = store.start_trial(sid, "single-leg-stance", {}, BOARD)
    outcome = run_blocks(
        blocks(interrupt_at=12), make_protocol("single-leg-stance", side="left"), [StoreSink(rec)]
    )
    assert outcome.stopped is StopReason.INTERRUPTED and outcome.status is RunStatus.ABORTED
    (trial,) = store.history("p01")[0].trials
    assert trial.status == "aborted" and trial.result["test"] == "single-leg-stance"
    # 12 blocks = 6 s: the hold that began at 3 s is closed at the end of the data
    assert trial.test_result.trials[0].stop_reason == "end_of_data"
    store.close()


def test_a_timeout_in_board_time_stops_the_run_once():
    log = Log()
    proto = make_protocol("single-leg-stance", side="left", trials=3)
    outcome = run_blocks(blocks(), proto, [log], timeout_s=4.0)
    assert outcome.stopped is StopReason.TIMEOUT and outcome.status is RunStatus.COMPLETE
    assert [c for c in log.calls if c[0] == "stop"] == [("stop", StopReason.TIMEOUT)]
    assert 4.0 <= outcome.n_frames / 80 < 4.0 + 40 / 80 + 1e-9


def test_frames_reach_the_sinks_before_the_protocol_sees_them():
    log = Log()
    run_blocks(blocks(), make_protocol("single-leg-stance", side="left", trials=1), [log])
    # the block in which the trial starts is logged while the protocol is not yet in the trial
    states = [c[2] for c in log.calls if c[0] == "block"]
    start = log.calls.index(("event", "trial_started"))
    before = [c for c in log.calls[:start] if c[0] == "block"]
    assert before[-1][2] is False and True in states


def test_a_failing_sink_is_dropped_when_the_face_says_so_and_the_run_goes_on():
    class Broken(Sink):
        def on_block(self, run, block, forces_n, missed):
            raise OSError("disk full")

    seen = []
    broken, log = Broken(), Log()
    live = LiveRun(
        make_protocol("single-leg-stance", side="left", trials=1),
        [broken, log],
        on_sink_error=lambda sink, exc: seen.append((sink, str(exc))),
    )
    for b in blocks():
        live.feed(*b)
        if live.done:
            break
    outcome = live.finish()
    assert seen == [(broken, "disk full")] and live.sinks == [log]
    assert len(outcome.result.trials) == 1


def test_a_recording_without_a_protocol_stores_the_sway_of_its_frames(tmp_path):
    store = Store(tmp_path / "bt.db")
    store.add_person("p01")
    sid = store.start_session("p01", "record", board=BOARD)
    sink = StoreSink(store.start_trial(sid, "record", {}, BOARD), BOARD)
    # noise-free: cell noise under the lifted foot would push the left share past 1
    outcome = run_blocks(blocks(noise=0.0), None, [sink])
    assert outcome.result is None and outcome.stopped is StopReason.END_OF_DATA
    (trial,) = store.history("p01")[0].trials
    assert trial.metrics["duration_s"] == pytest.approx(12.0, abs=0.05)
    assert trial.metrics == sink.metrics and trial.result is None
    store.close()
