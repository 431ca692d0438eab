"""Board sources built on the HX711 driver: real chips, and fake chips through the same code.

``hx711``
    :class:`HX711Source` reads the chips named in the board file (one DOUT per cell, a shared
    SCK) in the reader process (:mod:`hardware.reader`). Real chips need calibrating.
``mock-hx711``
    the same protocol code against fake chips on gpiozero's mock pins
    (:mod:`hardware.fake_hx711`). In real time (:class:`MockHX711Source`) the fake chips live
    in the reader process, exactly where real ones would be read; in virtual time
    (:class:`VirtualMockHX711Source`, for tests and offline runs) everything runs in this
    process on a virtual clock. The fake cells' true offsets and scales are the built-in
    calibration, so the app works out of the box.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Sequence
from typing import Any

from balance_trainer.config import Board, Cell
from balance_trainer.errors import BoardDisconnected, PinConfigError
from balance_trainer.frames import Clock, RawFrame, Sleep, Source

from .fake_hx711 import ChipFaults, FakeBoardSpec, VirtualClock, parse_fault
from .reader import ChipReader, ChipSession, ReaderSpec, open_array

log = logging.getLogger(__name__)

DEFAULT_SCK = "GPIO21"
SPARE_DOUTS = (
    "GPIO5",
    "GPIO6",
    "GPIO13",
    "GPIO19",
    "GPIO12",
    "GPIO16",
    "GPIO20",
    "GPIO26",
    "GPIO4",
    "GPIO25",
    "GPIO18",
    "GPIO7",
    "GPIO8",
    "GPIO11",
    "GPIO9",
    "GPIO10",
)


def board_pins(board: Board) -> tuple[list[str | int], str | int, list[str]]:
    """``(dout pins, sck pin, labels)`` for a board's cells.

    Raises
    ------
    PinConfigError
        A cell has no ``dout`` or the board has no ``sck``; the message says what to add.
    """
    where = str(board.path) if board.path else f"board {board.name}"
    missing = [c.name for c in board.cells if c.dout is None]
    if missing:
        raise PinConfigError(
            f'{where}: cell(s) {", ".join(missing)} have no dout pin; add e.g. dout = "GPIO5" '
            "to each [[cells]] entry (see hardware/README.md)"
        )
    if board.sck is None:
        raise PinConfigError(f'{where}: no sck pin; add sck = "{DEFAULT_SCK}" under [board]')
    return (
        [c.dout for c in board.cells],
        board.sck,  # type: ignore[misc]
        [f"cell '{c.name}'" for c in board.cells],
    )


def _name_cells(exc: BaseException, board: Board) -> None:
    chips = getattr(exc, "chips", None)
    if chips is not None:
        exc.cells = [
            board.cells[i].name
            for i in chips  # type: ignore[attr-defined]
            if 0 <= i < board.n_cells
        ]


class HX711Source(Source):
    """Real HX711 chips, read in the reader process.

    Parameters
    ----------
    board : Board
        Cells with ``dout`` pins and a board ``sck``.
    timeout : float
        Seconds a read waits for the chips before it counts as a fault.
    max_restarts : int
        Faults in a row (each followed by a chip power-cycle) before the error is raised.
    raise_priority : bool
        Ask for real-time scheduling in the reader process.
    stall_timeout : float, optional
        Seconds without a frame before :class:`BoardDisconnected` (a backstop; the reader
        normally reports faults itself).
    """

    kind = "hx711"

    def __init__(
        self,
        board: Board,
        *,
        realtime: bool = True,
        clock: Clock = time.monotonic,
        sleep: Sleep = time.sleep,
        timeout: float = 1.0,
        max_restarts: int = 3,
        raise_priority: bool = True,
        stall_timeout: float | None = None,
        start_timeout: float = 30.0,
        fake: FakeBoardSpec | None = None,
    ) -> None:
        super().__init__(board, realtime=True, clock=clock, sleep=sleep)
        douts, sck, labels = board_pins(board)
        self.spec = ReaderSpec(
            tuple(douts),
            sck,
            tuple(labels),
            timeout=timeout,
            max_restarts=max_restarts,
            raise_priority=raise_priority,
            fake=fake,
        )
        self.stall_timeout = (
            stall_timeout if stall_timeout is not None else timeout * (max_restarts + 2) + 2.0
        )
        try:
            self._reader = ChipReader(self.spec, start_timeout=start_timeout).start()
        except Exception as exc:
            _name_cells(exc, board)
            raise

    @property
    def description(self) -> str:
        return f"HX711 board {self.board.name}"

    def frames(self) -> Iterator[RawFrame]:
        last = time.monotonic()
        while not self.closed:
            try:
                frame = self._reader.get(timeout=0.25)
            except Exception as exc:
                if self.closed:
                    return
                _name_cells(exc, self.board)
                raise
            now = time.monotonic()
            if frame is None:
                if now - last > self.stall_timeout:
                    raise BoardDisconnected(
                        f"{self.description}: no frames for {self.stall_timeout:g} s although "
                        "the reader is running; run 'balance-trainer doctor'"
                    )
                continue
            last = now
            yield frame

    def stats(self) -> dict[str, Any]:
        return self._reader.stats()

    def close(self) -> None:
        if not self.closed:
            super().close()
            self._reader.close()


class MockHX711Source(HX711Source):
    """Fake chips on mock pins, read in real time by the reader process."""

    kind = "mock-hx711"
    simulated = True

    def __init__(self, board: Board, *, fake: FakeBoardSpec, **kw: Any) -> None:
        self.fake = fake
        super().__init__(board, fake=fake, **kw)

    @property
    def description(self) -> str:
        return f"mock-hx711 board {self.board.name} (fake chips)"

    def builtin_calibration(self) -> tuple[list[float], list[float]]:
        return [float(o) for o in self.fake.offsets], [float(s) for s in self.fake.scales]


class VirtualMockHX711Source(Source):
    """Fake chips and the driver in this process, on a virtual clock: as fast as it can go,
    deterministic, for tests and offline runs. ``clock``/``sleep`` become the virtual ones."""

    kind = "mock-hx711"
    simulated = True

    def __init__(
        self,
        board: Board,
        fake: FakeBoardSpec,
        *,
        timeout: float = 1.0,
        max_restarts: int = 3,
        **_ignored: Any,
    ) -> None:
        from gpiozero.pins.mock import MockFactory

        self.vclock = VirtualClock()
        super().__init__(board, realtime=False, clock=self.vclock.now, sleep=self.vclock.sleep)
        self.fake = fake
        _, _, labels = board_pins(board)
        factory = MockFactory()
        self.bank = fake.build(factory, clock=self.vclock.now)
        spec = ReaderSpec(fake.dout_pins, fake.sck_pin, tuple(labels), timeout=timeout)
        self.array = open_array(
            spec,
            pin_factory=factory,
            clock=self.vclock.now,
            sleep=self.vclock.sleep,
            ticks=self.vclock.ns,
        )
        self.session = ChipSession(self.array, max_restarts=max_restarts)

    @property
    def description(self) -> str:
        return f"mock-hx711 board {self.board.name} (fake chips, virtual time)"

    def builtin_calibration(self) -> tuple[list[float], list[float]]:
        return [float(o) for o in self.fake.offsets], [float(s) for s in self.fake.scales]

    def frames(self) -> Iterator[RawFrame]:
        while not self.closed:
            try:
                t, counts = self.session.read()
            except Exception as exc:
                _name_cells(exc, self.board)
                raise
            yield RawFrame(t, tuple(counts))

    def stats(self) -> dict[str, Any]:
        out = self.session.stats()
        out["fake"] = self.bank.stats()
        return out

    def close(self) -> None:
        if not self.closed:
            super().close()
            self.array.close()
            self.bank.close()


def _with_pins(board: Board) -> Board:
    """The board with spare pins filled in where the file names none (fake chips only)."""
    if board.sck is not None and all(c.dout is not None for c in board.cells):
        return board
    used = {str(c.dout).upper() for c in board.cells if c.dout is not None}
    spare = iter(p for p in SPARE_DOUTS if p not in used and p != str(board.sck).upper())
    cells = tuple(
        c if c.dout is not None else Cell(c.name, c.side, c.x_mm, c.y_mm, next(spare))
        for c in board.cells
    )
    return Board(
        board.name,
        cells,
        board.sck or DEFAULT_SCK,
        board.sample_rate_hz,
        board.source,
        board.description,
        board.controls,
        board.path,
    )


def _checked_mock_pins(
    board: Board, douts: Sequence[str | int], sck: str | int
) -> tuple[list[str | int], str | int]:
    """The pins as BCM names, refused as the real driver refuses them (issue 17).

    Unknown, power and negative pins, and two names for one pin (``5`` and ``"GPIO5"``),
    are a :class:`PinConfigError` naming the board file and the cell, never a gpiozero error.
    """
    from gpiozero.pins.mock import MockFactory

    from .hx711 import canonical_pin

    where = str(board.path) if board.path else f"board {board.name}"
    factory = MockFactory()
    try:
        names = [
            canonical_pin(factory, d, f"{where}: cell '{c.name}' dout")
            for d, c in zip(douts, board.cells, strict=True)
        ]
        sck_name = canonical_pin(factory, sck, f"{where}: [board] sck")
    finally:
        factory.close()
    seen: dict[str, str] = {}
    for name, c in zip(names, board.cells, strict=True):
        if name in seen:
            raise PinConfigError(
                f"{where}: cell '{c.name}' dout is {name}, the same pin as cell "
                f"'{seen[name]}'; each HX711 needs its own DOUT pin"
            )
        seen[name] = c.name
    if sck_name in seen:
        raise PinConfigError(
            f"{where}: [board] sck is {sck_name}, also cell '{seen[sck_name]}' dout; give SCK "
            "a pin of its own"
        )
    return list(names), sck_name


def open_mock_hx711(
    board: Board,
    *,
    seed: int = 0,
    realtime: bool = True,
    clock: Clock = time.monotonic,
    sleep: Sleep = time.sleep,
    load: str | None = None,
    scenario: str | None = None,
    rate: float | None = None,
    faults: Sequence[str] = (),
    noise_counts: float = 40.0,
    **options: Any,
) -> Source:
    """Fake HX711 chips wired as ``board`` says, read through the real driver.

    Parameters
    ----------
    load : 'person' or 'empty', optional
        What stands on the fake board; default 'person' (steps on after 2 s), or 'empty' when
        ``scenario`` is 'empty'.
    rate : float, optional
        Conversions per second of every fake chip; by default each chip runs on its own
        oscillator, at a seeded rate in 86-94 Hz (what measured chips do with RATE high).
    faults : sequence of str
        Fault specs such as ``"stuck-high:left_outer"`` (see
        :func:`hardware.fake_hx711.parse_fault`).
    options
        Passed to the source (``timeout``, ``max_restarts``, ``raise_priority``...).

    Raises
    ------
    UsageError
        A fault spec is malformed.
    """
    board = _with_pins(board)
    douts, sck, _ = board_pins(board)
    douts, sck = _checked_mock_pins(board, douts, sck)
    chip_faults: dict[int, ChipFaults] = {}
    for spec in faults:
        chip_faults = parse_fault(spec, board.cell_names, chip_faults)
    if load is None:
        load = "empty" if scenario == "empty" else "person"
    fake = FakeBoardSpec.for_cells(
        douts,
        sck,
        board.x_mm.tolist(),
        board.y_mm.tolist(),
        seed=seed,
        load=load,
        rate=rate,
        noise_counts=noise_counts,
        faults=tuple(sorted(chip_faults.items())),
    )
    if realtime:
        return MockHX711Source(board, fake=fake, clock=clock, sleep=sleep, **options)
    return VirtualMockHX711Source(board, fake, **options)
