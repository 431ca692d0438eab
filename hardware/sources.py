"""The one face every board source has, and opening a source by name.

A source yields :class:`~balance_trainer.frames.RawFrame` values: a monotonic timestamp (s) and
one integer count per cell, in the board file's cell order. The simulator, a recording, the
HX711 chips and a Wii Balance Board all look alike from here on, so everything downstream runs
the same with or without hardware.

Source specs (``--board``):

``sim`` / ``sim:PRESET_OR_TOML``
    the simulated board (default geometry ``two-plate-4``);
``replay:FILE``
    a recording file played back;
``mock-hx711`` / ``mock-hx711:PRESET_OR_TOML``
    the real HX711 protocol code against fake chips on gpiozero's mock pins;
``wii``
    a Nintendo Wii Balance Board through the kernel's hid-wiimote driver;
``PRESET`` or ``path/to/board.toml``
    a real board, read with the source the file names (``hx711`` by default).
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from typing import Any

from balance_trainer.config import Board, load_board
from balance_trainer.errors import UsageError
from balance_trainer.frames import RawFrame

Clock = Callable[[], float]
Sleep = Callable[[float], None]

SOURCE_KINDS = ("sim", "replay", "mock-hx711", "wii", "hx711")


class Source(ABC):
    """A stream of raw frames from one board.

    Attributes
    ----------
    board : Board
        Geometry and wiring; frames carry one count per ``board.cells`` entry.
    kind : str
        ``sim``, ``replay``, ``hx711``, ``mock-hx711`` or ``wii``.
    simulated : bool
        True when no person is really standing on anything (simulator, replay, fake chips).
    realtime : bool
        True when frames arrive at the board's rate in wall-clock time; False when a
        virtual-time source yields them as fast as it can (tests, offline analysis).
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
        return f"{self.kind} board {self.board.name}"

    def stats(self) -> dict[str, Any]:
        """Counters for doctor and logs (discarded sweeps, restarts...)."""
        return {}

    def close(self) -> None:
        self.closed = True

    def __enter__(self) -> Source:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _board_for(arg: str) -> Board:
    return load_board(arg or "two-plate-4")


def open_source(
    spec: str,
    *,
    scenario: str = "quiet",
    seed: int = 0,
    weak_hip: str | None = None,
    realtime: bool = True,
    clock: Clock = time.monotonic,
    sleep: Sleep = time.sleep,
    **options: Any,
) -> Source:
    """Open the source named by ``spec`` (see the module docstring).

    Raises
    ------
    UsageError
        The spec names no known source.
    BoardConfigError, RecordingError, SensorError
        From the board file, the recording or the hardware.
    """
    kind, _, arg = spec.partition(":")
    if kind == "sim":
        from .simulated import SimulatedBoard

        return SimulatedBoard(
            _board_for(arg),
            scenario,
            seed=seed,
            weak_hip=weak_hip,
            realtime=realtime,
            clock=clock,
            sleep=sleep,
            **options,
        )
    if kind == "replay":
        if not arg:
            raise UsageError("--board replay: needs a file, as in replay:session.csv")
        from .replay import ReplaySource

        return ReplaySource(arg, realtime=realtime, clock=clock, sleep=sleep)
    if kind == "mock-hx711":
        from .hx711_source import open_mock_hx711

        return open_mock_hx711(
            _board_for(arg),
            seed=seed,
            realtime=realtime,
            clock=clock,
            sleep=sleep,
            scenario=scenario,
            **options,
        )
    if kind == "wii":
        from .wiiboard import WiiBalanceBoardSource

        return WiiBalanceBoardSource(realtime=realtime, clock=clock, **options)
    if spec.startswith("replay") or spec.startswith("sim"):
        raise UsageError(f"--board {spec!r}: write sim, sim:PRESET, or replay:FILE")
    board = load_board(spec)
    if board.source == "hx711":
        from .hx711_source import HX711Source

        return HX711Source(board, clock=clock, **options)
    if board.source == "wii":
        from .wiiboard import WiiBalanceBoardSource

        return WiiBalanceBoardSource(board=board, realtime=realtime, clock=clock, **options)
    raise UsageError(
        f"board {board.name}: source {board.source!r} is unknown; use 'hx711' or 'wii'"
    )
