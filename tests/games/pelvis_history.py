"""A person with hold tests measured with the pelvis sensor, stored as the tests store them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from balance_trainer.config import load_board
from balance_trainer.results import SideSummary, TestResult, Trial
from balance_trainer.store import Store

# A weak right hip getting better: standing on the right leg the left hip drops, less each
# visit (the simulator's weak hip drops ~7 deg); the left leg stays level.
DROPS = ((0.4, 7.2), (0.9, 6.1), (0.2, 4.6), (0.6, 3.1))


def hip_result(left_deg: float, right_deg: float) -> dict[str, Any]:
    """A hip-stability result with one 30 s hold per leg and its pelvis drops."""
    trials = tuple(
        Trial(
            i + 1,
            40.0 * i,
            40.0 * i + 30.0,
            "max_time",
            stance_side=side,
            hold_s=30.0,
            pelvic_drop_mean_deg=deg,
            pelvic_drop_peak_deg=deg + 2.0,
            extra={"pelvis_pattern": "drop" if deg > 2 else "level"},
        )
        for i, (side, deg) in enumerate((("left", left_deg), ("right", right_deg)))
    )
    sides = tuple(
        SideSummary(t.stance_side or "", trials=1, best_hold_s=30.0, mean_pelvic_drop_deg=d)
        for t, d in zip(trials, (left_deg, right_deg), strict=True)
    )
    return TestResult("hip-stability", trials=trials, sides=sides).to_json()


def store_with_pelvis_tests(path: Path, pid: str = "p01", name: str = "Ann") -> Store:
    """A store at ``path`` where ``pid`` did a hip-stability test a week apart, 4 times."""
    store = Store(path)
    store.add_person(pid, name=name, birth_year=1950)
    board = load_board("two-plate-4")
    start = datetime(2026, 11, 3, 10, 0, tzinfo=UTC)
    for k, (left, right) in enumerate(DROPS):
        when = start + timedelta(days=7 * k)
        sid = store.start_session(pid, "test", board=board, started_at=when)
        rec = store.start_trial(sid, "hip-stability", {}, board, started_at=when)
        rec.finish(hip_result(left, right), {})
    return store
