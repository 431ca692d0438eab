"""River raft: lean to steer a raft through the gates on a river.

World units: ``x`` runs across the river from -1 (left bank) to +1 (right bank); distance
runs along it in screen heights. The raft sits at a fixed place on screen while the river flows
past. Leaning ``range_mm`` from the person's resting centre takes the raft to a bank.

Speed and gate width adapt as the raft goes: a 1-down/3-up staircase makes gates narrower and
the river faster after three gates in a row, wider and slower after a miss. A miss is a splash,
never a lost life: the game is for children, and for grandparents.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from enum import StrEnum

from .adaptive import Staircase, lerp


class RiverPhase(StrEnum):
    """Where a river run is."""

    PLAYING = "playing"
    DONE = "done"


@dataclass
class RiverConfig:
    """Difficulty of one river round.

    Attributes
    ----------
    range_mm : float
        Lean from the resting centre, mm of ML COP, that takes the raft to the bank.
    widest, narrowest : float
        Gate width (fraction of the river's width, which is 2) at level 0 and level 1.
    slowest, fastest : float
        River speed, screen heights per second, at level 0 and level 1.
    spacing : float
        Distance between gates, screen heights.
    duration_s : float or None
        Round length, s; None ends after ``gates`` gates instead (no clock on screen).
    gates : int
        Number of gates in a round without a clock.
    start_level : float
        Staircase level to start at (0 easiest, 1 hardest).
    steer_tau_s : float
        The raft follows the lean with this time constant, s (a raft has some inertia).
    """

    range_mm: float = 60.0
    widest: float = 0.9
    narrowest: float = 0.35
    slowest: float = 0.18
    fastest: float = 0.45
    spacing: float = 1.1
    duration_s: float | None = 60.0
    gates: int = 12
    start_level: float = 0.3
    steer_tau_s: float = 0.15

    @classmethod
    def easy(cls) -> RiverConfig:
        """Older adults: small leans, wide gates, a slow river and no clock."""
        return cls(
            range_mm=40.0,
            widest=1.1,
            narrowest=0.6,
            slowest=0.12,
            fastest=0.25,
            spacing=1.3,
            duration_s=None,
            gates=12,
            start_level=0.1,
            steer_tau_s=0.25,
        )


@dataclass
class Gate:
    """A pair of buoys ``width`` apart centred on ``x``, ``distance`` down the river."""

    distance: float
    x: float
    width: float
    result: str = ""  # "", "pass", "perfect" or "miss"


@dataclass
class River:
    """One round on the river.

    Parameters
    ----------
    config : RiverConfig
    seed : int
        Seed for the gate layout: the same seed gives the same river.
    """

    config: RiverConfig = field(default_factory=RiverConfig)
    seed: int = 0

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        self.staircase = Staircase(self.config.start_level)
        self.raft_x = 0.0
        self.target_x = 0.0
        self.distance = 0.0
        self.elapsed_s = 0.0
        self.score = 0
        self.passed = 0
        self.perfect = 0
        self.missed = 0
        self.streak = 0
        self.best_streak = 0
        self.phase = RiverPhase.PLAYING
        self.gates: list[Gate] = []
        self._made = 0
        self._t_prev: float | None = None
        while len(self.gates) < 4:
            self._add_gate()

    # -- difficulty --------------------------------------------------------------------------
    @property
    def level(self) -> float:
        return self.staircase.level

    @property
    def gate_width(self) -> float:
        c = self.config
        return lerp(c.widest, c.narrowest, self.level)

    @property
    def speed(self) -> float:
        c = self.config
        return lerp(c.slowest, c.fastest, self.level)

    @property
    def done(self) -> bool:
        return self.phase is RiverPhase.DONE

    @property
    def remaining_s(self) -> float | None:
        d = self.config.duration_s
        return None if d is None else max(0.0, d - self.elapsed_s)

    @property
    def gates_left(self) -> int | None:
        if self.config.duration_s is not None:
            return None
        return max(0, self.config.gates - self.passed - self.missed)

    @property
    def stars(self) -> int:
        total = self.passed + self.missed
        if total == 0:
            return 0
        ratio = self.passed / total
        return 3 if ratio >= 0.9 else 2 if ratio >= 0.7 else 1 if ratio >= 0.4 else 0

    def finish(self) -> None:
        self.phase = RiverPhase.DONE

    def _add_gate(self) -> None:
        w = self.gate_width
        if self.gates:
            prev = self.gates[-1]
            # Never ask for more than about a bank-to-middle swing between two gates.
            x = prev.x + self.rng.uniform(-0.9, 0.9)
            distance = prev.distance + self.config.spacing
        else:
            x = self.rng.uniform(-0.3, 0.3)
            distance = 0.8
        lim = max(0.0, 1.0 - w / 2)
        self.gates.append(Gate(distance, max(-lim, min(lim, x)), w))
        self._made += 1

    # -- the rules ---------------------------------------------------------------------------
    def steer(self, lean_mm: float) -> None:
        """Set where the raft heads from the lean, mm from the resting centre (NaN: drift)."""
        if math.isfinite(lean_mm):
            self.target_x = max(-1.0, min(1.0, lean_mm / self.config.range_mm))

    def update(self, t_s: float) -> list[str]:
        """Advance to ``t_s``; returns events ``pass``, ``perfect``, ``miss``, ``faster``,
        ``slower`` and ``done``."""
        dt = 0.0 if self._t_prev is None else max(0.0, t_s - self._t_prev)
        self._t_prev = t_s
        if self.phase is RiverPhase.DONE or dt == 0.0:
            return []
        c = self.config
        self.elapsed_s += dt
        a = 1.0 - math.exp(-dt / c.steer_tau_s)
        self.raft_x += a * (self.target_x - self.raft_x)
        self.distance += self.speed * dt
        events: list[str] = []
        for gate in self.gates:
            if gate.result or gate.distance > self.distance:
                continue
            off = abs(self.raft_x - gate.x)
            if off <= gate.width / 2:
                gate.result = "perfect" if off <= gate.width / 6 else "pass"
                self.passed += 1
                self.streak += 1
                self.best_streak = max(self.best_streak, self.streak)
                self.score += 10 + (5 if gate.result == "perfect" else 0) + min(self.streak, 10)
                if gate.result == "perfect":
                    self.perfect += 1
                events.append(gate.result)
                if self.staircase.success():
                    events.append("faster")
            else:
                gate.result = "miss"
                self.missed += 1
                self.streak = 0
                events.append("miss")
                if self.staircase.miss():
                    events.append("slower")
        # Keep four gates ahead; drop those well behind the raft.
        self.gates = [g for g in self.gates if g.distance > self.distance - 1.0]
        while sum(1 for g in self.gates if not g.result) < 4:
            self._add_gate()
        over_time = c.duration_s is not None and self.elapsed_s >= c.duration_s
        over_gates = c.duration_s is None and self.passed + self.missed >= c.gates
        if over_time or over_gates:
            self.phase = RiverPhase.DONE
            events.append("done")
        return events

    def details(self) -> dict[str, float | int | None]:
        return {
            "gates_passed": self.passed,
            "gates_missed": self.missed,
            "perfect": self.perfect,
            "best_streak": self.best_streak,
            "level": round(self.level, 3),
            "stars": self.stars,
        }
