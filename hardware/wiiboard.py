"""The Nintendo Wii Balance Board as a source, through hid-wiimote and python-evdev.

Linux's ``hid-wiimote`` driver exposes a paired board as an input device named
"Nintendo Wii Remote Balance Board". Its four load sensors come as absolute axes, already turned
into units of 10 g by the driver from the board's own factory calibration (0, 17 and 34 kg
points), one value per corner:

==========  ==================  ===========================
axis        corner              ``corners-4`` cell
==========  ==================  ===========================
ABS_HAT0X   top right           ``front_right``
ABS_HAT0Y   bottom right        ``back_right``
ABS_HAT1X   top left            ``front_left``
ABS_HAT1Y   bottom left         ``back_left``
==========  ==================  ===========================

"Top" is the power-button edge; stand with it in front of your toes. Three quirks are handled:

* **Negative clamp**: the driver reports anything below the 0 kg calibration point as 0, so an
  empty corner reads exactly 0, never below. The built-in calibration is therefore offset 0 and
  0.01 kgf per count (a tare taken from clamped readings would be biased upwards); corners
  sitting at the clamp are counted in :meth:`WiiBalanceBoardSource.stats`.
* **Only changes are sent**: the input layer drops repeated values, so one report may carry
  two corners and the others keep their last value; a board nobody touches sends nothing at all,
  and the source then repeats the last frame every ``hold_s`` so the stream stays alive.
* **Uneven timing**: reports come every 10-20 ms over Bluetooth, bunched and jittered. Frames
  carry the kernel's event time (moved onto ``time.monotonic``), strictly increasing; the
  analysis resamples them onto a uniform grid.

Opening the board also:

* sets each corner axis's **fuzz and flat to 0**: hid-wiimote registers the axes with a fuzz,
  so the input layer swallows changes smaller than it (about 40 g) and sway under that never
  arrives;
* **tares** the corners over the first ``tare_s`` seconds when the board is empty (under
  5 kg in all; otherwise the clamp-safe offset of 0 stays), so the built-in calibration starts
  from the board's own zero;
* reads the **battery level** from the kernel's power-supply node that hid-wiimote registers
  for the board (``/sys/class/power_supply/wiimote_battery_<address>/capacity``), shown in
  the description and ``stats`` (``doctor`` warns under 20 %).

The event parsing works on plain ``(type, code, value, timestamp)`` tuples, so it is tested
without evdev installed.
"""

from __future__ import annotations

import errno
import logging
import math
import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from balance_trainer.config import Board, load_board
from balance_trainer.constants import STANDARD_GRAVITY
from balance_trainer.errors import BoardConfigError, BoardDisconnected, SensorError
from balance_trainer.frames import Clock, RawFrame, Sleep, Source

log = logging.getLogger(__name__)

DEVICE_NAME = "Nintendo Wii Remote Balance Board"
EV_SYN, EV_KEY, EV_ABS = 0x00, 0x01, 0x03
SYN_REPORT, SYN_DROPPED = 0, 3
ABS_HAT0X, ABS_HAT0Y, ABS_HAT1X, ABS_HAT1Y = 0x10, 0x11, 0x12, 0x13
BTN_A = 0x130
CORNER_CODES = {
    ("front", "right"): ABS_HAT0X,
    ("back", "right"): ABS_HAT0Y,
    ("front", "left"): ABS_HAT1X,
    ("back", "left"): ABS_HAT1Y,
}
N_PER_COUNT = 0.01 * STANDARD_GRAVITY
"""Newtons per reported unit: the driver reports 10 g (0.01 kgf) units."""
INSTALL_HINT = "pip install 'balance-trainer[wii]'"

Event = tuple[int, int, int, float]


AXIS_NAMES = {ABS_HAT0X: "HAT0X", ABS_HAT0Y: "HAT0Y", ABS_HAT1X: "HAT1X", ABS_HAT1Y: "HAT1Y"}
AXIS_CODES = {v: k for k, v in AXIS_NAMES.items()}


def corner_codes(board: Board) -> list[int]:
    """The evdev axis for each of the board's cells, by which corner the cell is in.

    A cell may name its axis itself (``dout = "HAT1Y"`` in the board file): what ``doctor
    --board wii --corners`` tells you to write when a board's sensors are not where the
    kernel's comment puts them (builders disagree on HAT0Y and HAT1Y).

    Raises
    ------
    BoardConfigError
        The board does not have exactly one cell in each corner (front/back x left/right).
    """
    where = str(board.path) if board.path else f"board {board.name}"
    seen: dict[tuple[str, str], str] = {}
    codes = []
    for c in board.cells:
        if c.x_mm == 0 or c.y_mm == 0:
            raise BoardConfigError(
                f"{where}: cell '{c.name}' is at x={c.x_mm:g}, y={c.y_mm:g} mm; a Wii Balance "
                "Board needs one cell in each corner (use the corners-4 preset)"
            )
        corner = ("front" if c.y_mm > 0 else "back", "left" if c.x_mm < 0 else "right")
        if corner in seen:
            raise BoardConfigError(
                f"{where}: cells '{seen[corner]}' and '{c.name}' are both in the "
                f"{' '.join(corner)} corner; a Wii Balance Board has one sensor per corner"
            )
        seen[corner] = c.name
        named = str(c.dout).upper().removeprefix("ABS_") if c.dout is not None else None
        if named is not None and not named.startswith("HAT"):
            named = None  # an HX711 pin (the same preset serves a built 4-corner board)
        if named is not None and named not in AXIS_CODES:
            raise BoardConfigError(
                f"{where}: cell '{c.name}' names axis {c.dout!r}; use one of "
                f"{', '.join(AXIS_CODES)}"
            )
        codes.append(AXIS_CODES[named] if named else CORNER_CODES[corner])
    if len(set(codes)) != len(codes):
        raise BoardConfigError(f"{where}: two cells read the same axis; give each its own")
    if len(codes) != 4:
        raise BoardConfigError(
            f"{where}: {len(codes)} cells; a Wii Balance Board has 4 (use the corners-4 preset)"
        )
    return codes


def wall_to_monotonic(
    timestamp: float,
    *,
    wall: Callable[[], float] = time.time,
    mono: Callable[[], float] = time.monotonic,
) -> float:
    """An evdev timestamp (wall clock, s) on the monotonic clock: now minus the event's age.

    An age that is negative or over a second means the wall clock jumped; then "now" is used.
    """
    age = wall() - timestamp
    now = mono()
    return now - age if 0.0 <= age < 1.0 else now


class WiiEventParser:
    """Turns hid-wiimote events into frames, one per ``SYN_REPORT``.

    Parameters
    ----------
    codes : sequence of int
        The axis for each cell, in cell order (see :func:`corner_codes`).
    to_monotonic : callable
        Maps an event timestamp to the frame clock (identity by default).
    """

    def __init__(
        self, codes: Sequence[int], to_monotonic: Callable[[float], float] = lambda t: t
    ) -> None:
        self.codes = list(codes)
        self._index = {code: i for i, code in enumerate(self.codes)}
        self.values: list[int | None] = [None] * len(self.codes)
        self._pending: dict[int, int] = {}
        self.to_monotonic = to_monotonic
        self.dropping = False
        self.needs_resync = False
        self.last_t = -math.inf
        self.frames = 0
        self.dropped_reports = 0
        self.negative_clamped = 0
        self.zero_corner_frames = 0
        self.button_presses = 0

    @property
    def complete(self) -> bool:
        """True once every corner's value is known."""
        return all(v is not None for v in self.values)

    def seed(self, values: Mapping[int, int]) -> None:
        """Set the current corner values (axis code -> value), e.g. from the device's state."""
        for code, v in values.items():
            if code in self._index:
                self.values[self._index[code]] = self._clamp(int(v))

    def _clamp(self, v: int) -> int:
        if v < 0:
            self.negative_clamped += 1
            return 0
        return v

    def _stamp(self, t: float) -> float:
        # Never backwards, never twice the same: downstream divides by dt.
        t = max(t, self.last_t + 1e-6)
        self.last_t = t
        return t

    def _frame(self, t: float) -> RawFrame:
        counts = tuple(int(v) for v in self.values)  # type: ignore[arg-type]
        self.frames += 1
        if 0 in counts:
            self.zero_corner_frames += 1
        return RawFrame(self._stamp(t), counts)

    def feed(self, ev_type: int, code: int, value: int, timestamp: float) -> RawFrame | None:
        """Take one event; returns a frame when a report is complete, else None."""
        if ev_type == EV_SYN:
            if code == SYN_DROPPED:
                # The kernel's buffer overflowed: ignore everything up to the next report, then
                # read the device's state afresh (evdev protocol).
                self.dropping = True
                self._pending.clear()
                self.dropped_reports += 1
                return None
            if code != SYN_REPORT:
                return None
            if self.dropping:
                self.dropping = False
                self.needs_resync = True
                self._pending.clear()
                return None
            for c, v in self._pending.items():
                self.values[self._index[c]] = v
            had_news = bool(self._pending)
            self._pending.clear()
            if not had_news or not self.complete:
                return None
            return self._frame(self.to_monotonic(timestamp))
        if self.dropping:
            return None
        if ev_type == EV_ABS and code in self._index:
            self._pending[code] = self._clamp(int(value))
        elif ev_type == EV_KEY and code == BTN_A and value == 1:
            self.button_presses += 1
        return None

    def repeat(self, t: float) -> RawFrame | None:
        """The last values again at time ``t`` (nothing changed), or None if not yet known."""
        if not self.complete:
            return None
        return self._frame(t)


POWER_SUPPLY_ROOT = Path("/sys/class/power_supply")
TARE_EMPTY_KG = 5.0
"""A tare is taken only if the board reads less than this in all (nobody on it)."""
BATTERY_LOW_PERCENT = 20


def battery_percent(
    uniq: str | None = None, *, root: str | os.PathLike[str] = POWER_SUPPLY_ROOT
) -> int | None:
    """The board's battery level (%) from hid-wiimote's power-supply node, or None.

    Parameters
    ----------
    uniq : str, optional
        The board's Bluetooth address (the input device's ``uniq``); any Wii device's
        battery when not known.
    """
    pattern = f"wiimote_battery_{uniq}" if uniq else "wiimote_battery_*"
    for node in sorted(Path(root).glob(pattern)):
        try:
            return int((node / "capacity").read_text().strip())
        except (OSError, ValueError):
            continue
    return None


class EventDevice(Protocol):
    """What the source needs from the device (evdev in life, a stand-in in tests)."""

    def read(self, timeout: float) -> list[Event]: ...

    def current_values(self, codes: Iterable[int]) -> dict[int, int]: ...

    def close(self) -> None: ...


class EvdevBoard:
    """The board's input device through python-evdev.

    Parameters
    ----------
    path : str, optional
        ``/dev/input/eventN``; by default the first device named :data:`DEVICE_NAME`.

    Raises
    ------
    SensorError
        evdev is not installed, no board is connected, or the device cannot be opened.
    """

    def __init__(self, path: str | None = None) -> None:
        try:
            import evdev
        except ImportError as exc:
            raise SensorError(
                f"the Wii Balance Board needs python-evdev, which is not installed; run "
                f"{INSTALL_HINT}"
            ) from exc
        self._evdev = evdev
        try:
            if path is None:
                path = self._find(evdev)
            self.dev = evdev.InputDevice(path)
        except PermissionError as exc:
            raise SensorError(
                f"Wii Balance Board {path}: permission denied; add your user to the 'input' "
                "group (sudo usermod -aG input $USER, then log in again)"
            ) from exc
        except OSError as exc:
            raise SensorError(f"Wii Balance Board {path}: cannot open it ({exc})") from exc
        self.path = path
        self.uniq = str(getattr(self.dev, "uniq", "") or "") or None

    def clear_fuzz(self, codes: Iterable[int]) -> list[int]:
        """Set fuzz and flat of the corner axes to 0; returns the codes that had any.

        Raises nothing: without write access to the device the axes keep their fuzz (and
        changes under ~40 g are lost), which is logged.
        """
        changed = []
        for code in codes:
            info = self.dev.absinfo(code)
            if info.fuzz or info.flat:
                try:
                    self.dev.set_absinfo(code, fuzz=0, flat=0)
                    changed.append(code)
                except OSError as exc:
                    log.warning(
                        "Wii Balance Board %s: cannot set fuzz/flat of axis %#x to 0 (%s); "
                        "changes under about 40 g will not arrive",
                        self.path,
                        code,
                        exc,
                    )
        return changed

    @staticmethod
    def _find(evdev: Any) -> str:
        for p in evdev.list_devices():
            try:
                d = evdev.InputDevice(p)
            except OSError:
                continue
            name = d.name
            d.close()
            if name == DEVICE_NAME:
                return str(p)
        raise SensorError(
            "no Wii Balance Board found; press the red sync button under the battery cover "
            "and pair it (bluetoothctl: scan on, pair, trust, connect), check that the "
            "hid-wiimote module is loaded, then try again"
        )

    def read(self, timeout: float) -> list[Event]:
        import select

        try:
            ready, _, _ = select.select([self.dev.fd], [], [], timeout)
            if not ready:
                return []
            return [(e.type, e.code, e.value, e.timestamp()) for e in self.dev.read()]
        except BlockingIOError:
            return []
        except OSError as exc:
            if exc.errno in (errno.ENODEV, errno.EBADF, errno.EIO):
                raise BoardDisconnected(
                    f"the Wii Balance Board ({self.path}) went away: its batteries, or Bluetooth "
                    "range; press its power button to reconnect"
                ) from exc
            raise SensorError(f"Wii Balance Board {self.path}: read failed ({exc})") from exc

    def current_values(self, codes: Iterable[int]) -> dict[int, int]:
        return {c: int(self.dev.absinfo(c).value) for c in codes}

    def close(self) -> None:
        self.dev.close()


class WiiBalanceBoardSource(Source):
    """Frames from a Wii Balance Board: four corners, in units of 10 g.

    Parameters
    ----------
    board : Board, optional
        Default: the ``corners-4`` preset. Cells are matched to sensors by corner.
    device : str or EventDevice, optional
        The evdev path, or an object with the :class:`EventDevice` methods (tests).
    hold_s : float
        Repeat the last frame after this long without a report (s).
    tare_s : float, optional
        Read the empty board this long at open and take its offsets (0: no tare). Default:
        1 s for the board opened here, none for a device object handed in.
    battery_root : path
        Where the kernel's power-supply nodes are (a temporary folder in tests).
    """

    kind = "wii"

    def __init__(
        self,
        board: Board | None = None,
        *,
        realtime: bool = True,
        clock: Clock = time.monotonic,
        sleep: Sleep = time.sleep,
        device: str | EventDevice | None = None,
        hold_s: float = 0.1,
        to_monotonic: Callable[[float], float] = wall_to_monotonic,
        tare_s: float | None = None,
        battery_root: str | os.PathLike[str] = POWER_SUPPLY_ROOT,
    ) -> None:
        board = board if board is not None else load_board("corners-4")
        super().__init__(board, realtime=True, clock=clock, sleep=sleep)
        self.codes = corner_codes(board)
        self.device: EventDevice = (
            device if device is not None and not isinstance(device, str) else EvdevBoard(device)
        )
        self.hold_s = float(hold_s)
        self.parser = WiiEventParser(self.codes, to_monotonic=to_monotonic)
        self.parser.seed(self.device.current_values(self.codes))
        self.held_frames = 0
        clear = getattr(self.device, "clear_fuzz", None)
        self.fuzz_cleared: list[int] = list(clear(self.codes)) if callable(clear) else []
        self.battery_root = battery_root
        self.offsets = [0.0] * board.n_cells
        self.tared = False
        self._early: list[RawFrame] = []
        if tare_s is None:
            tare_s = 1.0 if isinstance(self.device, EvdevBoard) else 0.0
        if tare_s > 0:
            self._tare(tare_s)

    def _tare(self, seconds: float) -> None:
        """Offsets from the first ``seconds`` of reports, if the board is empty."""
        end = self.clock() + seconds
        rows = []
        while self.clock() < end:
            try:
                events = self.device.read(min(self.hold_s, seconds))
            except SensorError:
                break  # the frames will say so
            if not events:
                break
            for ev in events:
                frame = self.parser.feed(*ev)
                if frame is not None:
                    rows.append(frame.counts)
                    self._early.append(frame)
            if self.parser.needs_resync:
                self.parser.seed(self.device.current_values(self.codes))
                self.parser.needs_resync = False
        if not rows:
            return
        med = [sorted(col)[len(col) // 2] for col in zip(*rows, strict=True)]
        if sum(med) * N_PER_COUNT / STANDARD_GRAVITY < TARE_EMPTY_KG:
            self.offsets = [float(v) for v in med]
            self.tared = True
        else:
            log.info("Wii Balance Board: someone is on it; no tare taken (offsets 0)")

    def battery_percent(self) -> int | None:
        """The battery level (%) the kernel reports for this board, or None."""
        return battery_percent(getattr(self.device, "uniq", None), root=self.battery_root)

    @property
    def description(self) -> str:
        level = self.battery_percent()
        battery = "" if level is None else f", battery {level} %"
        low = (
            " (LOW: change the batteries)"
            if level is not None and level < BATTERY_LOW_PERCENT
            else ""
        )
        return f"Wii Balance Board ({self.board.name}{battery}{low})"

    def builtin_calibration(self) -> tuple[list[float], list[float]]:
        n = self.board.n_cells
        return list(self.offsets), [N_PER_COUNT] * n

    def frames(self) -> Iterator[RawFrame]:
        parser = self.parser
        early, self._early = self._early, []
        yield from early  # the reports the tare read are frames too
        last = self.clock()
        while not self.closed:
            events = self.device.read(self.hold_s)
            got = False
            for ev in events:
                frame = parser.feed(*ev)
                if frame is not None:
                    got = True
                    last = self.clock()
                    yield frame
            if parser.needs_resync:
                parser.seed(self.device.current_values(self.codes))
                parser.needs_resync = False
            if not got and self.clock() - last >= self.hold_s - 1e-6:
                frame = parser.repeat(self.clock())
                if frame is not None:
                    self.held_frames += 1
                    last = self.clock()
                    yield frame

    def stats(self) -> dict[str, Any]:
        p = self.parser
        return {
            "frames": p.frames,
            "held_frames": self.held_frames,
            "dropped_reports": p.dropped_reports,
            "negative_clamped": p.negative_clamped,
            "zero_corner_frames": p.zero_corner_frames,
            "button_presses": p.button_presses,
            "battery_percent": self.battery_percent(),
            "tared": self.tared,
            "fuzz_cleared": len(self.fuzz_cleared),
        }

    def close(self) -> None:
        if not self.closed:
            super().close()
            self.device.close()
