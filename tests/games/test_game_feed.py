"""The app's board feed in virtual time: due frames, smoothing, stalls, reconnects, zeroing."""

from __future__ import annotations

import math

import numpy as np
import pytest
from game_sources import ScriptedSource, connect, standing

from balance_trainer.signal import LiveSmoother
from games.feed import BoardFeed


def pump_for(feed: BoardFeed, seconds: float, fps: int = 60, t0: float = 0.0) -> float:
    t = t0
    for _ in range(int(round(seconds * fps))):
        t += 1 / fps
        feed.pump(t)
    return t


def test_each_game_frame_takes_exactly_the_frames_due_by_its_time():
    src = ScriptedSource(standing())
    feed = BoardFeed(connect(src), realtime=False)
    got = []
    for k in range(1, 61):
        got.append(len(feed.pump(k / 60)))
    # 80 frames/s against 60 game frames/s: frames at t = j/80 <= k/60 (one more at t = 0).
    expected = [
        math.floor(k * 80 / 60 + 1e-9) - math.floor((k - 1) * 80 / 60 + 1e-9) for k in range(1, 61)
    ]
    expected[0] += 1
    assert got == expected and feed.frames_seen == 81
    assert feed.latest.t_s == pytest.approx(1.0)


def test_feedback_uses_the_causal_smoother_on_every_sample_up_to_the_newest():
    cop = lambda t: 30.0 * math.sin(2 * math.pi * 0.7 * t)  # noqa: E731
    src = ScriptedSource(standing(cop_ml_mm=cop))
    feed = BoardFeed(connect(src), realtime=False)
    pump_for(feed, 2.0)
    ref = LiveSmoother(80.0)
    y = math.nan
    for j in range(feed.frames_seen):
        y = ref.update(cop(j / 80))
    assert feed.ml_mm == pytest.approx(y, abs=0.01)
    assert feed.delay_s == pytest.approx(ref.delay_s)


def test_each_foot_has_its_own_smoothed_cop_and_the_lifted_share():
    src = ScriptedSource(standing(cop_ml_mm=-60.0))
    feed = BoardFeed(connect(src), realtime=False)
    pump_for(feed, 1.0)
    assert feed.stance_ml_mm("left") == pytest.approx(-120.0, abs=0.5)
    assert feed.stance_ml_mm("right") == pytest.approx(120.0, abs=0.5)
    assert feed.stance_ml_mm("both") == pytest.approx(-60.0, abs=0.5)
    # COP at -60 mm between plate centres at ±120 mm: a quarter of the load on the right.
    assert feed.lifted_share("left") == pytest.approx(0.25, abs=0.01)
    assert feed.on_board


def test_nobody_on_the_board_has_no_cop_and_no_share():
    src = ScriptedSource(lambda t: np.zeros(4))
    feed = BoardFeed(connect(src), realtime=False)
    pump_for(feed, 0.5)
    assert feed.status == "ok" and not feed.on_board
    assert math.isnan(feed.ml_mm) and math.isnan(feed.lifted_share("left"))


def test_no_frames_for_a_second_is_a_stall_and_frames_coming_back_end_it():
    src = ScriptedSource(standing(), gap=(1.0, 3.0))
    feed = BoardFeed(connect(src), realtime=False)
    t = pump_for(feed, 1.5)
    assert feed.status == "ok"
    t = pump_for(feed, 0.6, t0=t)
    assert feed.status == "stalled" and not feed.on_board
    pump_for(feed, 1.0, t0=t)
    assert feed.status == "ok" and feed.on_board


def test_a_lost_board_is_reopened_until_it_comes_back():
    first = ScriptedSource(standing(), fail_at=1.0)
    attempts = []

    def reopen():
        attempts.append(1)
        if len(attempts) < 2:
            raise OSError("still unplugged")
        return connect(ScriptedSource(standing(cop_ml_mm=20.0)))

    feed = BoardFeed(connect(first), realtime=False, reopen=reopen, retry_s=0.5)
    t = pump_for(feed, 1.2)
    assert feed.status == "lost" and "unplugged" in str(feed.error)
    t = pump_for(feed, 0.6, t0=t)
    assert feed.status == "lost" and len(attempts) == 1
    t = pump_for(feed, 1.0, t0=t)
    assert len(attempts) == 2 and first.closed
    pump_for(feed, 0.5, t0=t)
    assert feed.status == "ok" and feed.ml_mm == pytest.approx(20.0, abs=0.5)


def test_without_reopen_a_lost_board_stays_lost_without_raising():
    feed = BoardFeed(connect(ScriptedSource(standing(), fail_at=0.5)), realtime=False)
    pump_for(feed, 2.0)
    assert feed.status == "lost" and len(feed.pump(2.1)) == 0


def test_zeroing_removes_the_residual_load_of_the_empty_board():
    drift = np.array([3.0, -1.0, 2.0, 0.5])  # N per cell on an empty board
    src = ScriptedSource(lambda t: drift + (np.zeros(4) if t < 2 else standing()(t)))
    feed = BoardFeed(connect(src), realtime=False)
    forces = []
    t = 0.0
    while t < 1.5:
        t += 1 / 60
        forces.append(feed.pump(t).forces_n)
    kg = feed.tare(np.concatenate(forces))
    assert kg == pytest.approx(drift.sum() / 9.80665, rel=1e-3)
    pump_for(feed, 1.0, t0=t)
    assert feed.latest.total_kg == pytest.approx(70.0, abs=0.01)


def test_zeroing_refuses_when_someone_is_still_on_the_board():
    src = ScriptedSource(standing())
    feed = BoardFeed(connect(src), realtime=False)
    up = feed.pump(0.5)
    with pytest.raises(ValueError, match="step off"):
        feed.tare(up.forces_n)
    with pytest.raises(ValueError):
        feed.tare(np.zeros((0, 4)))


def test_a_recording_that_does_not_start_at_zero_plays_from_its_first_frame():
    src = ScriptedSource(standing(), t0=1234.5)
    feed = BoardFeed(connect(src), realtime=False)
    assert len(feed.pump(0.0)) == 1
    pump_for(feed, 1.0)
    assert feed.frames_seen == 81 and feed.latest.t_s == pytest.approx(1235.5)


def test_the_interactive_simulator_is_offered_for_steering_but_a_script_is_not():
    from balance_trainer.wiring import open_board

    inter = open_board("sim", scenario="interactive", realtime=False)
    scripted = open_board("sim", scenario="quiet", realtime=False)
    try:
        assert BoardFeed(inter, realtime=False).sim is inter.source
        assert BoardFeed(scripted, realtime=False).sim is None
    finally:
        inter.close()
        scripted.close()


class PacedSource(ScriptedSource):
    """Real-time frames (sleeping between them), failing after ``fail_at`` seconds."""

    def frames(self):
        import time

        from balance_trainer.errors import BoardDisconnected
        from balance_trainer.frames import RawFrame

        t0 = time.monotonic()
        k = 0
        while not self.closed:
            t = time.monotonic() - t0
            if self.fail_at is not None and t >= self.fail_at:
                raise BoardDisconnected("paced board unplugged")
            counts = tuple(int(round(f * 1000)) for f in self.forces(t))
            yield RawFrame(t, counts)
            k += 1
            time.sleep(max(0.0, t0 + k / self.fs - time.monotonic()))


def test_in_real_time_a_lost_board_is_reopened_in_the_background():
    import time

    made = []

    def reopen():
        src = PacedSource(standing(cop_ml_mm=15.0))
        made.append(src)
        return connect(src)

    feed = BoardFeed(
        connect(PacedSource(standing(), fail_at=0.3)), realtime=True, reopen=reopen, retry_s=0.1
    )
    try:
        seen = set()
        deadline = time.monotonic() + 5.0
        while time.monotonic() < deadline:
            feed.pump(time.monotonic())
            seen.add(feed.status)
            if "lost" in seen and feed.status == "ok" and made:
                break
            time.sleep(1 / 60)
        assert "lost" in seen and feed.status == "ok"
        assert feed.ml_mm == pytest.approx(15.0, abs=1.0)  # the new board's person
    finally:
        feed.close()
        for s in made:
            s.close()


def test_a_board_missing_at_start_is_offline_until_it_can_be_opened():
    from balance_trainer.config import load_board
    from balance_trainer.errors import SensorTimeout
    from games.feed import offline_connection

    conn = offline_connection(load_board("two-plate-4"), SensorTimeout("no HX711 on GPIO5"))
    tries = []

    def reopen():
        tries.append(1)
        return connect(ScriptedSource(standing()))

    feed = BoardFeed(conn, realtime=False, reopen=reopen, retry_s=0.5)
    feed.pump(0.1)
    assert feed.status == "lost" and "GPIO5" in str(feed.error) and not feed.simulated
    pump_for(feed, 1.5, t0=0.1)
    assert tries == [1] and feed.status == "ok" and feed.on_board
