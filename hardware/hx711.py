"""HX711 load-cell ADCs on gpiozero's pin API: every chip on one SCK, all DOUTs read together.

The HX711 talks a two-wire protocol (Avia Semiconductor HX711 datasheet, "Serial Interface"):

* DOUT goes low when a conversion is ready;
* each rising edge of PD_SCK shifts out one bit, MSB first, 24 bits of two's complement;
* pulses 25, 26 or 27 pull DOUT high again and choose the next conversion's input
  (25: channel A, gain 128; 26: channel B, gain 32; 27: channel A, gain 64);
* PD_SCK held high for more than 60 µs powers the chip down; taking it low again resets it to
  channel A / gain 128, and the next conversions need the settling time (4 conversions).

:class:`HX711Array` drives any number of chips that share one SCK line. Every DOUT is sampled
after every pulse, so one 25-pulse sweep reads every cell at the same instant. Each SCK high
phase is timed; a sweep in which any high phase may have passed 60 µs (Linux preempted us between
the two clock writes) is thrown away, because the chips powered down in the middle of it and
what followed is garbage. Saturated and impossible words, lone spikes and a DOUT stuck low are
thrown away too, and every discard is counted in :attr:`HX711Array.stats`.

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
    "settling",
    "unconfirmed",
    "saturated",
    "all_ones",
    "stuck_low",
    "spike",
)
BENIGN_REASONS = frozenset({"settling", "unconfirmed"})
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


def pin_factory_or_default(pin_factory: Any = None) -> Any:
    """``pin_factory``, else gpiozero's default one (lgpio on a Pi, the mock under tests).

    Raises
    ------
    SensorError
        gpiozero finds no usable pin library.
    """
    if pin_factory is not None:
        return pin_factory
    import warnings

    from gpiozero import Device
    from gpiozero.exc import BadPinFactory

    # gpiozero warns once per pin library it falls back from (about ten lines of stderr
    # without GPIO); the one error below says it all, naming the first library's reason.
    with warnings.catch_warnings(record=True) as fallbacks:
        warnings.simplefilter("always")
        try:
            Device.ensure_pin_factory()
        except (BadPinFactory, ImportError, OSError) as exc:
            why = f"{fallbacks[0].message}; " if fallbacks else ""
            raise SensorError(
                f"no GPIO pin library works here ({why}{exc}); on a Raspberry Pi install lgpio "
                "(sudo apt install python3-lgpio), or try --board mock-hx711 without hardware"
            ) from exc
    return Device.pin_factory


def canonical_pin(factory: Any, spec: str | int, what: str) -> str:
    """The BCM name (``"GPIO5"``) of the pin ``spec`` names, without claiming the pin.

    Raises
    ------
    PinConfigError
        No such pin, or it is not a GPIO (``"GND"``, ``"3V3"``).
    """
    if isinstance(spec, bool) or not isinstance(spec, (str, int)):
        raise PinConfigError(f'{what}: pin {spec!r} is not a pin name; write e.g. "GPIO5"')
    board_info = getattr(factory, "board_info", None)
    finder = getattr(board_info, "find_pin", None)
    if finder is None:
        return str(spec)
    infos = [info for _, info in finder(spec)]
    if not infos:
        raise PinConfigError(
            f"{what}: pin {spec!r} does not exist on this board; use a BCM name such as "
            '"GPIO5" (see the pin table in hardware/README.md)'
        )
    name = str(infos[0].name)
    if not name.startswith("GPIO"):
        raise PinConfigError(f"{what}: pin {spec!r} is {name}, not a GPIO; pick a GPIO pin")
    return name


def open_pin(factory: Any, spec: str | int, what: str) -> Any:
    """The pin named ``spec`` (``5``, ``"GPIO5"``, ``"BOARD29"``) or a :class:`PinConfigError`."""
    from gpiozero.exc import GPIOZeroError

    canonical_pin(factory, spec, what)
    try:
        return factory.pin(spec)
    except (GPIOZeroError, ValueError, KeyError) as exc:
        raise PinConfigError(
            f'{what}: pin {spec!r} cannot be used ({exc}); use a BCM name such as "GPIO5" '
            "(see the pin table in hardware/README.md)"
        ) from exc
    except OSError as exc:
        raise PinConfigError(
            f"{what}: pin {spec!r} cannot be claimed ({exc}); another program or a kernel "
            "overlay (SPI, I2C, 1-wire) may hold it: free it or choose another pin"
        ) from exc


def pin_name(pin: Any, spec: str | int) -> str:
    """The canonical name of an opened pin (``GPIO5``), falling back to what was asked for."""
    info = getattr(pin, "info", None)
    return str(getattr(info, "name", None) or spec)


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


class HX711Array:
    """HX711 chips sharing one SCK line, read in parallel.

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
        Seconds between looks at the DOUT lines while waiting for data.
    max_step : int or None
        Spike guard threshold in counts (see :class:`SpikeGuard`); None turns it off.

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
        poll_interval: float = 0.0005,
        max_step: int | None = DEFAULT_MAX_STEP,
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
        self._douts: list[Any] = []
        self._sck: Any = None
        factory = pin_factory_or_default(pin_factory)
        self.pin_factory = factory
        seen: dict[str, str] = {}
        opened: list[Any] = []
        try:
            sck = open_pin(factory, sck_pin, "HX711 SCK")
            opened.append(sck)
            self.sck_name = pin_name(sck, sck_pin)
            seen[self.sck_name] = "SCK"
            douts, names = [], []
            for label, spec in zip(self.labels, dout_pins, strict=True):
                name = canonical_pin(factory, spec, f"{label} DOUT")
                if name in seen:
                    raise PinConfigError(
                        f"{label}: DOUT {spec!r} is {name}, already used as {seen[name]}; "
                        "every HX711 needs a DOUT pin of its own and SCK its own pin (fix the "
                        "board file)"
                    )
                pin = open_pin(factory, spec, f"{label} DOUT")
                opened.append(pin)
                seen[name] = f"the DOUT of {label}"
                douts.append(pin)
                names.append(pin_name(pin, spec))
            self.dout_names = names
            self._setup_pins(sck, douts)
        except BaseException:
            for pin in opened:
                try:
                    pin.close()
                except Exception:  # noqa: BLE001 - already failing; keep the first error
                    pass
            raise
        self._guard = SpikeGuard(n, max_step)
        self._settle_left = 0
        self._stuck_low = [0] * n
        self._last_reason = ""
        self.last_ready_time: float | None = None
        """Clock time (s) at which the last returned sweep started: every chip was ready then."""
        self.discards: Counter[str] = Counter()
        self.chip_discards: list[Counter[str]] = [Counter() for _ in range(n)]
        self._stats: dict[str, int] = dict(
            sweeps=0,
            frames=0,
            pin_ops=0,
            poll_reads=0,
            resets=0,
            max_high_ns=0,
            sweep_ns_total=0,
            sweep_ns_max=0,
        )
        self.reset()

    # -- set-up and tear-down ---------------------------------------------------------------
    def _setup_pins(self, sck: Any, douts: list[Any]) -> None:
        from gpiozero.exc import GPIOZeroError

        try:
            sck.function = "output"
            sck.state = False
            for d in douts:
                d.function = "input"
                try:
                    # A pull-up makes an unplugged DOUT read high (not ready): a clear timeout
                    # instead of a floating line that sometimes looks like data.
                    d.pull = "up"
                except (GPIOZeroError, ValueError):
                    pass  # pins with a fixed pull resistor keep theirs
        except (GPIOZeroError, OSError) as exc:
            raise PinConfigError(
                f"HX711 pins SCK {self.sck_name}, DOUT {', '.join(self.dout_names)}: cannot "
                f"be set up ({exc}); check no other program uses them"
            ) from exc
        self._sck, self._douts = sck, douts
        self.closed = False

    @property
    def n_chips(self) -> int:
        return len(self._douts)

    def close(self) -> None:
        """Leave SCK low (the chips keep running) and release the pins. Safe to call twice."""
        if self.closed:
            return
        self.closed = True
        for pin in (self._sck, *self._douts):
            try:
                if pin is self._sck:
                    pin.state = False
                pin.close()
            except Exception:  # noqa: BLE001 - best effort on the way out
                log.debug("closing pin %r failed", pin, exc_info=True)

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
        sweeps are read (to keep the chips in step) but not returned.
        """
        self._check_open()
        self._sck.state = True
        self.sleep(RESET_HOLD_S)
        self._sck.state = False
        self._settle_left = SETTLE_SWEEPS
        self._guard.reset()
        self._stuck_low = [0] * len(self._douts)
        self._stats["resets"] += 1

    # -- reading ----------------------------------------------------------------------------
    def _where(self, i: int) -> str:
        return f"{self.labels[i]} (DOUT {self.dout_names[i]})"

    def _wait_ready(self, deadline: float) -> list[int]:
        """Wait until every DOUT is low; returns the chips still high at the deadline."""
        douts = self._douts
        n = len(douts)
        while True:
            waiting = [i for i, d in enumerate(douts) if d.state]
            self._stats["poll_reads"] += n
            if not waiting:
                return []
            if self.clock() >= deadline:
                return waiting
            self.sleep(self.poll_interval)

    def _sweep(self) -> tuple[list[int], int, list[bool]]:
        """Clock 25 pulses; return (words, longest high phase ns, DOUT-still-low per chip)."""
        ticks = self.ticks
        sck = self._sck
        douts = self._douts
        words = [0] * len(douts)
        longest = 0
        start = ticks()
        for _ in range(BITS):
            # Time the high phase from just before the rising write to just after the falling
            # one: an upper bound, so a sweep that passes this check truly stayed under 60 µs.
            t0 = ticks()
            sck.state = True
            sck.state = False
            high = ticks() - t0
            if high > longest:
                longest = high
            # Sample after the falling edge: DOUT holds the bit until the next rising edge, and
            # reading while SCK is low keeps the high phase as short as two writes.
            words = [(w << 1) | d.state for w, d in zip(words, douts, strict=True)]
        t0 = ticks()
        sck.state = True
        sck.state = False
        high = ticks() - t0
        if high > longest:
            longest = high
        # After pulse 25 every chip drives DOUT high until its next conversion; a DOUT still
        # low now, with a word of all zeros, is a line stuck low (short to GND, no chip).
        still_low = [not d.state for d in douts]
        elapsed = ticks() - start
        st = self._stats
        n = len(douts)
        st["sweeps"] += 1
        st["pin_ops"] += 2 * PULSES_PER_SWEEP + (BITS + 1) * n
        st["sweep_ns_total"] += elapsed
        if elapsed > st["sweep_ns_max"]:
            st["sweep_ns_max"] = elapsed
        if longest > st["max_high_ns"]:
            st["max_high_ns"] = longest
        return words, longest, still_low

    def _discard(self, reason: str, chips: Sequence[int] = ()) -> None:
        self._last_reason = reason
        self.discards[reason] += 1
        for i in chips:
            self.chip_discards[i][reason] += 1
        log.debug("HX711 sweep discarded: %s %s", reason, ", ".join(self._where(i) for i in chips))

    def _judge(self, words: list[int], longest_ns: int, still_low: list[bool]) -> list[int] | None:
        """The sweep's signed counts, or None when it must be discarded (reason counted)."""
        if longest_ns > POWER_DOWN_NS:
            # The chips powered down mid-sweep and reset when SCK fell: this sweep is garbage
            # and the next conversions are unsettled.
            self._discard("clock_stretch")
            self._settle_left = SETTLE_SWEEPS
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

        Sweeps that cannot be trusted (clock stretched past 60 µs, settling after a reset,
        saturated or impossible words, a spike, a DOUT stuck low) are discarded and counted,
        and the next sweep is read, until ``timeout`` runs out.

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
        while True:
            cycle_start = self.clock()
            waiting = self._wait_ready(deadline)
            if waiting:
                raise self._timeout(waiting)
            ready_at = self.clock()
            words, longest, still_low = self._sweep()
            counts = self._judge(words, longest, still_low)
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
                f"every HX711 sweep for {self.timeout:g} s held SCK high past 60 µs (longest "
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
        ``resets``, ``pin_ops`` (writes and reads in sweeps), ``poll_reads`` (DOUT reads while
        waiting), ``max_high_ns`` (longest SCK high phase seen), ``sweep_ns_total``,
        ``sweep_ns_max`` (time spent clocking, ns).
        """
        out: dict[str, Any] = dict(self._stats)
        out["discarded"] = sum(self.discards.values())
        out["discard_reasons"] = dict(self.discards)
        out["chip_discards"] = [dict(c) for c in self.chip_discards]
        out["dout_pins"] = list(self.dout_names)
        out["sck_pin"] = self.sck_name
        return out
