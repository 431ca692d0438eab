"""What every board source yields and the one face every source has.

A source yields :class:`RawFrame` values: a monotonic timestamp (s) and one integer count per
cell, in the board file's cell order. The simulator, a recording, the HX711 chips and a Wii
Balance Board all look alike from here on, so everything downstream runs the same with or
without hardware.

The interface lives in the core, beside its users, and the sources live in ``hardware/``: a
source module imports :class:`Source` from here and registers a factory under the entry-point
group :data:`SOURCE_GROUP` (``balance_trainer.sources`` in ``pyproject.toml``), the way
gpiozero's pin factories register. :func:`balance_trainer.wiring.open_source` finds a factory
by name, so the core never imports ``hardware/`` (see ``docs/design.md``).
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, NamedTuple, Protocol, runtime_checkable

from .config import Board

Clock = Callable[[], float]
"""A monotonic clock: seconds, from an arbitrary origin (``time.monotonic``, or virtual time)."""
Sleep = Callable[[float], None]
"""Waits the given seconds (``time.sleep``, or a virtual clock's advance)."""

SOURCE_GROUP = "balance_trainer.sources"
"""Entry-point group under which source factories register, one name per source kind."""


class RawFrame(NamedTuple):
    """One reading of every cell at the same instant.

    t : float
        Monotonic time in seconds (virtual time for simulated and replayed sources).
    counts : tuple of int
        Signed ADC counts, one per cell, in the board file's cell order.
    """

    t: float
    counts: tuple[int, ...]


class PelvisSample(NamedTuple):
    """One reading of the pelvis's orientation, from a pelvis sensor beside the board.

    t_s : float
        Monotonic time in seconds, on the same clock as the board's :class:`RawFrame` values
        (virtual time for simulated and replayed sources): when the reading was taken.
    obliquity_deg : float
        Frontal-plane tilt, degrees, zeroed standing level on both feet. Positive = the
        person's LEFT side lower. Standing on the right leg (left foot lifted) that is the
        lifted side dropping, the Trendelenburg sign; standing on the left leg the lifted
        side dropping is a negative value (see :meth:`drop_deg`).
    rotation_deg : float
        Transverse-plane rotation, degrees, zeroed at the same moment. Positive = the pelvis
        turned to the person's left (counter-clockwise seen from above, the right side forward).
    """

    t_s: float
    obliquity_deg: float
    rotation_deg: float

    def drop_deg(self, lifted: str) -> float:
        """Pelvic drop toward the ``lifted`` side (``"left"``/``"right"``), degrees.

        Positive when the side of the lifted leg is lower, whichever leg is lifted.
        """
        return self.obliquity_deg if lifted == "left" else -self.obliquity_deg


class Source(ABC):
    """A stream of raw frames from one board.

    A backend must override :meth:`frames` and set :attr:`kind`. It may override
    :meth:`builtin_calibration` (a source that knows its own scale), :meth:`stats` (counters
    for doctor), :meth:`close` (release a device; call ``super().close()``), and
    :attr:`simulated` (True when no person is really standing on anything).

    Parameters
    ----------
    board : Board
        Geometry and wiring; frames carry one count per ``board.cells`` entry.
    realtime : bool
        True when frames arrive at the board's rate in wall-clock time; False when a
        virtual-time source yields them as fast as it can (tests, offline analysis).
    clock : Clock
        Monotonic clock, s.
    sleep : Sleep
        How the source waits, s.

    Attributes
    ----------
    kind : str
        The name the source registered under (``sim``, ``replay``, ``hx711``, ``mock-hx711``,
        ``wii``, ...).
    simulated : bool
        True when no person is really standing on anything (simulator, replay, fake chips).
    closed : bool
        True once :meth:`close` has run.
    """

    kind: str = "source"
    simulated: bool = False

    def __init__(
        self,
        board: Board,
        *,
        realtime: bool = True,
        clock: Clock = time.monotonic,
        sleep: Sleep = time.sleep,
    ) -> None:
        self.board = board
        self.realtime = realtime
        self.clock = clock
        self.sleep = sleep
        self.closed = False

    @abstractmethod
    def frames(self) -> Iterator[RawFrame]:
        """Yield frames until the source ends (a recording) or is closed."""

    def builtin_calibration(self) -> tuple[list[float], list[float]] | None:
        """``(offsets_counts, scales_n_per_count)`` a source ships with, or None.

        The simulator knows its own cells; a replay stores newtons as integer milli-newtons.
        Real chips have none: they must be calibrated.
        """
        return None

    @property
    def calibration_key(self) -> str:
        """Name under which this source's calibration is saved in the data directory."""
        return f"{self.kind}-{self.board.name}"

    @property
    def description(self) -> str:
        """What is being read, in a few words (``sim board two-plate-4``)."""
        return f"{self.kind} board {self.board.name}"

    def stats(self) -> dict[str, Any]:
        """Counters for doctor and logs (discarded sweeps, restarts...)."""
        return {}

    def close(self) -> None:
        """Stop reading and release the device; closing twice is harmless."""
        self.closed = True

    def __enter__(self) -> Source:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@runtime_checkable
class LoadAssist(Protocol):
    """A source that can put known loads on its own board (the simulator), so calibration
    can be shown and tested without a person placing masses."""

    def place_mass(self, mass_kg: float, x_mm: float, y_mm: float) -> None:
        """Put ``mass_kg`` at (``x_mm``, ``y_mm``) on the empty board."""

    def clear_load(self) -> None:
        """Take everything off the board."""


@dataclass(frozen=True)
class SourceRequest:
    """Everything a source factory is asked for when a source is opened by name.

    Attributes
    ----------
    arg : str
        What follows ``KIND:`` in the spec (``replay:session.csv`` -> ``session.csv``); empty
        when there is none.
    board : Board or None
        The board file the spec named (a preset or a ``.toml`` whose ``source`` is this kind);
        None when the spec named the kind directly.
    scenario, seed, weak_hip
        The simulated person's script, random seed and weak hip's side (``"left"``,
        ``"right"`` or None; simulated sources).
    realtime : bool
        Wall-clock pacing (True) or virtual time (False).
    clock, sleep
        Injected time, s.
    options : mapping
        Source-specific keywords (``device=`` for a Wii board, ``faults=`` for fake chips...).
    """

    arg: str = ""
    board: Board | None = None
    scenario: str = "quiet"
    seed: int = 0
    weak_hip: str | None = None
    realtime: bool = True
    clock: Clock = time.monotonic
    sleep: Sleep = time.sleep
    options: Mapping[str, Any] = field(default_factory=dict)


SourceFactory = Callable[[SourceRequest], Source]
"""What a ``balance_trainer.sources`` entry point loads to: a request in, an open source out."""


# The pelvis sensor's face, beside the board's: the sensors live in hardware/ and register
# under PELVIS_GROUP; the core finds them by name, as it finds board sources.

PELVIS_GROUP = "balance_trainer.pelvis"
"""Entry-point group under which pelvis sensor factories register (``sim``, ``i2c``)."""


class PelvisSource(Protocol):
    """What the core needs of a pelvis sensor (the backends live in ``hardware/``)."""

    kind: str
    realtime: bool

    @property
    def description(self) -> str: ...

    def samples(self) -> Iterator[PelvisSample]: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class PelvisRequest:
    """What a pelvis factory is given: the ``--pelvis`` text and the board source beside it."""

    spec: str
    board_source: Any
    realtime: bool = True
    clock: Callable[[], float] | None = None
    sleep: Callable[[float], None] | None = None


class ZeroState(Enum):
    """Where the pelvis sensor's zeroing (standing level and still on both feet) stands."""

    IDLE = "idle"
    RUNNING = "running"
    ZEROED = "zeroed"
    REFUSED = "refused"
    """The person moved: say so and zero again."""
    FAILED = "failed"
    """The sensor stopped (a pulled cable, a silent chip): no angles to zero."""


@dataclass(frozen=True)
class ZeroStatus:
    """The zeroing's state, how far it is (0..1 of its window) and, if refused, why."""

    state: ZeroState
    progress: float = 0.0
    message: str = ""
