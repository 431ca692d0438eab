"""The board feed's one event detector: games get lift-off and touchdown from the core."""

from __future__ import annotations

import numpy as np
import pytest
from game_sources import ScriptedSource, connect, standing

from balance_trainer.events import EventDetector
from games.feed import DETECT_EVERY_S, BoardFeed

LIFT_S = 4.0
DOWN_S = 7.0


def right_foot_lifted_between(t0: float, t1: float):
    """70 kg on both feet; the right foot off the board from t0 to t1 (its load on the left)."""
    both = standing(70.0)
    left_only = standing(70.0, cop_ml_mm=-120.0)  # the left plate's centre: all on the left

    def forces(t: float) -> np.ndarray:
        return left_only(t) if t0 <= t < t1 else both(t)

    return forces


def run(feed: BoardFeed, seconds: float, fps: int = 60):
    events, stances = [], []
    for k in range(1, int(seconds * fps) + 1):
        update = feed.pump(k / fps)
        events += [(k / fps, e) for e in update.events]
        stances.append((k / fps, feed.stance))
    return events, stances


def test_the_feed_hands_out_the_detectors_lift_off_and_touchdown_with_their_times():
    src = ScriptedSource(right_foot_lifted_between(LIFT_S, DOWN_S))
    feed = BoardFeed(connect(src), realtime=False)
    events, stances = run(feed, 9.0)
    kinds = [(e.kind, e.side) for _, e in events]
    assert ("body_weight", None) in kinds
    assert kinds.index(("lift_off", "right")) < kinds.index(("touchdown", "right"))
    lift = next(e for _, e in events if e.kind == "lift_off")
    down = next(e for _, e in events if e.kind == "touchdown")
    assert lift.t_s == pytest.approx(LIFT_S, abs=1 / 80 + 1e-9)
    assert down.t_s == pytest.approx(DOWN_S, abs=1 / 80 + 1e-9)
    # Handed out no later than one detector block after the detector could know it.
    handed = next(t for t, e in events if e.kind == "lift_off")
    assert lift.known_s <= handed <= lift.known_s + DETECT_EVERY_S + 2 / 60
    # The stance games read follows: on the left leg only while the right foot is up.
    on_left = [t for t, s in stances if s == "left"]
    assert on_left and LIFT_S + 0.5 <= min(on_left) and max(on_left) < DOWN_S + 0.2


def test_the_feeds_events_are_the_events_of_one_detector_over_the_whole_stream():
    fs = 80.0
    forces = right_foot_lifted_between(LIFT_S, DOWN_S)
    feed = BoardFeed(connect(ScriptedSource(forces)), realtime=False)
    got, _ = run(feed, 9.0)
    # The same frames through a fresh detector in one block give the same events.
    conn = connect(ScriptedSource(forces))
    frames = []
    for f in conn.source.frames():
        if f.t > 9.0 - DETECT_EVERY_S - 0.05:  # the feed has not fed its last partial block
            break
        frames.append(f)
    block, _ = conn.converter.block(frames)
    want = EventDetector(fs_hz=fs).feed(block)
    assert [(e.kind, e.side, e.t_s) for _, e in got] == [(e.kind, e.side, e.t_s) for e in want]
