"""A stand-in for the ``lgpio`` module over gpiozero's mock pins, where the fake chips live.

It offers the part of lgpio's Python API the HX711 path and gpiozero's lgpio pins use
(``gpiochip_open``, ``gpio_claim_output``, ``group_claim_input``, ``group_read``,
``gpio_write``, ``gpio_read``, ``gpio_get_mode``, ...), with lgpio's conventions: lines
claimed once (a second claim fails as "GPIO busy"), ``group_read`` returning
``[group size, levels]`` with bit i for the i-th line of the group, errors raised as
``error``. So :class:`hardware.pins.LgpioPins` runs, in tests and benchmarks, against the same
fake chips as the gpiozero path. The kernel's ioctl time is not modelled (it adds the same to
both paths).
"""

from __future__ import annotations

import time
from typing import Any

from gpiozero.pins.mock import MockFactory

SET_PULL_NONE = 128
SET_PULL_UP = 32
SET_PULL_DOWN = 64
SET_BIAS_DISABLE, SET_BIAS_PULL_UP, SET_BIAS_PULL_DOWN = SET_PULL_NONE, SET_PULL_UP, SET_PULL_DOWN
BOTH_EDGES, RISING_EDGE, FALLING_EDGE = 3, 1, 2
GPIO_IS_OUT = 1 << 1
GPIO_IS_BIAS_PULL_UP = 1 << 5


class error(Exception):  # noqa: N801 - lgpio's own name for it
    """lgpio's exception."""


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
        del self._handles[handle]
        return 0

    def _check(self, handle: int) -> None:
        if handle not in self._handles:
            raise error("unknown handle")

    def _pin(self, line: int) -> Any:
        pin = self._line_pins.get(line)
        if pin is None:
            pin = self._line_pins[line] = self.factory.pin(line)
        return pin

    # -- claims -------------------------------------------------------------------------------
    def _claim(self, handle: int, line: int, mode: str, flags: int) -> None:
        self._check(handle)
        held = self._claims.get(line)
        if held is not None and held[0] != handle:
            raise error("GPIO busy")
        pin = self._pin(line)
        pin.function = "output" if mode == "output" else "input"
        if mode == "input":
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
        return 0

    def gpio_free(self, handle: int, gpio: int) -> int:
        self._check(handle)
        self._claims.pop(gpio, None)
        return 0

    def group_free(self, handle: int, gpio: int) -> int:
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
        held = self._claims.get(gpio)
        if held is None or held[0] != handle or held[1] != "output":
            raise error("GPIO not an output")
        self._pin(gpio).state = bool(level)
        return 0

    def gpio_read(self, handle: int, gpio: int) -> int:
        self.calls += 1
        if gpio not in self._claims:
            raise error("GPIO not allocated")
        return int(bool(self._pin(gpio).state))

    def group_read(self, handle: int, gpio: int) -> list[int]:
        self.calls += 1
        lines = self._groups.get((handle, gpio))
        if lines is None:
            raise error("GPIO not allocated")
        bits = 0
        for i, line in enumerate(lines):
            if self._line_pins[line].state:
                bits |= 1 << i
        return [len(lines), bits]


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
