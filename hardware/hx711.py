"""HX711 load-cell ADCs: every chip on one SCK, all DOUTs read together, each on its own clock.

The HX711 talks a two-wire protocol (Avia Semiconductor HX711 datasheet, "Serial Interface" and
Fig. 2; T1-T4 timing):

* DOUT goes low when a conversion is ready;
* each rising edge of PD_SCK shifts out one bit, MSB first, 24 bits of two's complement;
* pulses 25, 26 or 27 pull DOUT high again and choose the next conversion's input
  (25: channel A, gain 128; 26: channel B, gain 32; 27: channel A, gain 64);
* PD_SCK high time is 0.2-50 µs (T3); held high for more than 60 µs it powers the chip down,
  and taking it low again resets it to channel A / gain 128, after which the next conversions
  need the settling time (4 conversions). These figures live in :mod:`hardware.hx711_protocol`.

:class:`HX711Array` drives any number of chips that share one SCK line, through a pin backend
(:mod:`hardware.pins`: lgpio directly on a Pi, gpiozero's mock pins in tests). One group read
after every falling edge samples every DOUT, so one 25-pulse sweep reads every cell at the same
instant. Each chip converts on its own oscillator, so the driver learns every chip's period and
phase to plan its sweeps (:class:`ChipClock`), and after every sweep checks, without trusting
the plan, that no conversion can have landed in it (:func:`verify`). Each SCK
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
from operator import sub
from typing import Any

from balance_trainer.errors import PinConfigError, SensorError, SensorFault

from .hx711_errors import gave_up_error, timeout_error
from .hx711_health import (  # noqa: F401 - re-exported
    DEFAULT_MAX_STEP,
    ERRATIC_LIMIT,
    ERRATIC_WINDOW,
    STUCK_LOW_SWEEPS,
    SpikeGuard,
)
from .hx711_plan import plan_cycle
from .hx711_protocol import (  # noqa: F401 - re-exported: tests and benchmarks name them here
    BENIGN_REASONS,
    BITS,
    DISCARD_REASONS,
    HIGH_LIMIT_NS,
    POWER_DOWN_NS,
    PULSES_PER_SWEEP,
    RESET_HOLD_S,
    SETTLE_SWEEPS,
    WORD_ALL_ONES,
    WORD_NEG_FULL,
    WORD_POS_FULL,
    Sweep,
    to_signed,
    word_problem,
    words_of,
)
from .hx711_timing import (  # noqa: F401 - re-exported: tests and doctor name them here
    MAX_RATE_HZ,
    PREDICT_UNC_PER_PERIOD,
    V2_GUARD,
    ChipClock,
    verify,
)
from .pins import (  # noqa: F401 - re-exported: controls and doctor name pins through these
    HX711Pins,
    canonical_pin,
    open_pin,
    open_pins,
    pin_factory_or_default,
    pin_name,
)

log = logging.getLogger(__name__)

Clock = Callable[[], float]
Sleep = Callable[[float], None]
Ticks = Callable[[], int]

WARMUP_READS = 3
"""Group reads of every DOUT just before the first rising edge, each after SCK is written low
again (no edge): they confirm every chip is still ready and bring both code paths and the CPU
out of idle, so the first high phase is not the slowest (the first pulse after a sleep was the
longest in 1,907 of 2,000 sweeps)."""
POLL_S = 100e-6
"""Interval between looks at the DOUTs near an expected conversion (s)."""
LEAD_S = 60e-6
"""Look at least this long before a chip's next expected conversion (s); more when wake-ups
come late (see :meth:`HX711Array._lead`): on a busy machine a woken process is 50-100 µs late
(measured here under SCHED_FIFO, p50-p99), sometimes more."""
FRESH_LOOK_S = 250e-6
"""A look this recent (s) stands in for the one a wait would begin with."""
IDLE_POLL_S = 1e-3
"""Interval between looks while every chip's period is known but a phase is not (s): after a
reset, each edge is found within this, and then pinned down by the plan's probes."""
SWEEP_MARGIN_S = 150e-6
"""Kept free between the end of a sweep and any chip's next conversion (s), beyond the
longest recent sweep: scheduling jitter of a woken process."""
LATE_S = 2e-3
"""A chip this much later than planned is relearned from close looks (s)."""
_SPECIAL_WORDS = frozenset({0, WORD_POS_FULL, WORD_NEG_FULL, WORD_ALL_ONES})
"""Words :meth:`HX711Array._judge` must look at closely (saturated, all ones, maybe stuck)."""
_WORD_SPAN = 1 << BITS
HIGH_HISTORY = 25 * 4000
"""High phases kept for percentiles (``record_highs``)."""


class HX711Array:
    """HX711 chips sharing one SCK line, read in parallel, each on its own oscillator.

    Real HX711s convert on their own internal oscillators (about 86-94 Hz with RATE high,
    each drifting against the others), so with one shared SCK a sweep can overlap another
    chip's next conversion, and what that chip shifts out then is undefined. The driver learns
    each chip's period and phase from its DOUT falling edges and plans every cycle
    (:meth:`_plan`): the sweep just after the last chip's conversion and clear of any due
    inside it, and the few looks at the DOUTs the check will need (about two wake-ups a
    frame). After the sweep a check that does not trust the plan
    (:func:`~hardware.hx711_timing.verify`) decides: a word that a conversion may have met is
    counted lost and the sweep discarded, never passed on.

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
        Learn the chips' clocks and plan the looks and sweeps (the default). False gives the
        old behaviour, for benchmarks: look every ``poll_interval`` and sweep as soon as every
        chip is ready (the check after the sweep still applies).

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
        inf = float("-inf")
        self._high_at = [inf] * n
        """Per chip: time (s) just before the last look that saw its DOUT high."""
        self._low_at = [inf] * n
        """Per chip: time (s) just after the first look since then that saw it low."""
        self._was_high = 0
        self._looked_at = inf
        """When the last look ended (s)."""
        self._read_at = float("inf")  # no sweep yet: no wait after one is known
        self._waited = [0.0] * n
        """Per chip: the longest it was seen still converting after a sweep read it (s), a
        lower bound on its period whatever else is known (see
        :func:`~hardware.hx711_errors.slow_chips`)."""
        self._probing = False
        self._lateness: deque[float] = deque([0.0], maxlen=64)
        self._bit_range = range(BITS)
        self._raws: list[Any] = [None] * BITS
        self._ups = [0] * PULSES_PER_SWEEP
        self._downs = [0] * PULSES_PER_SWEEP
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
        self._guard.reset()
        # The chips restart: nothing seen before says anything of their words now.
        self._high_at[:] = [float("-inf")] * self.n_chips
        self._low_at[:] = [float("-inf")] * self.n_chips
        self._was_high = 0
        self._looked_at = float("-inf")
        self._read_at = float("inf")  # no sweep since the reset
        self._stuck_low = [0] * self.n_chips
        for c in self.chips:
            c.forget_phase()
        self._stats["resets"] += 1

    # -- waiting ----------------------------------------------------------------------------
    def _where(self, i: int) -> str:
        return f"{self.labels[i]} (DOUT {self.dout_names[i]})"

    def _note_look(self, t_before: float, t_after: float, bits: int) -> None:
        """Record one look at every DOUT, taken between ``t_before`` and ``t_after`` (s).

        A DOUT high means no unread word: ``_high_at`` (the V1 bound) moves on. A DOUT that
        was high at the last look and is low now had a conversion finish in between: that
        edge teaches the chip's clock and is the start of its word's life (``_low_at``).
        """
        every = self._all
        bits &= every
        fell = self._was_high & ~bits
        high_at, low_at, chips = self._high_at, self._low_at, self.chips
        if bits == every:  # the common look: no chip has a word yet
            high_at[:] = [t_before] * len(high_at)
            self._was_high = bits
            return
        if not fell:  # nothing changed but some chips are waiting to be read
            for i in range(len(high_at)):
                if bits >> i & 1:
                    high_at[i] = t_before
            self._answered |= every & ~bits
            self._was_high = bits
            return
        for i in range(len(high_at)):
            m = 1 << i
            if bits & m:
                high_at[i] = t_before
            elif fell & m:
                lo = high_at[i]
                low_at[i] = t_after
                if lo - self._read_at > self._waited[i]:
                    self._waited[i] = lo - self._read_at
                chips[i].observe((lo + t_after) / 2, (t_after - lo) / 2)
        self._answered |= self._all & ~bits
        self._was_high = bits

    def _look(self) -> int:
        clock = self.clock
        t_b = clock()
        bits = self.pins.read()
        self._looked_at = t_a = clock()
        self._note_look(t_b, t_a, bits)
        self._stats["poll_reads"] += 1
        return bits & self._all

    def _wait_ready(self, deadline: float) -> list[int]:
        """Wait until every DOUT is low and the planned sweep time has come; returns the chips
        still high at the deadline.

        Each cycle is planned (:meth:`_plan`): the sweep time, and the few looks that make its
        check (:func:`~hardware.hx711_timing.verify`) hold for every chip. Usually that is one
        look shortly before the first chip's conversion and the wake-up for the sweep. A plan
        that meets a surprise (a chip early or late) is made again from what was seen.
        """
        clock, st, poll = self.clock, self._stats, self.poll_interval
        # Right after a sweep its own look after the 25th pulse is as good as a new one (no
        # conversion is planned that close to a sweep's end), and skipping a look can only
        # leave the check with less, never with a sighting that did not happen.
        high = self._was_high if clock() - self._looked_at < FRESH_LOOK_S else self._look()
        expected: dict[int, float] = {}
        filled = 0  # chips in ``expected`` (bit i = chip i)
        earliest = float("inf")  # the soonest of ``expected``: before it, no chip is late
        plan: tuple[float, list[float]] | None = None
        planned_for = -1
        while True:
            now = clock()
            if now >= deadline and high:
                return [i for i in range(self.n_chips) if high >> i & 1]
            if plan is not None and not high and now >= plan[0]:
                return []  # as planned: every chip low, the sweep's time has come
            if high != planned_for or self._probing:
                # Planned again only when a chip's DOUT changed or a probe needs its next look
                # (a plan costs about as much as a sweep's own Python).
                plan = self._plan(now, high) if self.schedule else None
                planned_for = high
            if plan is None:
                if not high:
                    return []
                # Nothing to plan by (yet). While a chip's period is still being learned,
                # look closely (a period sample needs its edge within 300 µs); when only
                # phases were lost (a reset), a coarse look finds each edge within a period
                # and the plan's probes pin it down at the next one.
                wake = now + (IDLE_POLL_S if self.schedule and self._periods_known() else poll)
            else:
                start, looks = plan
                late = False
                if high:  # only a chip still high can be late
                    if high & ~filled:
                        for i in range(self.n_chips):
                            if high >> i & 1 and i not in expected:
                                nxt = self.chips[i].next_conv(now)
                                if nxt is not None:
                                    expected[i] = nxt[0] + nxt[1]
                                    filled |= 1 << i
                                    earliest = min(earliest, expected[i])
                    if now > earliest:  # some chip is past its expected conversion
                        for i, hi in list(expected.items()):
                            if high >> i & 1 and now > hi + LATE_S:
                                # Far later than its clock said (a RATE change, a missed
                                # reset): relearn it from close looks.
                                self.chips[i].agreed = 0
                                del expected[i]
                                filled &= ~(1 << i)
                        earliest = min(expected.values(), default=float("inf"))
                        late = any(
                            high >> i & 1 and hi < now <= hi + LATE_S for i, hi in expected.items()
                        )
                if late:
                    wake = now + poll  # a little late (a busy machine, a drifting chip)
                elif not high and now >= start:
                    return []
                else:
                    wake = min([t for t in looks if t > now] + [start])
            now = clock()  # planning took time: sleep from now, not from before it
            self.sleep(min(max(wake - now, 1e-6), max(deadline - now, 0.0) + 1e-6))
            st["wakeups"] += 1
            self._lateness.append(max(0.0, clock() - max(wake, now)))
            high = self._look()

    def _periods_known(self) -> bool:
        """Every chip's period is known (its phase may not be)."""
        return all(c.known for c in self.chips)

    def _plan(self, now: float, high: int) -> tuple[float, list[float]] | None:
        """The sweep time and the looks before it (:func:`~hardware.hx711_plan.plan_cycle`),
        or None while a chip's clock is not known."""
        got = plan_cycle(
            self.chips,
            now,
            high,
            self._high_at,
            self._low_at,
            self._sweep_budget(),
            self._lead(),
            self.poll_interval,
        )
        if got is None:
            self._probing = False
            return None
        start, looks, self._probing = got
        return start, looks

    def _lead(self) -> float:
        """How long before a conversion to look (s): the 90th percentile of how late recent
        wake-ups were, plus :data:`LEAD_S`."""
        recent = sorted(self._lateness)
        return recent[int(0.9 * (len(recent) - 1))] + LEAD_S

    def _sweep_budget(self) -> float:
        # The 90th percentile of recent sweeps: one preempted sweep should not make every
        # later one wait; a sweep that runs long anyway is caught by the check (verify).
        recent = sorted(self._recent_sweeps)
        longest = recent[int(0.9 * (len(recent) - 1))] if recent else self._sweep_s
        return longest + SWEEP_MARGIN_S

    # -- the sweep --------------------------------------------------------------------------
    def _sweep(self) -> Sweep | None:
        """Clock 25 pulses and read every DOUT after each falling edge; None when a DOUT was
        high again just before the first rising edge (nothing clocked)."""
        clock, ticks, decode, mask = self.clock, self.ticks, self.pins.decode, self._all
        hi, lo, rd = self.pins.high, self.pins.low, self.pins.read_raw
        raws, ups, downs = self._raws, self._ups, self._downs
        start_t = clock()
        for _ in range(WARMUP_READS):
            # SCK written low where it is low (no edge) warms the write path as the read
            # warms the read: measured through real lgpio after an 8 ms sleep, the first
            # high phase p50 6.0 -> 2.4 µs, p99 9.3 -> 4.2 µs (mid-sweep 1.8 / 2.9).
            lo()
            if decode(rd()) & mask:
                self._stats["poll_reads"] += WARMUP_READS
                self._look()
                return None
        # The hot loop: pre-bound callables and preallocated lists only, one group read per
        # falling edge kept raw (decoded after the last pulse), high phase timed from just
        # before the rising write to just after the falling one (an upper bound).
        start = ticks()
        for k in self._bit_range:
            ups[k] = ticks()
            hi()
            lo()
            downs[k] = ticks()
            raws[k] = rd()
        t25 = clock()
        ups[BITS] = ticks()
        hi()
        lo()
        downs[BITS] = ticks()
        # After pulse 25 every chip drives DOUT high until its next conversion (datasheet).
        t_after = clock()
        after = decode(rd()) & mask
        elapsed = ticks() - start
        end_t = clock()
        words = words_of([decode(r) & mask for r in raws], self.n_chips)
        highs = list(map(sub, downs, ups))
        longest = max(highs)
        if self.highs_ns is not None and self.sweeps_ns is not None:
            self.highs_ns.extend(highs)
            self.sweeps_ns.append(elapsed)
        sweep = Sweep(
            words, longest, after, start_t, end_t, list(self._high_at), list(self._low_at)
        )
        # What the sweep tells of the next cycle: the 25th pulse left no unread word (a
        # datasheet fact, not a look), and the look after it is a look.
        self._high_at[:] = [t25] * self.n_chips
        self._read_at = t25
        self._was_high = mask
        self._note_look(t_after, end_t, after)
        self._looked_at = end_t
        st = self._stats
        st["sweeps"] += 1
        st["pin_ops"] += 2 * PULSES_PER_SWEEP + BITS + 1 + 2 * WARMUP_READS
        st["sweep_ns_total"] += elapsed
        if elapsed > st["sweep_ns_max"]:
            st["sweep_ns_max"] = elapsed
        if longest > st["max_high_ns"]:
            st["max_high_ns"] = longest
        self._recent_sweeps.append(elapsed / 1e9)
        return sweep

    def _discard(self, reason: str, chips: Sequence[int] = ()) -> None:
        self._last_reason = reason
        self.discards[reason] += 1
        for i in chips:
            self.chip_discards[i][reason] += 1
        log.debug("HX711 sweep discarded: %s %s", reason, ", ".join(self._where(i) for i in chips))

    def _judge(self, sw: Sweep) -> list[int] | None:
        """The sweep's signed counts, or None when it must be discarded (reason counted)."""
        if sw.longest_ns > HIGH_LIMIT_NS:
            # Past T3 (50 µs) the word is not trusted. Past 60 µs the chips may have powered
            # down and reset when SCK fell: their next conversions are unsettled and their
            # phases start anew. Between the two they cannot have (the datasheet's power-down
            # needs more than 60 µs, and the time measured is an upper bound): the chips
            # carry on, and only this sweep is lost.
            self._discard("clock_stretch")
            if sw.longest_ns > POWER_DOWN_NS:
                self._settle_left = SETTLE_SWEEPS
                for c in self.chips:
                    c.forget_phase()
            return None
        if self._settle_left > 0:
            self._settle_left -= 1
            self._discard("settling")
            return None
        bad: dict[str, list[int]] = {}
        after, stuck_low = sw.after, self._stuck_low
        for i, w in enumerate(sw.words):
            if w not in _SPECIAL_WORDS:  # the usual case: a plain, non-zero word
                stuck_low[i] = 0
                continue
            low_after = not after >> i & 1
            problem = word_problem(w)
            if problem is None and w == 0 and low_after:
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
        # DOUT low right after the 25th pulse: a conversion finished at the very end of the
        # shift, where the datasheet promises nothing. Its word is not trusted (rare: a few
        # µs in a period), the new one is read next.
        landed = (
            [] if after == self._all else [i for i in range(self.n_chips) if not after >> i & 1]
        )
        high_at, low_at, start, end = sw.high_at, sw.low_at, sw.start, sw.end
        unverified = [
            i
            for i, c in enumerate(self.chips)
            if i not in landed and verify(c, high_at[i], low_at[i], start, end) is not None
        ]
        if landed or unverified:
            if landed:
                self._discard("landed", landed)
            if unverified:
                self._discard("unverified", unverified)
            return None
        counts = [w - _WORD_SPAN if w & WORD_NEG_FULL else w for w in sw.words]  # to_signed
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
        conversion that may have finished inside the sweep, saturated or impossible words, a
        spike, a DOUT stuck low) are discarded and counted, and the next sweep is read, until
        ``timeout`` runs out.

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
                    raise timeout_error(self, silent)
                raise gave_up_error(self)  # every chip answered; nothing it said was usable
            sw = self._sweep()
            if sw is None:
                continue  # a DOUT rose again before the first edge: wait for it once more
            counts = self._judge(sw)
            if counts is None:
                for c in self.chips:
                    c.lost += 1  # every word of a discarded sweep: made, never passed on
            else:
                self._stats["frames"] += 1
                self.last_ready_time = sw.start
                return counts
            if self._last_reason in BENIGN_REASONS:
                # Settling after a reset proves the chips answer; its time does not count
                # against the timeout. It is bounded: only a reset or a (counted) stretched
                # sweep starts it.
                deadline += self.clock() - cycle_start
            elif self.clock() >= deadline:
                raise gave_up_error(self)

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
