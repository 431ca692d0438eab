"""A stand-in for the ``lgpio`` module over gpiozero's mock pins, where the fake chips live.

It offers the part of lgpio's Python API the HX711 path and gpiozero's lgpio pins use
(``gpiochip_open``, ``gpio_claim_output``, ``group_claim_input``, ``group_read``,
``gpio_write``, ``gpio_read``, ``gpio_get_mode``, ...), with lgpio's conventions: lines
claimed once (a second claim fails as "GPIO busy"), ``group_read`` returning
``[group size, levels]`` with bit i for the i-th line of the group, errors raised as
``error``. So :class:`hardware.pins.LgpioPins` runs, in tests and benchmarks, against the same
fake chips as the gpiozero path. The kernel's ioctl time is not modelled (it adds the same to
both paths).

A real ``group_read`` is one ioctl whatever the number of lines, so this one costs the same
for 4 lines as for 8: a group of fake-chip DOUTs on one SCK answers with that SCK's levels
mask (:class:`hardware.fake_hx711_lines.FakeClockPin`), a group of lines this module made
keeps its own mask, updated when a line changes. A write goes straight to the line's
``_set_state`` (what gpiozero's ``state`` property calls).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from gpiozero.pins.mock import MockFactory, MockPin

from .fake_hx711_lines import FakeClockPin, FakeDoutPin, _BoundedHistory

SET_PULL_NONE = 128
SET_PULL_UP = 32
SET_PULL_DOWN = 64
SET_BIAS_DISABLE, SET_BIAS_PULL_UP, SET_BIAS_PULL_DOWN = SET_PULL_NONE, SET_PULL_UP, SET_PULL_DOWN
BOTH_EDGES, RISING_EDGE, FALLING_EDGE = 3, 1, 2
GPIO_IS_OUT = 1 << 1
GPIO_IS_BIAS_PULL_UP = 1 << 5


class error(Exception):  # noqa: N801 - lgpio's own name for it
    """lgpio's exception."""


class _Group:
    """The levels of a group of lines as one mask, kept up to date by the lines."""

    def __init__(self, pins: list[Any]) -> None:
        self.pins = pins
        self.size = len(pins)
        self.levels = 0
        for i, pin in enumerate(pins):
            pin.groups.append((self, 1 << i))
            if pin._state:
                self.levels |= 1 << i

    def read(self) -> list[int]:
        return [self.size, self.levels]

    def detach(self) -> None:
        for pin in self.pins:
            pin.groups[:] = [(g, b) for g, b in pin.groups if g is not self]


class LinePin(_BoundedHistory, MockPin):  # type: ignore[misc]
    """A mock line made by the stand-in lgpio: tells its groups when its level changes."""

    def __init__(self, factory: Any, info: Any) -> None:
        self.groups: list[tuple[_Group, int]] = []
        super().__init__(factory, info)

    def _change_state(self, value: bool) -> bool:
        changed = bool(super()._change_state(value))
        if changed:
            for group, bit in self.groups:
                if value:
                    group.levels |= bit
                else:
                    group.levels &= ~bit
        return changed


class FakeLgpio:
    """An lgpio-like module whose gpiochip lines are the pins of ``factory``."""

    error = error
    SET_PULL_NONE = SET_PULL_NONE
    SET_PULL_UP = SET_PULL_UP
    SET_PULL_DOWN = SET_PULL_DOWN
    SET_BIAS_DISABLE = SET_BIAS_DISABLE
    SET_BIAS_PULL_UP = SET_BIAS_PULL_UP
    SET_BIAS_PULL_DOWN = SET_BIAS_PULL_DOWN
    BOTH_EDGES, RISING_EDGE, FALLING_EDGE = BOTH_EDGES, RISING_EDGE, FALLING_EDGE

    def __init__(self, factory: MockFactory, *, chips: tuple[int, ...] = (0,)) -> None:
        self.factory = factory
        self.chips = chips
        self._handles: dict[int, int] = {}
        self._claims: dict[int, tuple[int, str, int]] = {}  # line -> (handle, mode, flags)
        self._groups: dict[tuple[int, int], list[int]] = {}
        self._line_pins: dict[int, Any] = {}
        self._writers: dict[int, tuple[int, Callable[[bool], None]]] = {}
        self._readers: dict[tuple[int, int], Callable[[], list[int]]] = {}
        self.calls = 0

    # -- chips --------------------------------------------------------------------------------
    def gpiochip_open(self, chip: int) -> int:
        if chip not in self.chips:
            raise error("can not open gpiochip")
        h = len(self._handles) + 1
        self._handles[h] = chip
        return h

    def gpiochip_close(self, handle: int) -> int:
        self._check(handle)
        for line, (h, _, _) in list(self._claims.items()):
            if h == handle:
                del self._claims[line]
                self._writers.pop(line, None)
        for key in [k for k in self._readers if k[0] == handle]:
            self._drop_reader(*key)
        del self._handles[handle]
        return 0

    def _check(self, handle: int) -> None:
        if handle not in self._handles:
            raise error("unknown handle")

    def _pin(self, line: int) -> Any:
        pin = self._line_pins.get(line)
        if pin is None:
            pin = self._line_pins[line] = self.factory.pin(line, pin_class=LinePin)
        return pin

    # -- claims -------------------------------------------------------------------------------
    def _claim(self, handle: int, line: int, mode: str, flags: int) -> None:
        self._check(handle)
        held = self._claims.get(line)
        if held is not None and held[0] != handle:
            raise error("GPIO busy")
        pin = self._pin(line)
        pin.function = "output" if mode == "output" else "input"
        if mode == "output":
            self._writers[line] = (handle, pin._set_state)
        else:
            self._writers.pop(line, None)
            pull = "up" if flags & SET_PULL_UP else "down" if flags & SET_PULL_DOWN else "floating"
            try:
                pin.pull = pull
            except Exception:  # noqa: BLE001 - a fixed pull keeps its own, as on a Pi
                pass
        self._claims[line] = (handle, mode, flags)

    def gpio_claim_output(self, handle: int, gpio: int, level: int = 0, lFlags: int = 0) -> int:  # noqa: N803
        self._claim(handle, gpio, "output", lFlags)
        self._pin(gpio).state = bool(level)
        return 0

    def gpio_claim_input(self, handle: int, gpio: int, lFlags: int = 0) -> int:  # noqa: N803
        self._claim(handle, gpio, "input", lFlags)
        return 0

    def group_claim_input(self, handle: int, gpio: list[int], lFlags: int = 0) -> int:  # noqa: N803
        for line in gpio:
            held = self._claims.get(line)
            if held is not None and held[0] != handle:
                raise error("GPIO busy")
        for line in gpio:
            self._claim(handle, line, "input", lFlags)
        self._groups[(handle, gpio[0])] = list(gpio)
        self._drop_reader(handle, gpio[0])
        return 0

    def gpio_free(self, handle: int, gpio: int) -> int:
        self._check(handle)
        self._claims.pop(gpio, None)
        self._writers.pop(gpio, None)
        return 0

    def group_free(self, handle: int, gpio: int) -> int:
        self._drop_reader(handle, gpio)
        for line in self._groups.pop((handle, gpio), [gpio]):
            self._claims.pop(line, None)
        return 0

    def gpio_get_mode(self, handle: int, gpio: int) -> int:
        self.calls += 1
        self._check(handle)
        held = self._claims.get(gpio)
        if held is None:
            return 0
        mode = GPIO_IS_OUT if held[1] == "output" else 0
        return mode | (GPIO_IS_BIAS_PULL_UP if held[2] & SET_PULL_UP else 0)

    # -- levels -------------------------------------------------------------------------------
    def gpio_write(self, handle: int, gpio: int, level: int) -> int:
        self.calls += 1
        writer = self._writers.get(gpio)
        if writer is None or writer[0] != handle:
            raise error("GPIO not an output")
        writer[1](level != 0)
        return 0

    def gpio_read(self, handle: int, gpio: int) -> int:
        self.calls += 1
        if gpio not in self._claims:
            raise error("GPIO not allocated")
        return int(bool(self._pin(gpio).state))

    def group_read(self, handle: int, gpio: int) -> list[int]:
        self.calls += 1
        read = self._readers.get((handle, gpio))
        if read is None:
            read = self._reader(handle, gpio)
        return read()

    def _drop_reader(self, handle: int, gpio: int) -> None:
        read = self._readers.pop((handle, gpio), None)
        group = getattr(read, "__self__", None)
        if isinstance(group, _Group):
            group.detach()

    def _reader(self, handle: int, gpio: int) -> Callable[[], list[int]]:
        """How to read a group: one mask when one is kept for exactly these lines, else line
        by line (lines opened elsewhere first, chips unplugged)."""
        lines = self._groups.get((handle, gpio))
        if lines is None:
            raise error("GPIO not allocated")
        pins = [self._line_pins[line] for line in lines]
        n = len(pins)
        read: Callable[[], list[int]]
        chips = [p.chip if isinstance(p, FakeDoutPin) else None for p in pins]
        sck = chips[0].sck if chips[0] is not None else None
        if (
            isinstance(sck, FakeClockPin)
            and sck.chips == chips
            and all(c is not None and c.index == i for i, c in enumerate(chips))
        ):
            version, sync = sck.version, sck.sync

            def read() -> list[int]:
                if sck.version != version:  # a chip plugged in or out: look again
                    self._drop_reader(handle, gpio)
                    return self._reader(handle, gpio)()
                return [n, sync()]

        elif all(type(p) is LinePin for p in pins):
            read = _Group(pins).read
        else:
            getters = [p._get_state for p in pins]

            def read() -> list[int]:
                bits = 0
                for i, get in enumerate(getters):
                    if get():
                        bits |= 1 << i
                return [n, bits]

        self._readers[(handle, gpio)] = read
        return read


class MeteredFakeLgpio(FakeLgpio):
    """A :class:`FakeLgpio` that adds up the time spent inside its writes and reads
    (``emulation_ns``): the stand-in kernel, mock pins and fake chips, which a benchmark
    subtracts from the reader's CPU time to get the reader's own. Each call also pays for
    its two clock reads (about 0.1 µs), counted as emulation."""

    def __init__(self, factory: MockFactory, **kw: Any) -> None:
        super().__init__(factory, **kw)
        self.emulation_ns = 0

    def gpio_write(self, handle: int, gpio: int, level: int) -> int:
        t = time.perf_counter_ns()
        try:
            return super().gpio_write(handle, gpio, level)
        finally:
            self.emulation_ns += time.perf_counter_ns() - t

    def group_read(self, handle: int, gpio: int) -> list[int]:
        t = time.perf_counter_ns()
        try:
            return super().group_read(handle, gpio)
        finally:
            self.emulation_ns += time.perf_counter_ns() - t
