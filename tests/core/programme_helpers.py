"""Drive a programme session with the simulated person, in virtual time (no app, no pygame)."""

from __future__ import annotations

from datetime import date
from typing import Any

from balance_trainer.programme import parse_programme
from balance_trainer.programme_session import Phase, SessionRunner

SMALL_PLAN = """
days_per_week = 7
start = 2026-12-01
review = 2027-01-12

[[exercise]]
name = "side-lying-clam"
sides = ["left"]
sets = 1
reps = 3
rest_s = 2

[[exercise]]
name = "step-up-hold"
sides = ["left", "right"]
sets = 2
hold_s = 5
rest_s = 3

[[exercise]]
name = "single-leg-squat"
side = "right"
sets = 1
reps = 3
rest_s = 2

[[rule]]
exercise = "step-up-hold"
when = "all-sets-steady"
sessions = 2
add_hold_s = 5
max_hold_s = 45
"""


def small_plan() -> Any:
    return parse_programme(SMALL_PLAN, "small.toml")


def open_sim(seed: int = 0, weak_hip: bool = False) -> Any:
    from balance_trainer.wiring import open_board

    return open_board("sim", scenario="interactive", seed=seed, weak_hip=weak_hip, realtime=False)


class Person:
    """The simulated person doing what the runner asks, frame by frame at ``fps``."""

    def __init__(self, conn: Any, runner: SessionRunner, fps: int = 60) -> None:
        self.conn = conn
        self.runner = runner
        self.sim = conn.source
        self.conv = conn.converter
        self.frames = iter(self.sim.frames())
        self.pending: list[Any] = []
        self.now = 0.0
        self.dt = 1.0 / fps
        self.stance = "both"
        self.next_squat = 0.0
        self.t = 0.0

    def _frames_until(self, t: float) -> list[Any]:
        out = []
        while True:
            if not self.pending:
                self.pending.append(next(self.frames))
            if self.pending[0].t > t:
                return out
            out.append(self.pending.pop(0))

    def step(self) -> None:
        r = self.runner
        self.now += self.dt
        want = r.wants_stance
        if want == "off":
            want = "both"  # lying down beside the board: the board just sees it empty
        if want != self.stance:
            self.sim.set_stance(want)
            self.stance = want
        plan = r.plan
        if (
            r.phase is Phase.ACTIVE
            and plan is not None
            and plan.exercise.name == "single-leg-squat"
            and self.now >= self.next_squat
            and self.sim.stance == plan.side
        ):
            self.sim.squat()
            self.next_squat = self.now + 4.0
        frames = self._frames_until(self.now)
        if frames:
            block, _ = self.conv.block(frames)
            r.feed(block)
        r.tick(self.dt)
        if r.awaiting_confirm:
            r.confirm()

    def run(self, seconds: float, until: Phase | None = None) -> None:
        for _ in range(int(seconds / self.dt)):
            self.step()
            if until is not None and self.runner.phase is until:
                return


def make_runner(store: Any = None, pid: str = "p01", **kw: Any) -> SessionRunner:
    return SessionRunner(small_plan(), store, pid, date(2026, 12, 2), **kw)
