"""HX711 load-cell ADCs: every chip on one SCK, all DOUTs read together, each on its own clock.

The HX711 talks a two-wire protocol (Avia Semiconductor HX711 datasheet, "Serial Interface" and
Fig. 2; T1-T4 timing):

* DOUT goes low when a conversion is ready;
* each rising edge of PD_SCK shifts out one bit, MSB first, 24 bits of two's complement;
* pulses 25, 26 or 27 pull DOUT high again and choose the next conversion's input
  (25: channel A, gain 128; 26: channel B, gain 32; 27: channel A, gain 64);
* PD_SCK high time is 0.2-50 µs (T3); held high for more than 60 µs it powers the chip down,
  and taking it low again resets it to channel A / gain 128, after which the next conversions
  need the settling time (4 conversions).

:class:`HX711Array` drives any number of chips that share one SCK line, through a pin backend
(:mod:`hardware.pins`: lgpio directly on a Pi, gpiozero's mock pins in tests). One group read
after every falling edge samples every DOUT, so one 25-pulse sweep reads every cell at the same
instant. Each chip converts on its own oscillator, so the driver learns every chip's period and
phase and never starts a sweep that a conversion could land in (:class:`ChipClock`). Each SCK
high phase is timed; a sweep in which one passed 50 µs is thrown away. Saturated and impossible
words, large jumps (the chip health check) and a DOUT stuck low are thrown away too, and every
discard is counted in :attr:`HX711Array.stats`. The spike guard for every source is the core's
(:mod:`balance_trainer.spikes`).

Nothing here loops forever: a chip that never signals data ready raises
:class:`~balance_trainer.errors.SensorTimeout` after ``timeout`` seconds, and a chip whose every
sweep has to be discarded raises :class:`~balance_trainer.errors.SensorFault` in the same time.
"""

from __future__ import annotations

import logging
import time
from collections import Counter, deque
from collections.abc import Callable, Sequence
from typing import Any

from balance_trainer.errors import PinConfigError, SensorError, SensorFault, SensorTimeout

from .pins import (  # noqa: F401 - re-exported: controls and doctor name pins through these
    HX711Pins,
    canonical_pin,
    open_pin,
    open_pins,
    pin_factory_or_default,
    pin_name,
)

log = logging.getLogger(__name__)

BITS = 24
PULSES_PER_SWEEP = 25
"""24 data bits plus one pulse selecting channel A, gain 128 for the next conversion."""
POWER_DOWN_NS = 60_000
"""An SCK high phase longer than this (ns) powers the chips down (datasheet: 60 µs)."""
RESET_HOLD_S = 100e-6
"""How long :meth:`HX711Array.reset` holds SCK high: comfortably past the 60 µs power-down."""
SETTLE_SWEEPS = 4
"""Sweeps dropped after a reset or power-down: the datasheet's settling time is 4 conversions
(50 ms at 80 SPS, 400 ms at 10 SPS), so counting sweeps works whatever the RATE pin says."""
WORD_POS_FULL = 0x7FFFFF
WORD_NEG_FULL = 0x800000
WORD_ALL_ONES = 0xFFFFFF
DEFAULT_MAX_STEP = 1 << 20
"""Largest change (counts) between consecutive readings of one chip taken without confirmation.
About 1/8 of full scale: a flipped high bit or a slipped clock jumps further, a person stepping
on a cell in 12.5 ms does not (and a real step is confirmed by the very next reading)."""
STUCK_LOW_SWEEPS = 3
ERRATIC_WINDOW = 16
ERRATIC_LIMIT = 4
"""A chip with this many spikes in the last ``ERRATIC_WINDOW`` sweeps is returning garbage."""

Clock = Callable[[], float]
Sleep = Callable[[float], None]
Ticks = Callable[[], int]

DISCARD_REASONS = (
    "clock_stretch",
    "collision",
    "learning",
    "unknown_clock",
    "settling",
    "unconfirmed",
    "saturated",
    "all_ones",
    "stuck_low",
    "spike",
)
BENIGN_REASONS = frozenset({"settling", "unconfirmed", "learning"})
"""Discards that are part of normal start-up, not signs of a fault."""


def to_signed(word: int) -> int:
    """The 24-bit two's complement ``word`` as a Python int in [-2**23, 2**23 - 1]."""
    return word - (1 << BITS) if word & 0x800000 else word


def word_problem(word: int) -> str | None:
    """Why a raw 24-bit word cannot be a reading (``"saturated"``, ``"all_ones"``), or None.

    ``0x7FFFFF`` and ``0x800000`` are what the chip outputs when its input is out of range;
    ``0xFFFFFF`` is what a DOUT line that never went low during the sweep reads as.
    """
    if word in (WORD_POS_FULL, WORD_NEG_FULL):
        return "saturated"
    if word == WORD_ALL_ONES:
        return "all_ones"
    return None


class SpikeGuard:
    """Rejects a reading that jumps further than ``max_step`` from the last accepted one,
    unless the reading before it (itself rejected) agrees with it: a real step shows up in two
    readings in a row, a spike in one. After a reset the first reading is only a candidate.
    """

    def __init__(self, n: int, max_step: int | None) -> None:
        self.max_step = max_step
        self.accepted: list[int | None] = [None] * n
        self.candidate: list[int | None] = [None] * n
        self.history = [deque(maxlen=ERRATIC_WINDOW) for _ in range(n)]

    def reset(self) -> None:
        n = len(self.accepted)
        self.accepted = [None] * n
        self.candidate = [None] * n

    def check(self, counts: Sequence[int]) -> tuple[list[int], list[int]]:
        """Update with one sweep; returns ``(spiked, unconfirmed)`` chip indices."""
        spiked: list[int] = []
        unconfirmed: list[int] = []
        step = self.max_step
        for i, c in enumerate(counts):
            acc, cand = self.accepted[i], self.candidate[i]
            if step is None:
                ok = True
            else:
                ok = (acc is not None and abs(c - acc) <= step) or (
                    cand is not None and abs(c - cand) <= step
                )
            if ok:
                self.accepted[i], self.candidate[i] = c, None
                self.history[i].append(False)
            else:
                self.candidate[i] = c
                if acc is None:
                    unconfirmed.append(i)
                else:
                    spiked.append(i)
                    self.history[i].append(True)
        return spiked, unconfirmed

    def erratic(self) -> list[int]:
        """Chips with too many spikes in the recent window."""
        return [i for i, h in enumerate(self.history) if sum(h) >= ERRATIC_LIMIT]


class ChipClock:
    """What the driver knows of one chip's oscillator: its conversion period and phase.

    Learned from the times DOUT is seen falling (a conversion finishing while the chip's
    previous word had been read). A conversion that finishes while DOUT is already low is not
    seen; it is predicted from the period, and its uncertainty grows with each one predicted.
    """

    def __init__(self) -> None:
        self.period: float | None = None
        self.last_conv: float | None = None
        """Time (s) of the latest conversion known to have finished (seen or predicted)."""
        self.unc = 0.0
        """Uncertainty (s, half-width) of ``last_conv``."""
        self.seen: float | None = None
        """Time (s) of the last falling edge actually seen, for learning the period."""
        self.lost = 0
        """Conversions this chip made that were never read cleanly (overwritten, skipped)."""
        self.agreed = 0
        """Period samples in a row that agreed with the estimate; predictions are made only
        from :data:`PERIOD_AGREEMENT` on (one gap measured on a busy machine can be far off)."""

    def forget_phase(self) -> None:
        """After a reset the chip starts converting anew: its phase is unknown, its period
        (the oscillator) is not."""
        self.last_conv = self.seen = None
        self.unc = 0.0

    def observe(self, t: float, unc: float) -> None:
        """DOUT was seen falling at ``t`` ± ``unc`` s."""
        if self.seen is not None and unc <= PERIOD_LEARN_UNC_S:
            gap = t - self.seen
            p = self.period
            if p is None:
                if MIN_PERIOD_S <= gap <= MAX_PERIOD_S:
                    self.period = gap
                    self.agreed = 0
            else:
                n = max(1, round(gap / p))
                sample = gap / n
                if abs(sample - p) <= PERIOD_TOLERANCE * p:
                    gain = PERIOD_GAIN if self.agreed >= PERIOD_AGREEMENT else 0.5
                    self.period = p + gain * (sample - p)
                    self.agreed += 1
                    self.lost += n - 1  # conversions that came and went while DOUT was low
                elif MIN_PERIOD_S <= gap <= MAX_PERIOD_S:
                    self.period = gap  # the estimate was wrong (a first guess, a RATE change)
                    self.agreed = 0
        if unc <= PERIOD_LEARN_UNC_S:
            self.seen = t
        pred = self.next_conv(t - unc)
        if pred is not None:
            # Both the look and the prediction bound the edge: keep what both allow (a look
            # that came late on a busy machine says little the prediction does not).
            lo, hi = max(t - unc, pred[0] - pred[1]), min(t + unc, pred[0] + pred[1])
            if lo <= hi:
                t, unc = (lo + hi) / 2, (hi - lo) / 2
        self.last_conv, self.unc = t, unc

    def next_conv(self, now: float) -> tuple[float, float] | None:
        """The first conversion after ``last_conv`` that may still come at or after ``now``
        - ``unc``: ``(time, uncertainty)``, or None while the period or phase is unknown."""
        if self.period is None or self.last_conv is None or self.agreed < PERIOD_AGREEMENT:
            return None
        k = 1
        while True:
            t = self.last_conv + k * self.period
            unc = self.unc + k * PREDICT_UNC_PER_PERIOD * self.period
            if t + unc >= now:
                return t, unc
            k += 1

    def passed(self, t: float, unc: float) -> None:
        """A predicted conversion at ``t`` has finished unseen (DOUT was already low)."""
        self.last_conv, self.unc = t, unc


HIGH_LIMIT_NS = 50_000
"""Longest SCK high phase (ns) the driver lets pass: the datasheet's T3 maximum (50 µs). Past
60 µs the chips power down; between the two nothing is promised."""
POWER_DOWN_NS = HIGH_LIMIT_NS
WARMUP_READS = 3
"""Group reads of every DOUT just before the first rising edge: they confirm every chip is
still ready and bring the code path and the CPU out of idle, so the first high phase is not
the slowest (the first pulse after a sleep was the longest in 1,907 of 2,000 sweeps)."""
POLL_S = 100e-6
"""Interval between looks at the DOUTs near an expected conversion (s)."""
LEAD_S = 120e-6
"""Wake this long before a chip's next expected conversion (s)."""
IDLE_POLL_S = 1e-3
"""Sleep between looks when no conversion can be expected (s)."""
SWEEP_MARGIN_S = 150e-6
"""Kept free between the end of a sweep and any chip's next conversion (s), beyond the
longest recent sweep: scheduling jitter of a woken process."""
LEARN_SWEEPS = 48
"""Sweeps after a reset that may be spent learning the chips' clocks. A chip whose falling
edge is never seen (DOUT stuck low) is judged by the word checks after that."""
MIN_PERIOD_S, MAX_PERIOD_S = 1 / 150, 1 / 5
PERIOD_LEARN_UNC_S = 1e-3
PERIOD_TOLERANCE = 0.03
PERIOD_GAIN = 0.1
PERIOD_AGREEMENT = 3
PREDICT_UNC_PER_PERIOD = 0.002
"""Growth of a prediction's uncertainty per period predicted ahead (fraction of a period):
the oscillators wander by tenths of a percent."""
HIGH_HISTORY = 25 * 4000
"""High phases kept for percentiles (``record_highs``)."""


class HX711Array:
    """HX711 chips sharing one SCK line, read in parallel, each on its own oscillator.

    Real HX711s convert on their own internal oscillators (about 86-94 Hz with RATE high,
    each drifting against the others), so with one shared SCK a sweep can overlap another
    chip's next conversion, and what that chip shifts out then is undefined. The driver learns
    each chip's period and phase from its DOUT falling edges, sleeps until shortly before the
    next expected conversion (instead of polling), and starts a sweep only when no chip may
    convert before it ends: if one may, it waits for that conversion (the chip's earlier,
    unread one is counted lost) and sweeps after it. A sweep that a conversion was predicted
    to overlap anyway is discarded and counted as lost, never passed on.

    Parameters
    ----------
    dout_pins : sequence of str or int
        One DOUT pin per chip, as gpiozero names pins (``5``, ``"GPIO5"``, ``"BOARD29"``).
        :meth:`read` returns counts in this order.
    sck_pin : str or int
        The shared PD_SCK pin.
    pin_factory : gpiozero pin factory, optional
        Defaults to ``gpiozero.Device.pin_factory`` (lgpio on a Pi, the mock under tests).
    timeout : float
        Seconds :meth:`read` waits for every chip to be ready (and for a usable sweep).
    labels : sequence of str, optional
        What to call each chip in messages, e.g. ``"cell 'left_outer'"``.
    clock, sleep : callables
        Seconds clock and sleep for waiting (inject virtual time in tests).
    ticks : callable
        Nanosecond clock timing each SCK high phase (default :func:`time.perf_counter_ns`).
    poll_interval : float
        Seconds between looks at the DOUT lines near an expected conversion.
    max_step : int or None
        Chip health check threshold in counts (see :class:`SpikeGuard`); None turns it off.
    backend : 'auto', 'lgpio' or 'gpiozero'
        How the lines are driven (see :mod:`hardware.pins`).
    lgpio : module, optional
        An lgpio module to use (a fake one in tests and benchmarks).
    record_highs : bool
        Keep every high phase (ns) in :attr:`highs_ns`, and every sweep's length in
        :attr:`sweeps_ns`, for percentiles.
    schedule : bool
        Learn the chips' clocks and schedule the sweeps (the default). False gives the old
        behaviour, for benchmarks: look every ``poll_interval`` and sweep as soon as every
        chip is ready.

    Raises
    ------
    PinConfigError
        A pin name is unknown, busy, or the same pin is given twice.
    SensorError
        No GPIO library is available.
    """

    def __init__(
        self,
        dout_pins: Sequence[str | int],
        sck_pin: str | int,
        *,
        pin_factory: Any = None,
        timeout: float = 1.0,
        labels: Sequence[str] | None = None,
        clock: Clock = time.monotonic,
        sleep: Sleep = time.sleep,
        ticks: Ticks = time.perf_counter_ns,
        poll_interval: float = POLL_S,
        max_step: int | None = DEFAULT_MAX_STEP,
        backend: str = "auto",
        lgpio: Any = None,
        record_highs: bool = False,
        schedule: bool = True,
    ) -> None:
        if isinstance(dout_pins, (str, int)) or not len(dout_pins):
            raise PinConfigError(
                f"HX711 DOUT pins {dout_pins!r}: give a list with one DOUT pin per chip"
            )
        if not timeout > 0:
            raise PinConfigError(f"HX711 timeout {timeout!r} s: it must be > 0")
        n = len(dout_pins)
        self.labels = list(labels) if labels is not None else [f"chip {i}" for i in range(n)]
        if len(self.labels) != n:
            raise PinConfigError(f"{len(self.labels)} labels for {n} DOUT pins; give one each")
        self.timeout = float(timeout)
        self.clock, self.sleep, self.ticks = clock, sleep, ticks
        self.poll_interval = float(poll_interval)
        self.closed = True
        self.pins: HX711Pins = open_pins(
            sck_pin,
            list(dout_pins),
            self.labels,
            pin_factory=pin_factory,
            backend=backend,
            lgpio=lgpio,
        )
        self.closed = False
        self.sck_name = self.pins.sck_name
        self.dout_names = list(self.pins.dout_names)
        self._all = self.pins.all_mask
        self._guard = SpikeGuard(n, max_step)
        self.chips = [ChipClock() for _ in range(n)]
        self._settle_left = 0
        self._stuck_low = [0] * n
        self._last_reason = ""
        self._sweep_s = 2e-3  # until measured: a slow Pi 3 through gpiozero
        self._recent_sweeps: deque[float] = deque(maxlen=32)
        self._answered = 0
        self._learn_left = LEARN_SWEEPS
        self.schedule = bool(schedule)
        self.highs_ns: deque[int] | None = deque(maxlen=HIGH_HISTORY) if record_highs else None
        self.sweeps_ns: deque[int] | None = deque(maxlen=HIGH_HISTORY) if record_highs else None
        self.last_ready_time: float | None = None
        """Clock time (s) at which the last returned sweep started: every chip was ready then."""
        self.discards: Counter[str] = Counter()
        self.chip_discards: list[Counter[str]] = [Counter() for _ in range(n)]
        self._stats: dict[str, int] = dict(
            sweeps=0,
            frames=0,
            pin_ops=0,
            poll_reads=0,
            wakeups=0,
            resets=0,
            deferred=0,
            max_high_ns=0,
            sweep_ns_total=0,
            sweep_ns_max=0,
        )
        self.reset()

    @property
    def n_chips(self) -> int:
        return len(self.dout_names)

    def close(self) -> None:
        """Leave SCK low (the chips keep running) and release the pins. Safe to call twice."""
        if self.closed:
            return
        self.closed = True
        self.pins.close()

    def __enter__(self) -> HX711Array:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _check_open(self) -> None:
        if self.closed:
            raise SensorError("the HX711 array is closed; open a new one to read again")

    def reset(self) -> None:
        """Power-cycle the chips through SCK (high > 60 µs, then low) and let them settle.

        Afterwards every chip is on channel A, gain 128; the next :data:`SETTLE_SWEEPS`
        sweeps are read (to keep the chips in step, and to learn their clocks) but not
        returned.
        """
        self._check_open()
        self.pins.high()
        self.sleep(RESET_HOLD_S)
        self.pins.low()
        self._settle_left = SETTLE_SWEEPS
        self._learn_left = LEARN_SWEEPS
        self._guard.reset()
        self._stuck_low = [0] * self.n_chips
        for c in self.chips:
            c.forget_phase()
        self._stats["resets"] += 1

    # -- waiting ----------------------------------------------------------------------------
    def _where(self, i: int) -> str:
        return f"{self.labels[i]} (DOUT {self.dout_names[i]})"

    def _wait_ready(self, deadline: float) -> list[int]:
        """Wait until every DOUT is low, noting when each falls; returns the chips still
        high at the deadline.

        Sleeps until :data:`LEAD_S` before the next conversion expected of a chip still
        high, then looks every ``poll_interval``; with nothing to expect (start-up, a chip
        not answering) it looks every :data:`IDLE_POLL_S`.
        """
        read, clock, st = self.pins.read, self.clock, self._stats
        t_prev = clock()
        bits = read()
        st["poll_reads"] += 1
        high = bits & self._all
        self._answered |= self._all & ~high
        while high:
            now = clock()
            if now >= deadline:
                return [i for i in range(self.n_chips) if high >> i & 1]
            wake = None
            for i, c in enumerate(self.chips):
                if high >> i & 1 and self.schedule:
                    nxt = c.next_conv(now)
                    if nxt is None:
                        # Nothing to expect yet: look closely, to learn this chip's clock.
                        wake = now
                    else:
                        w = nxt[0] - nxt[1] - LEAD_S
                        wake = w if wake is None else min(wake, w)
            if wake is None:
                wake = now + (IDLE_POLL_S if self.schedule else self.poll_interval)
            wait = max(self.poll_interval, wake - now)
            self.sleep(min(wait, max(deadline - now, 0.0) + 1e-6))
            st["wakeups"] += 1
            bits = read()
            st["poll_reads"] += 1
            t = clock()
            fell = high & ~bits
            if fell:
                mid, unc = (t + t_prev) / 2, (t - t_prev) / 2
                for i in range(self.n_chips):
                    if fell >> i & 1:
                        self.chips[i].observe(mid, unc)
                high &= bits
                self._answered |= fell
            t_prev = t
        return []

    def _clear_to_sweep(self) -> None:
        """Wait until no chip may convert before a sweep started now would end.

        A chip due to convert too soon is let convert first (its earlier, unread conversion
        is lost and counted); then the others are looked at again.
        """
        for _ in range(2 * self.n_chips + 2 if self.schedule else 0):
            now = self.clock()
            need = now + self._sweep_budget()
            soonest: tuple[float, float, int] | None = None
            for i, c in enumerate(self.chips):
                nxt = c.next_conv(now)
                if nxt is not None and nxt[0] - nxt[1] <= need:
                    if soonest is None or nxt[0] < soonest[0]:
                        soonest = (nxt[0], nxt[1], i)
            if soonest is None:
                return
            t, unc, i = soonest
            wait = t + unc + self.poll_interval - self.clock()
            if wait > 0:
                self.sleep(wait)
                self._stats["wakeups"] += 1
            # The chip's unread conversion is overwritten: counted lost when its next falling
            # edge is seen two periods after the last one.
            self.chips[i].passed(t, unc)
            self._stats["deferred"] += 1

    def _sweep_budget(self) -> float:
        # The 90th percentile of recent sweeps: one preempted sweep should not make every
        # later one wait; a sweep that runs long anyway is checked afterwards (_overlapped).
        recent = sorted(self._recent_sweeps)
        longest = recent[int(0.9 * (len(recent) - 1))] if recent else self._sweep_s
        return longest + SWEEP_MARGIN_S

    # -- the sweep --------------------------------------------------------------------------
    def _sweep(self) -> tuple[list[int], int, list[bool], bool]:
        """Clock 25 pulses; return (words, longest high phase ns, DOUT-still-low per chip,
        every DOUT was low just before the first rising edge)."""
        ticks, high, low, read = self.ticks, self.pins.high, self.pins.low, self.pins.read
        all_low = True
        for _ in range(WARMUP_READS):
            if read() & self._all:
                all_low = False
        ticks()
        if not all_low:
            self._stats["poll_reads"] += WARMUP_READS
            return [], 0, [], False
        samples = [0] * BITS
        highs = [0] * PULSES_PER_SWEEP
        start = ticks()
        for k in range(BITS):
            # Time the high phase from just before the rising write to just after the falling
            # one: an upper bound, so a sweep that passes the check truly stayed under it.
            t0 = ticks()
            high()
            low()
            highs[k] = ticks() - t0
            # Sample after the falling edge: DOUT holds the bit until the next rising edge,
            # and one group read of every DOUT keeps the loop short.
            samples[k] = read()
        t0 = ticks()
        high()
        low()
        highs[BITS] = ticks() - t0
        # After pulse 25 every chip drives DOUT high until its next conversion; a DOUT still
        # low now, with a word of all zeros, is a line stuck low (short to GND, no chip).
        after = read()
        elapsed = ticks() - start
        n = self.n_chips
        words = []
        for i in range(n):
            w = 0
            for sample in samples:
                w = (w << 1) | (sample >> i & 1)
            words.append(w)
        still_low = [not (after >> i & 1) for i in range(n)]
        longest = max(highs)
        if self.highs_ns is not None and self.sweeps_ns is not None:
            self.highs_ns.extend(highs)
            self.sweeps_ns.append(elapsed)
        st = self._stats
        st["sweeps"] += 1
        st["pin_ops"] += 2 * PULSES_PER_SWEEP + BITS + 1 + WARMUP_READS
        st["sweep_ns_total"] += elapsed
        if elapsed > st["sweep_ns_max"]:
            st["sweep_ns_max"] = elapsed
        if longest > st["max_high_ns"]:
            st["max_high_ns"] = longest
        self._recent_sweeps.append(elapsed / 1e9)
        return words, longest, still_low, True

    def _overlapped(self, t0: float, t1: float) -> list[int]:
        """Chips with a conversion predicted inside the sweep that ran from t0 to t1."""
        out = []
        for i, c in enumerate(self.chips):
            nxt = c.next_conv(t0)
            if nxt is not None and nxt[0] - nxt[1] <= t1:
                out.append(i)
        return out

    def _discard(self, reason: str, chips: Sequence[int] = ()) -> None:
        self._last_reason = reason
        self.discards[reason] += 1
        for i in chips:
            self.chip_discards[i][reason] += 1
        log.debug("HX711 sweep discarded: %s %s", reason, ", ".join(self._where(i) for i in chips))

    def _judge(self, words: list[int], longest_ns: int, still_low: list[bool]) -> list[int] | None:
        """The sweep's signed counts, or None when it must be discarded (reason counted)."""
        if longest_ns > HIGH_LIMIT_NS:
            # The chips may have powered down mid-sweep and reset when SCK fell: this sweep
            # is garbage and the next conversions are unsettled.
            self._discard("clock_stretch")
            self._settle_left = SETTLE_SWEEPS
            self._learn_left = LEARN_SWEEPS
            for c in self.chips:
                c.forget_phase()
            return None
        if self._settle_left > 0:
            self._settle_left -= 1
            self._discard("settling")
            return None
        bad: dict[str, list[int]] = {}
        for i, w in enumerate(words):
            problem = word_problem(w)
            if problem is None and w == 0 and still_low[i]:
                problem = "stuck_low"
                self._stuck_low[i] += 1
            else:
                self._stuck_low[i] = 0
            if problem is not None:
                bad.setdefault(problem, []).append(i)
        if bad:
            for reason, chips in bad.items():
                self._discard(reason, chips)
            stuck = [i for i, k in enumerate(self._stuck_low) if k >= STUCK_LOW_SWEEPS]
            if stuck:
                raise self._fault(
                    stuck,
                    "DOUT stays low after the 25th clock pulse and reads all zeros: "
                    "the line is shorted to GND or no HX711 drives it; check its wiring and "
                    "that the chip has power",
                )
            return None
        counts = [to_signed(w) for w in words]
        spiked, unconfirmed = self._guard.check(counts)
        if spiked or unconfirmed:
            if unconfirmed:
                self._discard("unconfirmed", unconfirmed)
            if spiked:  # last, so a spike is never taken for benign start-up
                self._discard("spike", spiked)
            erratic = self._guard.erratic()
            if erratic:
                raise self._fault(
                    erratic,
                    f"returns erratic readings ({ERRATIC_LIMIT} or more jumps of over "
                    f"{self._guard.max_step} counts in {ERRATIC_WINDOW} sweeps): check its "
                    "power, ground and the SCK/DOUT wires (keep them short, away from mains)",
                )
            return None
        return counts

    def _fault(self, chips: Sequence[int], what: str) -> SensorFault:
        exc = SensorFault("; ".join(f"{self._where(i)} {what}" for i in chips))
        exc.chips = list(chips)  # type: ignore[attr-defined]
        return exc

    def read(self) -> list[int]:
        """Wait for every chip, read one sweep, and return signed counts in ``dout_pins`` order.

        Sweeps that cannot be trusted (clock high past 50 µs, settling after a reset, a
        conversion predicted inside the sweep, saturated or impossible words, a spike, a DOUT
        stuck low) are discarded and counted, and the next sweep is read, until ``timeout``
        runs out.

        Returns
        -------
        list of int
            One count per chip, each in [-2**23 + 1, 2**23 - 2], never 0x7FFFFF/0x800000/-1.

        Raises
        ------
        SensorTimeout
            A chip never signalled data ready within ``timeout`` s (the message names its DOUT).
        SensorFault
            Every sweep within ``timeout`` had to be discarded, or a chip is stuck or erratic.
        """
        self._check_open()
        deadline = self.clock() + self.timeout
        self._answered = 0
        while True:
            cycle_start = self.clock()
            waiting = self._wait_ready(deadline)
            if waiting:
                silent = [i for i in waiting if not self._answered >> i & 1]
                if silent:
                    raise self._timeout(silent)
                raise self._gave_up()  # every chip answered; nothing it said was usable
            self._clear_to_sweep()
            ready_at = self.clock()
            words, longest, still_low, started = self._sweep()
            if not started:
                continue  # a DOUT rose again before the first edge: wait for it once more
            done_at = self.clock()
            overlapped = self._overlapped(ready_at, done_at) if self.schedule else []
            unknown = [i for i, c in enumerate(self.chips) if c.next_conv(done_at) is None]
            if not self.schedule:
                unknown = []
            if longest > HIGH_LIMIT_NS or self._settle_left > 0:
                counts = self._judge(words, longest, still_low)
            elif overlapped:
                for i in overlapped:
                    self.chips[i].lost += 1
                self._discard("collision", overlapped)
                counts = None
            else:
                counts = self._judge(words, longest, still_low)
                if counts is not None and unknown:
                    # Until a chip's clock is known nothing says its word was not shifted
                    # out while it converted: such a reading is not passed on. Learning is
                    # part of start-up for a while, then a fault (a chip whose edges come
                    # irregularly, a machine too busy to time them).
                    if self._learn_left > 0:
                        self._learn_left -= 1
                        self._discard("learning", unknown)
                    else:
                        self._discard("unknown_clock", unknown)
                    counts = None
            if counts is not None:
                self._stats["frames"] += 1
                self.last_ready_time = ready_at
                return counts
            if self._last_reason in BENIGN_REASONS:
                # Settling after a reset proves the chips answer; its time does not count
                # against the timeout. It is bounded: only a reset or a (counted) stretched
                # sweep starts it.
                deadline += self.clock() - cycle_start
            elif self.clock() >= deadline:
                raise self._gave_up()

    def _timeout(self, waiting: list[int]) -> SensorTimeout:
        where = ", ".join(self._where(i) for i in waiting)
        exc = SensorTimeout(
            f"{where}: no data ready within {self.timeout:g} s (DOUT stayed high); check the "
            "chip's wiring (DOUT, SCK, VCC, GND) and that it has power: an unplugged or "
            "unpowered HX711 looks like this"
        )
        exc.chips = list(waiting)  # type: ignore[attr-defined]
        return exc

    def _gave_up(self) -> SensorFault:
        recent = {r: c for r, c in self.discards.items() if c}
        if recent.get("clock_stretch") and not any(
            recent.get(r) for r in ("saturated", "all_ones", "spike", "stuck_low")
        ):
            exc = SensorFault(
                f"every HX711 sweep for {self.timeout:g} s held SCK high past 50 µs (longest "
                f"{self._stats['max_high_ns'] / 1000:.0f} µs): the system is too busy for "
                "bit-banging; let the reader run at a higher priority (see hardware/README.md)"
            )
            exc.chips = []  # type: ignore[attr-defined]
            return exc
        per_chip = []
        chips = []
        for i, c in enumerate(self.chip_discards):
            if c:
                chips.append(i)
                reasons = ", ".join(f"{k.replace('_', ' ')} x{v}" for k, v in c.most_common())
                per_chip.append(f"{self._where(i)}: {reasons}")
        hint = (
            "a saturated chip reads full scale: its load cell is overloaded, or a wire "
            "(E+, E-, A+, A-) is loose or swapped"
        )
        exc = SensorFault(
            f"no usable HX711 reading for {self.timeout:g} s; discarded sweeps: "
            f"{'; '.join(per_chip) or dict(recent)}; {hint}"
        )
        exc.chips = chips  # type: ignore[attr-defined]
        return exc

    # -- counters ---------------------------------------------------------------------------
    @property
    def stats(self) -> dict[str, Any]:
        """Counters for ``doctor`` and logs.

        Keys: ``sweeps``, ``frames`` (readings returned), ``discarded`` (total) and
        ``discard_reasons`` (reason -> count), ``chip_discards`` (per chip, reason -> count),
        ``resets``, ``pin_ops`` (writes and group reads in sweeps), ``poll_reads`` (group
        reads while waiting), ``wakeups`` (sleeps ended), ``deferred`` (sweeps put off so a
        chip could convert first), ``max_high_ns`` (longest SCK high phase seen),
        ``sweep_ns_total``, ``sweep_ns_max`` (time spent clocking, ns), ``lost`` (per chip,
        conversions known never to have been read cleanly), ``periods_s`` (each chip's
        learned conversion period, None until learned), ``backend``.
        """
        out: dict[str, Any] = dict(self._stats)
        out["discarded"] = sum(self.discards.values())
        out["discard_reasons"] = dict(self.discards)
        out["chip_discards"] = [dict(c) for c in self.chip_discards]
        out["dout_pins"] = list(self.dout_names)
        out["sck_pin"] = self.sck_name
        out["lost"] = [c.lost for c in self.chips]
        out["periods_s"] = [c.period for c in self.chips]
        out["backend"] = self.pins.kind
        return out
