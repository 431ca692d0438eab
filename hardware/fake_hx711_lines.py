"""The fake HX711s' wires: a shared SCK that timestamps each edge once, DOUT levels in one mask.

On a Pi the chips shift in silicon; here their Python would run inside the reader's pin write,
i.e. while SCK is high, and count as SCK-high time that no real chip adds. So the edge path
does the least a wire can: :class:`FakeClockPin` reads the clock once per edge (the time the
line changed, shared by every chip on it), notes a rising edge in a list, and checks a falling
edge's high phase against the power-down limit. The chips act on those edges only when a
DOUT is next looked at (:meth:`FakeClockPin.sync`), with SCK low.

Looking costs O(1) in the usual case too: every chip's DOUT level is one bit of
``FakeClockPin.levels`` (bit ``chip.index``), and while all chips shift out the words they
latched before the sweep and no conversion is due (``now < next_due``), the 24 data pulses are
served from one bit-transposed table of all the words (``(table >> (pulse - 1) * n) & mask``),
built once per sweep, instead of per chip per pulse, and pulse 25 ends every chip's clean read
in one pass. Anything else (a conversion landing mid-read, a chip not ready, power-down,
pulses 26-27) drops to the chips' exact per-edge model
(:meth:`hardware.fake_hx711.FakeHX711.advance`); both give the same levels and counters
(``tests/hardware/test_fake_hx711_lines.py`` checks them against each other).
"""

from __future__ import annotations

import functools
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from gpiozero.exc import PinSetInput
from gpiozero.pins.mock import MockPin, MockSPIClockPin

from .virtual_clock import VirtualClock

POWER_DOWN_S = 60e-6
"""SCK high for longer than this powers an HX711 down (datasheet)."""
DATA_BITS = 24
HISTORY = 256
"""Pin state changes each mock pin remembers (gpiozero keeps all; a live board would leak)."""
INF = float("inf")

__all__ = ["FakeClockPin", "FakeDoutPin", "POWER_DOWN_S", "HISTORY", "spread_tables"]


class _BoundedHistory:
    def clear_states(self) -> None:  # same as MockPin's, but bounded
        self._last_change = time.monotonic()
        self.states = deque([self._history_entry()], maxlen=HISTORY)

    def _history_entry(self) -> Any:
        from gpiozero.pins.mock import PinState

        return PinState(0.0, self._state)  # type: ignore[attr-defined]


@functools.cache
def spread_tables(stride: int) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
    """Byte tables that spread a 24-bit word's bits, MSB first, ``stride`` bits apart.

    ``t0[w >> 16] | t1[(w >> 8) & 255] | t2[w & 255]`` has bit 23 of ``w`` at position 0,
    bit 22 at ``stride``, ..., bit 0 at ``23 * stride``: OR-ing chip i's spread shifted by i
    gives, in bits ``[(p - 1) * stride, p * stride)``, every chip's DOUT after pulse p.
    """

    def table(first_pulse: int) -> tuple[int, ...]:
        out = []
        for byte in range(256):
            v = 0
            for j in range(8):
                if byte >> (7 - j) & 1:
                    v |= 1 << ((first_pulse + j) * stride)
            out.append(v)
        return tuple(out)

    return table(0), table(8), table(16)


class FakeClockPin(_BoundedHistory, MockSPIClockPin):  # type: ignore[misc]
    """The shared SCK: stamps every edge once, keeps the DOUT levels of the chips on it.

    Other ``spi_devices`` (test helpers) are still told of every change, after the chips'
    bookkeeping. ``rising_edges``, ``falling_edges`` and ``longest_high_s`` count what the
    line did; ``preempt``/``stall_low`` (set through :class:`~hardware.fake_hx711.FakeHX711Bank`)
    script a reader preempted with SCK high or low.
    """

    _state: bool
    op_cost: Callable[[], None] | None = None
    stall_pending: Callable[[], None] | None = None
    """Set by a scripted preemption: runs at the next look at a DOUT (see
    :meth:`hardware.fake_hx711.FakeHX711Bank.stall_low`)."""
    lockstep = True
    """Serve the data pulses of a clean sweep from the transposed table (False: per chip, for
    tests that compare the two)."""

    def __init__(self, factory: Any, info: Any) -> None:
        super().__init__(factory, info)
        self.clock: Callable[[], float] | None = None
        self.chips: list[Any] = []
        """The chips on this SCK by index; None where one was unplugged."""
        self.levels = 0
        """Every chip's DOUT level, bit ``chip.index``."""
        self.rises: list[float] = []
        """Rising-edge times the chips have not acted on yet."""
        self.rise_t: float | None = None
        self.rising_edges = 0
        self.falling_edges = 0
        self.longest_high_s = 0.0
        self.next_due = -INF
        """No chip's conversion is due before this (s): until then a look needs no catch-up."""
        self.version = 0
        self.table_looks = 0
        """Looks served from the transposed table (the rest went chip by chip)."""
        self._preempt: dict[int, float] = {}
        self._stall_low: dict[int, float] = {}
        self._holes = False
        self._lock_pos = -1
        self._lock_table = 0
        self._lock_mask = 0

    # -- chips --------------------------------------------------------------------------------
    def attach(self, chip: Any) -> None:
        """Put ``chip`` on this SCK: it gets the next DOUT bit and this line's edges."""
        if self.clock is None:
            self.clock = chip.clock
        elif chip.clock != self.clock:
            raise ValueError(
                f"fake chip {chip.name} has another clock than the chips already on its SCK; "
                "give every chip on one SCK the same clock"
            )
        self._unlock()
        chip.index = len(self.chips)
        chip.mask = 1 << chip.index
        self.chips.append(chip)
        self.next_due = -INF
        self.version += 1

    def detach(self, chip: Any) -> None:
        if chip.index < len(self.chips) and self.chips[chip.index] is chip:
            self._unlock()
            self.chips[chip.index] = None
            self.levels &= ~chip.mask
            self._holes = True
            self.version += 1

    # -- edges --------------------------------------------------------------------------------
    def _set_state(self, value: Any) -> None:
        if self._function != "output":
            raise PinSetInput(f"cannot set state of pin {self!r}")
        if self.op_cost is not None:
            self.op_cost()
        value = bool(value)
        if value == self._state:
            return  # a wire written with the level it has makes no edge
        clock = self.clock
        now = clock() if clock is not None else 0.0  # the one clock read of this edge
        self._state = value
        if value:
            self.rising_edges += 1
            self.rise_t = now
            self.rises.append(now)
            if self._preempt:
                stall = self._preempt.pop(self.rising_edges, None)
                if stall:
                    self.virtual().advance(stall)
        else:
            self.falling_edges += 1
            rise = self.rise_t
            self.rise_t = None
            if rise is not None:
                high = now - rise
                if high > self.longest_high_s:
                    self.longest_high_s = high
                if high > POWER_DOWN_S:
                    self._long_high(now)
            if self._stall_low:
                stall = self._stall_low.pop(self.falling_edges, None)
                if stall:
                    # After the falling write has returned, before DOUT is read: the high phase
                    # the driver times is not stretched, but time passes inside the sweep.
                    self.stall_pending = functools.partial(self.virtual().advance, stall)
        for dev in self.spi_devices:
            dev.on_clock()

    def _long_high(self, now: float) -> None:
        """SCK fell after more than 60 µs high: the chips powered down, and wake now."""
        self._unlock()
        edges = self.rises
        if edges:
            edges.pop()  # the long pulse itself shifts nothing: it is a reset
        for chip in self.chips:
            if chip is not None and not chip.stuck:
                chip.advance(edges, None, None)
                chip.wake(now)
        edges.clear()
        self.next_due = -INF

    def virtual(self) -> Any:
        """The :class:`~hardware.virtual_clock.VirtualClock` behind this line's clock."""
        clock = self.clock
        vc = clock if isinstance(clock, VirtualClock) else getattr(clock, "__self__", None)
        if not isinstance(vc, VirtualClock):
            raise TypeError("preemption can only be scripted on a VirtualClock")
        return vc

    # -- looks --------------------------------------------------------------------------------
    def sync(self, now: float | None = None) -> int:
        """Bring every chip up to ``now`` (the clock by default); the DOUT levels mask."""
        stall = self.stall_pending
        if stall is not None:
            self.stall_pending = None
            stall()
        if now is None:
            now = self.clock() if self.clock is not None else 0.0
        if now < self.next_due and self.rise_t is None:
            edges = self.rises
            if not edges:
                return self.levels
            pos = self._lock_pos
            if pos < 0 and self.lockstep:
                pos = self._try_lock()
            if pos >= 0:
                q = pos + len(edges)
                if q <= DATA_BITS:
                    # Nothing converts before now: every chip just shifts its word's next bit.
                    edges.clear()
                    self._lock_pos = q
                    self.table_looks += 1
                    m = self._lock_mask
                    plane = self._lock_table >> ((q - 1) * len(self.chips))
                    self.levels = (self.levels & ~m) | (plane & m)
                    return self.levels
                if q == DATA_BITS + 1:
                    # Pulse 25 of a word no conversion landed in: every chip's read is clean.
                    edges.clear()
                    self.table_looks += 1
                    self._finish_lock()
                    return self.levels
        return self._sync_each(now)

    def _finish_lock(self) -> None:
        """Pulse 25 for every chip in the table: the word read whole, DOUT high until the
        next conversion, the next one on channel A / 128 (what ``FakeHX711._shift`` does)."""
        m, self._lock_pos = self._lock_mask, -1
        for chip in self.chips:
            if chip.mask & m:
                chip._pos = DATA_BITS + 1
                chip._bit = DATA_BITS
                chip._pulses += DATA_BITS + 1
                chip.ready = False
                chip.reads += 1
                chip.clean_reads += 1
                chip.last_read_clean = True
                chip.next_mode = chip.MODE_AFTER_25
        self.levels |= m

    def _sync_each(self, now: float) -> int:
        self._unlock()
        edges, rise = self.rises, self.rise_t
        due = INF
        for chip in self.chips:
            if chip is not None and not chip.stuck:
                chip.advance(edges, now, rise)
                d = chip.due()
                if d < due:
                    due = d
        edges.clear()
        self.next_due = due
        return self.levels

    def _try_lock(self) -> int:
        """Start serving a sweep from the table if every chip is about to shift a whole word."""
        if self._holes:
            return -1
        n = len(self.chips)
        t0, t1, t2 = spread_tables(n)
        table = mask = 0
        for chip in self.chips:
            if chip.stuck:
                continue
            if chip.powered_down or not chip.ready or chip._pos != 0:
                return -1
            w = chip.word
            table |= (t0[w >> 16] | t1[(w >> 8) & 255] | t2[w & 255]) << chip.index
            mask |= chip.mask
        self._lock_table, self._lock_mask, self._lock_pos = table, mask, 0
        return 0

    def _unlock(self) -> None:
        """Hand the chips back their own state after pulses served from the table."""
        pos, self._lock_pos = self._lock_pos, -1
        if pos <= 0:
            return
        for chip in self.chips:
            if chip is not None and chip.mask & self._lock_mask:
                chip._pos = chip._bit = pos
                chip._pulses += pos


class FakeDoutPin(_BoundedHistory, MockPin):  # type: ignore[misc]
    """A DOUT line driven by a fake chip. With no chip it floats to its pull (high if pulled
    up, as the real driver does, or if floating: an unplugged HX711 reads not-ready)."""

    chip: Any = None

    def _get_state(self) -> bool:
        chip = self.chip
        if chip is None:
            return bool(self._pull != "down")
        return bool(chip.sck.sync() & chip.mask)

    def _set_pull(self, value: str) -> None:
        if self.chip is None:
            super()._set_pull(value)
        else:
            # The chip's push-pull output overrides the pull resistor.
            self._pull = value
