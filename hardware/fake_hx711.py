"""Fake HX711 chips on gpiozero's mock pins, following the datasheet bit by bit.

Modelled on gpiozero's ``MockSPIDevice``: a fake chip hangs off the mock SCK pin and reacts to
each of its state changes, and drives its own mock DOUT pin. Behaviour (Avia HX711 datasheet):

* a conversion every 1/rate s on the chip's own oscillator: measured chips run at about
  86-94 Hz with RATE high (nominally 80) and about 10-12 Hz with RATE low, each wandering
  slowly (a fraction of a percent) against the others; DOUT goes low when one is ready;
* each SCK rising edge shifts out the next bit, MSB first; pulse 25, 26 or 27 pulls DOUT high
  and picks the next conversion's input (A/128, B/32, A/64);
* SCK high for more than 60 µs powers the chip down (DOUT high); SCK low again resets it to
  channel A, gain 128, and the next 4 conversions are unsettled;
* an input out of range saturates the word at 0x7FFFFF / 0x800000;
* a conversion that finishes before the previous one was read overwrites it (an overrun);
* a conversion that finishes while a word is being shifted out is not held back: the output
  register takes the new word and the following pulses shift out the new word from its MSB,
  so the word read is the old one's first bits followed by the new one's first bits (the
  2^k - 1 words builders report, bogde/HX711 issues #28 and #83); that read is corrupt and
  both conversions are lost.

The fake is lazy rather than threaded: an SCK edge only has its time stamped, once for every
chip on the line, and the chips act on the edges and catch up with their clock when a DOUT is
next read, with SCK low (:mod:`.fake_hx711_lines`), so their Python does not count as SCK-high
time, which a real chip's silicon does not add either. With a :class:`VirtualClock` everything
is deterministic, and with the real clock it keeps real time. Scripted faults
(:class:`ChipFaults`): DOUT stuck high or low, saturation, spikes, garbage words, late data,
RATE pin low, extra noise, drift, a stuck data bit.

Ground truth for tests and benchmarks: every conversion is kept in ``history`` and counted
(``conversions``, ``clean_reads``, ``corrupt_reads``, ``overruns``), so a test can check that
no reading the driver passed on is one the chip did not convert.
"""

from __future__ import annotations

import functools
import math
import random
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from gpiozero.pins.mock import MockFactory

from balance_trainer.constants import STANDARD_GRAVITY

# Re-exported: the faults moved to fake_hx711_faults.
from .fake_hx711_faults import FAULT_KINDS as FAULT_KINDS
from .fake_hx711_faults import ChipFaults as ChipFaults
from .fake_hx711_faults import parse_fault as parse_fault

# Re-exported: the wires (SCK edges, DOUT levels) moved to fake_hx711_lines, the clock to
# virtual_clock.
from .fake_hx711_lines import HISTORY as HISTORY
from .fake_hx711_lines import POWER_DOWN_S as POWER_DOWN_S
from .fake_hx711_lines import FakeClockPin as FakeClockPin
from .fake_hx711_lines import FakeDoutPin as FakeDoutPin
from .virtual_clock import VirtualClock as VirtualClock

SETTLE_CONVERSIONS = 4
RATES_SPS = (10.0, 80.0)
"""Nominal rates of the RATE pin (low, high); real chips run faster (see RATE_HIGH_HZ)."""
RATE_HIGH_HZ = (86.0, 94.0)
"""Measured conversion rates with RATE high (issue 12's desk review): each chip its own."""
RATE_LOW_FACTOR = 8.0
"""RATE low is one eighth of RATE high on the same oscillator."""
WANDER = 0.002
"""Oscillator wander: the rate moves by up to this fraction, slowly (temperature)."""
WANDER_PERIOD_S = 240.0
FULL_SCALE = (1 << 23) - 1
MODES = {25: ("A", 128), 26: ("B", 32), 27: ("A", 64)}

Value = int | float | Callable[[float], float]


def _take_pin(factory: MockFactory, name: str | int, pin_class: type, what: str) -> Any:
    pin = factory.pin(name, pin_class=pin_class)
    if not isinstance(pin, pin_class):
        raise ValueError(
            f"{what} {name!r} was opened before the fake chips were made; create the fake "
            "chips first, then the driver"
        )
    return pin


class FakeHX711:
    """One fake HX711 on mock pins.

    Parameters
    ----------
    dout, sck : pin names
        The chip's DOUT and the (possibly shared) SCK.
    pin_factory : MockFactory
        Where the pins live; the driver under test must use the same factory.
    clock : callable
        Seconds; a :class:`VirtualClock` for deterministic tests.
    rate : float
        Conversions per second of this chip's oscillator (86-94 measured with RATE high, the
        nominal 80 is fine too; about 11 with RATE low).
    wander, wander_period_s : float
        The rate wanders by up to this fraction, sinusoidally over this period (s).
    value : int, float or callable(t) -> counts
        Channel A (gain 128) input, in counts, at conversion time t. Out-of-range saturates.
    value_b : int, float or callable
        Channel B (gain 32) input in counts.
    noise_counts : float
        Standard deviation of Gaussian noise added to each conversion (counts).
    phase_s : float
        Time of the first conversion after the chip is made (s after ``clock()``).
    faults : ChipFaults
        Scripted misbehaviour.
    seed : int
        Seeds this chip's noise and garbage.
    """

    MODE_AFTER_25 = MODES[25]
    """What 25 pulses select for the next conversion (channel A, gain 128)."""

    def __init__(
        self,
        dout: str | int,
        sck: str | int,
        *,
        pin_factory: MockFactory,
        clock: Callable[[], float] = time.perf_counter,
        rate: float = 80.0,
        value: Value = 0,
        value_b: Value = 0,
        noise_counts: float = 0.0,
        phase_s: float = 0.0,
        faults: ChipFaults | None = None,
        seed: int = 0,
        name: str = "",
        wander: float = 0.0,
        wander_period_s: float = WANDER_PERIOD_S,
    ) -> None:
        self.faults = faults or ChipFaults()
        rate = float(self.faults.rate or rate)
        if not 1.0 <= rate <= 200.0:
            raise ValueError(
                f"HX711 rate {rate!r}: an HX711 converts at about 10 (RATE low) or 80-94 "
                "(RATE high) samples/s"
            )
        self.rate = rate
        self.period = 1.0 / rate
        self.wander = float(wander)
        self.wander_period_s = float(wander_period_s)
        self.clock = clock
        self.name = name or f"HX711@{dout}"
        self.value, self.value_b = value, value_b
        self.noise_counts = float(noise_counts) * self.faults.noise_factor
        self._rng = random.Random(seed)
        self._wander_phase = self._rng.uniform(0.0, 2 * math.pi)
        self.sck = _take_pin(pin_factory, sck, FakeClockPin, "SCK pin")
        self.dout = _take_pin(pin_factory, dout, FakeDoutPin, "DOUT pin")
        if self.dout.chip is not None:
            raise ValueError(f"DOUT pin {dout!r} already has a fake chip on it")
        now = clock()
        self.t0 = now
        # -- state -------------------------------------------------------------------------
        self.mode = MODES[25]
        self.next_mode = MODES[25]
        self._pos = 0
        self.word = 0
        self.ready = False
        self.powered_down = False
        self.settle_left = SETTLE_CONVERSIONS
        self.stuck = self.faults.stuck is not None
        self._bit = 0
        self.corrupt = False
        self._next_conv = now + phase_s
        self.index = 0
        self.mask = 1
        """This chip's bit in its SCK's ``levels`` (set by :meth:`FakeClockPin.attach`)."""
        # -- counters ----------------------------------------------------------------------
        self.conversions = 0
        self.overruns = 0
        self.power_downs = 0
        self._pulses = 0
        self.reads = 0
        self.premature_pulses = 0
        self.protocol_errors = 0
        self.clean_reads = 0
        self.corrupt_reads = 0
        self.landings = 0
        """Conversions that finished while a word was being shifted out."""
        self.last_read_clean: bool | None = None
        """Whether the latest word shifted out (25th pulse) was whole: ground truth for
        tests that no corrupted word is passed on."""
        self.pulses_per_read: deque[int] = deque(maxlen=HISTORY)
        self.history: deque[tuple[float, int, bool]] = deque(maxlen=HISTORY)
        """(conversion time, signed value, settled) of recent conversions."""
        self.sck.attach(self)
        self.dout.chip = self
        self._drive(self.faults.stuck == "high" if self.stuck else True)

    def close(self) -> None:
        """Unplug the chip: its DOUT floats and SCK no longer reaches it."""
        self.sck.detach(self)
        if self.dout.chip is self:
            self.dout.chip = None

    # While a sweep is served from the SCK's table (see fake_hx711_lines) the chip's own
    # position lags; these read the position the chip really is at.
    @property
    def shift_pos(self) -> int:
        """Pulses since the word began shifting out (0: none; 25-27: done)."""
        sck = self.sck
        return sck._lock_pos if sck._lock_pos > 0 and self.mask & sck._lock_mask else self._pos

    @property
    def bit(self) -> int:
        """Bits of the output register shifted out so far (restarts when a conversion lands
        mid-read)."""
        sck = self.sck
        return sck._lock_pos if sck._lock_pos > 0 and self.mask & sck._lock_mask else self._bit

    @property
    def pulses(self) -> int:
        """SCK pulses this chip has seen."""
        sck = self.sck
        lock = sck._lock_pos if sck._lock_pos > 0 and self.mask & sck._lock_mask else 0
        return self._pulses + lock

    def _drive(self, level: bool) -> None:
        sck = self.sck
        if level:
            sck.levels |= self.mask
        else:
            sck.levels &= ~self.mask

    # -- scripting ---------------------------------------------------------------------------
    def delay_next(self, seconds: float) -> None:
        """Make the next conversion ``seconds`` late (one-off late data); the ones after it
        follow at the usual period."""
        self._next_conv += seconds
        self.sck.next_due = -math.inf

    def set_rate(self, rate: float) -> None:
        """Change the oscillator's rate (Hz) from the next conversion on: a RATE pin that
        changes, an oscillator that jumps. The conversion already under way keeps its time."""
        self.update()
        self.rate = float(rate)
        self.period = 1.0 / self.rate

    # -- the model ---------------------------------------------------------------------------
    def _input(self, t: float) -> float:
        channel, gain = self.mode
        src = self.value if channel == "A" else self.value_b
        v = src(t) if callable(src) else float(src)
        if gain == 64:
            v /= 2.0
        v += self.faults.drift_counts_per_s * (t - self.t0)
        if self.noise_counts:
            v += self._rng.gauss(0.0, self.noise_counts)
        return v

    def period_at(self, t: float) -> float:
        """The oscillator's conversion period (s) at time ``t``."""
        if not self.wander:
            return self.period
        w = math.sin(2 * math.pi * (t - self.t0) / self.wander_period_s + self._wander_phase)
        return self.period / (1.0 + self.wander * w)

    def _word(self, t: float) -> tuple[int, int, bool]:
        f = self.faults
        v = self._input(t)
        settled = self.settle_left == 0
        if not settled:
            # The digital filter's step response after reset: partway to the true value.
            k = SETTLE_CONVERSIONS - self.settle_left + 1
            v *= k / (SETTLE_CONVERSIONS + 1)
            self.settle_left -= 1
        counts = int(round(v))
        counts = max(-FULL_SCALE - 1, min(FULL_SCALE, counts))
        word = counts & 0xFFFFFF
        if f.saturate == "high":
            word = 0x7FFFFF
        elif f.saturate == "low":
            word = 0x800000
        if f.spike_every and self.conversions % f.spike_every == 0:
            word ^= 1 << 22
        if f.garbage:
            word = self._rng.choice((0xFFFFFF, self._rng.getrandbits(24)))
        if f.stuck_bit is not None:
            word |= 1 << f.stuck_bit
        signed = word - (1 << 24) if word & 0x800000 else word
        return word, signed, settled

    def update(self, now: float | None = None) -> None:
        """Catch up with the clock (every chip on this SCK): act on the clock edges not yet
        handled, power down if SCK has been high too long, latch any finished conversion."""
        self.sck.sync(now)

    def advance(self, edges: Sequence[float], now: float | None, rise: float | None) -> None:
        """Act on the rising edges at times ``edges``, then catch up with ``now`` (None: not
        now, SCK is falling after a power-down); ``rise`` is when SCK went high if it is."""
        if edges:
            self._shift(edges)
        if self.powered_down or now is None:
            return
        if rise is not None and now - rise > POWER_DOWN_S:
            self.powered_down = True
            self.power_downs += 1
            self._drive(True)
            return
        if now >= self._next_conv + self.faults.late_s:
            self._catch_up(now)

    def due(self) -> float:
        """When this chip's next conversion finishes (s)."""
        return self._next_conv + self.faults.late_s

    def _catch_up(self, now: float) -> None:
        """Every conversion that has finished by ``now``, in order."""
        gap = now - self.due()
        if gap > 8 * self.period and not 1 <= self._pos <= 24:
            # Nobody read the chip for a while: each of these overwrote the one before.
            skip = int(gap // self.period) - 2
            self.conversions += skip
            self.overruns += skip - (0 if self.ready else 1)
            self.settle_left = max(0, self.settle_left - skip)
            self._next_conv += skip * self.period
            self.ready = True
        while now >= self.due():
            conv_t = self._next_conv
            self._next_conv = conv_t + self.period_at(conv_t)
            if 1 <= self._pos <= 24:
                self._land_mid_read(conv_t)
            else:
                self._latch(conv_t)

    def _latch(self, t: float) -> None:
        if self._pos >= 25:
            self.pulses_per_read.append(self._pos)
            if self.next_mode != self.mode:
                self.mode = self.next_mode
                self.settle_left = SETTLE_CONVERSIONS
        self._pos = 0
        self._bit = 0
        self.corrupt = False
        if self.ready:
            self.overruns += 1
        self.conversions += 1
        self.word, signed, settled = self._word(t)
        self.history.append((t, signed, settled))
        self.ready = True
        self._drive(False)

    def _land_mid_read(self, t: float) -> None:
        """A conversion finishing while the word is shifted out: the register takes the new
        word and the next pulses shift it out from its MSB."""
        self.conversions += 1
        self.landings += 1
        self.word, signed, settled = self._word(t)
        self.history.append((t, signed, settled))
        # Once all 24 bits are out the word read is whole; only the new conversion is lost.
        self.corrupt = self.corrupt or self._bit < 24
        self._bit = 0

    def _shift(self, edges: Sequence[float]) -> None:
        """Act on rising edges in order, with any conversion that finished between them."""
        for te in edges:
            if not self.powered_down and te >= self._next_conv + self.faults.late_s:
                self._catch_up(te)
            self._pulses += 1
            if self._pos == 0 and not self.ready:
                self.premature_pulses += 1  # clocked while no data was ready
                continue
            self._pos += 1
            pos = self._pos
            if pos <= 24:
                self._bit += 1
                b = self._bit
                self._drive(bool((self.word >> (24 - b)) & 1) if b <= 24 else True)
            elif pos <= 27:
                if pos == 25:
                    self.ready = False
                    self.reads += 1
                    if self.corrupt:
                        self.corrupt_reads += 1
                    else:
                        self.clean_reads += 1
                    self.last_read_clean = not self.corrupt
                    self._drive(True)
                self.next_mode = MODES[pos]
            else:
                self.protocol_errors += 1

    def wake(self, now: float) -> None:
        """SCK low after a power-down: reset to channel A / 128 and start converting again."""
        if not self.powered_down:
            self.power_downs += 1
        self.powered_down = False
        self.mode = self.next_mode = MODES[25]
        self._pos = 0
        self._bit = 0
        self.corrupt = False
        self.ready = False
        self.settle_left = SETTLE_CONVERSIONS
        self._next_conv = now + self.period_at(now)
        self._drive(True)


class FakeHX711Bank:
    """Several fake chips on one shared SCK, as on the real board.

    Parameters
    ----------
    dout_pins : sequence of pin names
    sck_pin : pin name
    pin_factory : MockFactory, optional
        A fresh one by default (available as ``.pin_factory``).
    clock : callable
        Seconds (pass ``VirtualClock().now`` for deterministic tests).
    values : sequence of int/float/callable
        Each chip's channel A input (counts); see :class:`FakeHX711`.
    faults : mapping of chip index -> ChipFaults
    phases : sequence of float, optional
        Each chip's first conversion time (s from now); default spreads them over a period.
    rates : sequence of float, optional
        Each chip's own conversion rate (Hz), overriding ``rate``.
    wander : float
        Each chip's oscillator wanders by up to this fraction (see :class:`FakeHX711`).
    pin_op_s : float
        With a :class:`VirtualClock`, every SCK edge moves the clock on by this much (a real
        pin write takes about 1 µs on a Pi 4 through lgpio): what lets a sweep overlap a
        conversion in virtual time.
    """

    def __init__(
        self,
        dout_pins: Sequence[str | int],
        sck_pin: str | int,
        *,
        pin_factory: MockFactory | None = None,
        clock: Callable[[], float] = time.perf_counter,
        rate: float = 80.0,
        values: Sequence[Value] | None = None,
        noise_counts: float = 0.0,
        faults: dict[int, ChipFaults] | None = None,
        phases: Sequence[float] | None = None,
        seed: int = 0,
        names: Sequence[str] | None = None,
        rates: Sequence[float] | None = None,
        wander: float = 0.0,
        pin_op_s: float = 0.0,
    ) -> None:
        self.pin_factory = pin_factory if pin_factory is not None else MockFactory()
        self.clock = clock
        n = len(dout_pins)
        chip_rates = [float(r) for r in rates] if rates is not None else [float(rate)] * n
        if len(chip_rates) != n:
            raise ValueError(f"{len(chip_rates)} rates for {n} fake chips; give one each")
        values = list(values) if values is not None else [0] * n
        faults = dict(faults or {})
        if phases is None:
            phases = [(i + 0.5) / (n + 1) / rate for i in range(n)]
        self.sck = _take_pin(self.pin_factory, sck_pin, FakeClockPin, "SCK pin")
        self.chips = [
            FakeHX711(
                d,
                sck_pin,
                pin_factory=self.pin_factory,
                clock=clock,
                rate=chip_rates[i],
                value=values[i],
                noise_counts=noise_counts,
                phase_s=phases[i],
                faults=faults.get(i),
                seed=seed * 1009 + i,
                name=(names[i] if names else ""),
                wander=wander,
            )
            for i, d in enumerate(dout_pins)
        ]
        self.monitor = self.sck
        """The SCK line's own counts (``rising_edges``, ``longest_high_s``, ...)."""
        if pin_op_s:
            vc = getattr(clock, "__self__", clock)
            if not isinstance(vc, VirtualClock):
                raise TypeError("pin_op_s needs a VirtualClock")
            # advance, not sleep: a pin write is work, not a sleep that may wake late.
            self.sck.op_cost = functools.partial(vc.advance, float(pin_op_s))

    def preempt(self, rising_edge: int, seconds: float) -> None:
        """On the ``rising_edge``-th rising edge from now (1 = the next), stall the virtual
        clock by ``seconds`` while SCK is high, as a preempted reader would."""
        self.monitor._preempt[self.monitor.rising_edges + rising_edge] = seconds

    def stall_low(self, falling_edge: int, seconds: float) -> None:
        """After the ``falling_edge``-th falling edge from now, stall the virtual clock by
        ``seconds`` with SCK low, just before DOUT is next read: a reader preempted between
        two pulses. The chips do not power down (SCK is low), but a conversion may now finish
        inside the sweep."""
        self.monitor._stall_low[self.monitor.falling_edges + falling_edge] = seconds

    @property
    def rising_edges(self) -> int:
        return int(self.monitor.rising_edges)

    def stats(self) -> dict[str, Any]:
        """Counters summed over the chips (and the SCK edge count)."""
        return {
            "conversions": [c.conversions for c in self.chips],
            "overruns": [c.overruns for c in self.chips],
            "power_downs": [c.power_downs for c in self.chips],
            "reads": [c.reads for c in self.chips],
            "clean_reads": [c.clean_reads for c in self.chips],
            "corrupt_reads": [c.corrupt_reads for c in self.chips],
            "landings": [c.landings for c in self.chips],
            "rates_hz": [c.rate for c in self.chips],
            "sck_rising_edges": self.monitor.rising_edges,
            "longest_high_us": self.monitor.longest_high_s * 1e6,
        }

    def close(self) -> None:
        for c in self.chips:
            c.close()


# --- what the fake chips feel: an empty board or a person standing ----------------------------


@dataclass(frozen=True)
class FakeBoardSpec:
    """Everything needed to build a bank of fake chips for a board, picklable so the reader
    process can build it on its side.

    offsets : counts each cell reads with no load; scales : N per count (the "true" calibration).
    load : 'empty' or 'person' (steps on after ``step_on_s`` and stands, swaying gently).
    """

    dout_pins: tuple[str | int, ...]
    sck_pin: str | int
    x_mm: tuple[float, ...]
    y_mm: tuple[float, ...]
    offsets: tuple[int, ...]
    scales: tuple[float, ...]
    load: str = "person"
    rate: float | None = None
    """One rate for every chip, or None: each chip its own, seeded in 86-94 Hz (RATE high)."""
    wander: float = WANDER
    noise_counts: float = 40.0
    mass_kg: float = 70.0
    step_on_s: float = 2.0
    seed: int = 0
    faults: tuple[tuple[int, ChipFaults], ...] = field(default_factory=tuple)

    @classmethod
    def for_cells(
        cls,
        dout_pins: Sequence[str | int],
        sck_pin: str | int,
        x_mm: Sequence[float],
        y_mm: Sequence[float],
        *,
        seed: int = 0,
        **kw: Any,
    ) -> FakeBoardSpec:
        """Seeded, plausible offsets (counts) and scales (about 0.04 g per count) per cell."""
        rng = random.Random(seed)
        n = len(dout_pins)
        offsets = tuple(rng.choice((-1, 1)) * rng.randint(20_000, 150_000) for _ in range(n))
        scales = tuple(2.5e-4 * (1 + rng.uniform(-0.05, 0.05)) for _ in range(n))
        return cls(
            tuple(dout_pins),
            sck_pin,
            tuple(map(float, x_mm)),
            tuple(map(float, y_mm)),
            offsets,
            scales,
            seed=seed,
            **kw,
        )

    def value_functions(self) -> list[Value]:
        """Each chip's channel A input, counts as a function of time (s since the bank began)."""
        n = len(self.dout_pins)
        if self.load == "empty":
            return [float(o) for o in self.offsets]
        if self.load != "person":
            raise ValueError(f"fake board load {self.load!r}: use 'empty' or 'person'")
        forces = _person_forces(self.x_mm, self.y_mm, self.mass_kg, self.step_on_s, self.seed)
        return [_counts_of(forces, i, self.offsets[i], self.scales[i]) for i in range(n)]

    def chip_rates(self) -> list[float]:
        """Each chip's conversion rate (Hz)."""
        n = len(self.dout_pins)
        if self.rate is not None:
            return [float(self.rate)] * n
        rng = random.Random(self.seed + 11)
        return [round(rng.uniform(*RATE_HIGH_HZ), 2) for _ in range(n)]

    def build(
        self,
        pin_factory: MockFactory | None = None,
        clock: Callable[[], float] = time.perf_counter,
        pin_op_s: float = 0.0,
    ) -> FakeHX711Bank:
        t0 = clock()
        values = self.value_functions()
        shifted = [v if not callable(v) else _shift(v, t0) for v in values]
        return FakeHX711Bank(
            self.dout_pins,
            self.sck_pin,
            pin_factory=pin_factory,
            clock=clock,
            rates=self.chip_rates(),
            wander=self.wander,
            pin_op_s=pin_op_s,
            values=shifted,
            noise_counts=self.noise_counts,
            faults=dict(self.faults),
            seed=self.seed,
        )


def _shift(f: Callable[[float], float], t0: float) -> Callable[[float], float]:
    return lambda t: f(t - t0)


def _counts_of(
    forces: Callable[[float], list[float]], i: int, offset: int, scale: float
) -> Callable[[float], float]:
    return lambda t: offset + forces(t)[i] / scale


def _person_forces(
    x_mm: Sequence[float], y_mm: Sequence[float], mass_kg: float, step_on_s: float, seed: int
) -> Callable[[float], list[float]]:
    """Forces (N) under each cell for a person who steps on and then stands, swaying.

    The forces are the least-norm split of the body weight whose centre of pressure is the
    sway path: sum F = W, sum F x = W cop_x, sum F y = W cop_y (y only if the cells span it).
    """
    import numpy as np

    x = np.asarray(x_mm, dtype=float)
    y = np.asarray(y_mm, dtype=float)
    rows = [np.ones_like(x), x]
    use_y = bool(np.ptp(y) >= 1.0)
    if use_y:
        rows.append(y)
    pinv = np.linalg.pinv(np.vstack(rows))  # shape (n, 2 or 3)
    coef = [tuple(float(v) for v in row) for row in pinv]
    rng = random.Random(seed + 7)
    # A few slow sinusoids: quiet-stance sway of a few mm, a little faster medio-laterally.
    ml = [(rng.uniform(2, 4), rng.uniform(0.1, 0.6), rng.uniform(0, 6.3)) for _ in range(3)]
    ap = [(rng.uniform(3, 6), rng.uniform(0.05, 0.4), rng.uniform(0, 6.3)) for _ in range(3)]
    weight = mass_kg * STANDARD_GRAVITY
    cache: dict[float, list[float]] = {}

    def forces(t: float) -> list[float]:
        hit = cache.get(t)
        if hit is not None:
            return hit
        ramp = min(max((t - step_on_s) / 0.5, 0.0), 1.0)
        w = weight * ramp
        cx = sum(a * math.sin(2 * math.pi * f * t + p) for a, f, p in ml)
        cy = sum(a * math.sin(2 * math.pi * f * t + p) for a, f, p in ap)
        b = (w, w * cx, w * cy) if use_y else (w, w * cx)
        out = [sum(c * v for c, v in zip(row, b, strict=True)) for row in coef]
        if len(cache) > 64:
            cache.clear()
        cache[t] = out
        return out

    return forces
