"""Pin backends for the HX711 sweep: one output (SCK) and a group of inputs (the DOUTs).

The sweep is the hottest loop in the project: 25 clock pulses, each with its high phase under
the datasheet's 50 µs (T3 maximum), and every DOUT sampled after every falling edge. A gpiozero
pin write through its lgpio backend also asks the kernel for the line's mode (two ioctls and
about ten Python calls per write), so on a Pi 3 the high phase would pass the limit on nearly
every sweep. The driver therefore talks to the lines through this small interface:

:class:`HX711Pins` (what a backend must provide)
    ``high()``, ``low()`` and ``read()`` as plain callables (no attribute look-ups in the hot
    loop), ``read()`` returning every DOUT at once as a bit mask (bit i = DOUT i); ``close()``.
:class:`LgpioPins`
    lgpio directly: SCK claimed as an output, the DOUTs claimed as one input group with
    pull-ups, one ``group_read`` per falling edge. What runs on a Pi 3, 4 and 5.
:class:`GpiozeroPins`
    gpiozero pin objects of any factory: its ``MockFactory`` (and the fake chips on it) in
    tests, and the slow path the benchmark compares with.

gpiozero still names the pins everywhere (``5``, ``"GPIO5"``, ``"BOARD29"``):
:func:`canonical_pin` turns a name into the BCM name through the factory's board information
without claiming anything, and :func:`open_pins` picks the backend.
"""

from __future__ import annotations

import functools
import importlib
import logging
from collections.abc import Callable, Sequence
from typing import Any

from balance_trainer.errors import PinConfigError, SensorError

log = logging.getLogger(__name__)


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


def bcm_number(name: str) -> int:
    """``"GPIO5"`` -> 5: the line offset on the Pi's header gpiochip."""
    return int(name[4:]) if name.startswith("GPIO") and name[4:].isdigit() else int(name)


def open_pin(factory: Any, spec: str | int, what: str) -> Any:
    """The gpiozero pin named ``spec`` or a :class:`PinConfigError`."""
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


def check_distinct(sck: str, douts: Sequence[str], labels: Sequence[str]) -> None:
    """Every DOUT its own pin, and none of them the SCK.

    Raises
    ------
    PinConfigError
    """
    seen: dict[str, str] = {sck: "SCK"}
    for label, name in zip(labels, douts, strict=True):
        if name in seen:
            raise PinConfigError(
                f"{label}: DOUT is {name}, already used as {seen[name]}; every HX711 needs a "
                "DOUT pin of its own and SCK its own pin (fix the board file)"
            )
        seen[name] = f"the DOUT of {label}"


class HX711Pins:
    """The lines of HX711 chips on one SCK. Backends must set, in ``__init__``:

    ``high``, ``low`` : callables of no arguments driving SCK high / low;
    ``read`` : callable of no arguments returning every DOUT level as an int bit mask, bit i
    for DOUT i (1 = high = not ready);
    ``read_raw``, ``decode`` : the same read split in two for the sweep's hot loop:
    ``read_raw()`` returns whatever the library returns, as cheaply as it can be had, and
    ``decode(raw)`` turns that into the bit mask later, after the last pulse;
    ``sck_name``, ``dout_names`` : BCM names, for messages;

    and override :meth:`close`. ``kind`` names the backend in ``doctor``'s report.
    """

    kind = "abstract"
    high: Callable[[], Any]
    low: Callable[[], Any]
    read: Callable[[], int]
    read_raw: Callable[[], Any]
    decode: Callable[[Any], int]
    sck_name: str
    dout_names: list[str]

    @property
    def all_mask(self) -> int:
        """The bit mask with every DOUT high."""
        return (1 << len(self.dout_names)) - 1

    def close(self) -> None:  # pragma: no cover - every backend overrides it
        raise NotImplementedError


class GpiozeroPins(HX711Pins):
    """The lines as gpiozero pin objects (any factory; the mock one in tests).

    Raises
    ------
    PinConfigError
        A pin is unknown, busy, or cannot be set up.
    """

    kind = "gpiozero"

    def __init__(
        self, factory: Any, sck: str | int, douts: Sequence[str | int], labels: Sequence[str]
    ) -> None:
        from gpiozero.exc import GPIOZeroError

        self.sck_name = canonical_pin(factory, sck, "HX711 SCK")
        names = [
            canonical_pin(factory, d, f"{lab} DOUT") for lab, d in zip(labels, douts, strict=True)
        ]
        check_distinct(self.sck_name, names, labels)
        opened: list[Any] = []
        try:
            sck_pin = open_pin(factory, sck, "HX711 SCK")
            opened.append(sck_pin)
            pins = []
            for lab, d in zip(labels, douts, strict=True):
                p = open_pin(factory, d, f"{lab} DOUT")
                opened.append(p)
                pins.append(p)
            try:
                sck_pin.function = "output"
                sck_pin.state = False
                for p in pins:
                    p.function = "input"
                    try:
                        # A pull-up makes an unplugged DOUT read high (not ready): a clear
                        # timeout instead of a floating line that sometimes looks like data.
                        p.pull = "up"
                    except (GPIOZeroError, ValueError):
                        pass  # pins with a fixed pull resistor keep theirs
            except (GPIOZeroError, OSError) as exc:
                raise PinConfigError(
                    f"HX711 pins SCK {self.sck_name}, DOUT {', '.join(names)}: cannot be set "
                    f"up ({exc}); check no other program uses them"
                ) from exc
        except BaseException:
            for p in opened:
                try:
                    p.close()
                except Exception:  # noqa: BLE001 - already failing; keep the first error
                    pass
            raise
        self.dout_names = [pin_name(p, d) for p, d in zip(pins, douts, strict=True)]
        self._sck, self._douts = sck_pin, pins
        self.high = functools.partial(setattr, sck_pin, "state", True)
        self.low = functools.partial(setattr, sck_pin, "state", False)
        readers = [(i, p) for i, p in enumerate(pins)]

        def read() -> int:
            bits = 0
            for i, p in readers:
                if p.state:
                    bits |= 1 << i
            return bits

        self.read = self.read_raw = read
        self.decode = int
        self.closed = False

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        for p in (self._sck, *self._douts):
            try:
                if p is self._sck:
                    p.state = False
                p.close()
            except Exception:  # noqa: BLE001 - best effort on the way out
                log.debug("closing pin %r failed", p, exc_info=True)


class LgpioPins(HX711Pins):
    """The lines through lgpio directly: SCK a claimed output, the DOUTs one input group.

    Parameters
    ----------
    chip : int
        The gpiochip of the 40-pin header (0 on a Pi 3/4, and on a Pi 5 with a current kernel;
        gpiozero's factory tells which).
    sck, douts : str
        BCM names (``"GPIO21"``).
    labels : what to call each chip in messages.
    lgpio : module, optional
        The lgpio module (a fake one in tests).

    Raises
    ------
    PinConfigError
        The chip cannot be opened, or a line is busy (another program, a kernel overlay).
    """

    kind = "lgpio"

    def __init__(
        self,
        chip: int,
        sck: str,
        douts: Sequence[str],
        labels: Sequence[str],
        *,
        lgpio: Any = None,
    ) -> None:
        if lgpio is None:
            lgpio = importlib.import_module("lgpio")  # only on a Pi: not at module load
        self._lg = lgpio
        self.sck_name = str(sck)
        self.dout_names = [str(d) for d in douts]
        check_distinct(self.sck_name, self.dout_names, labels)
        self._sck = bcm_number(self.sck_name)
        self._lines = [bcm_number(d) for d in self.dout_names]
        self.chip = chip
        self.closed = True
        try:
            self._h = lgpio.gpiochip_open(chip)
        except lgpio.error as exc:
            raise PinConfigError(
                f"gpiochip{chip} cannot be opened ({exc}); is this a Raspberry Pi, and may "
                "this user use /dev/gpiochip*? (add it to the gpio group)"
            ) from exc
        claimed: list[str] = []
        try:
            lgpio.gpio_claim_output(self._h, self._sck, 0)
            claimed.append("sck")
            lgpio.group_claim_input(self._h, self._lines, lgpio.SET_PULL_UP)
            claimed.append("douts")
        except lgpio.error as exc:
            what = "SCK " + self.sck_name if not claimed else "DOUT " + ", ".join(self.dout_names)
            self._free(claimed)
            raise PinConfigError(
                f"HX711 {what} cannot be claimed ({exc}); another program or a kernel overlay "
                "(SPI, I2C, 1-wire) may hold it: free it or choose other pins"
            ) from exc
        self.closed = False
        h, s, leader = self._h, self._sck, self._lines[0]
        self.high = functools.partial(lgpio.gpio_write, h, s, 1)
        self.low = functools.partial(lgpio.gpio_write, h, s, 0)
        group_read = lgpio.group_read

        def read() -> int:
            # group_read gives [group size, levels]; bit i is the i-th line claimed.
            return int(group_read(h, leader)[1])

        self.read = read
        # In the sweep: the library's call bound to its arguments (no Python frame of ours),
        # its answer decoded after the last pulse.
        self.read_raw = functools.partial(group_read, h, leader)
        self.decode = _levels

    def _free(self, claimed: list[str]) -> None:
        lg = self._lg
        for what in reversed(claimed):
            try:
                if what == "sck":
                    lg.gpio_write(self._h, self._sck, 0)
                    lg.gpio_free(self._h, self._sck)
                else:
                    lg.group_free(self._h, self._lines[0])
            except lg.error:
                log.debug("freeing HX711 %s failed", what, exc_info=True)
        try:
            lg.gpiochip_close(self._h)
        except lg.error:
            log.debug("closing gpiochip%d failed", self.chip, exc_info=True)

    def close(self) -> None:
        """Leave SCK low (the chips keep converting) and free the lines. Safe to call twice."""
        if self.closed:
            return
        self.closed = True
        self._free(["sck", "douts"])


def _levels(raw: Any) -> int:
    """The levels bit mask from lgpio's ``group_read`` answer ``[group size, levels]``."""
    return int(raw[1])


def lgpio_chip_of(factory: Any) -> int | None:
    """The gpiochip number when ``factory`` is gpiozero's lgpio factory, else None."""
    if type(factory).__name__ != "LGPIOFactory":
        return None
    chip = getattr(factory, "chip", None)
    return int(chip) if isinstance(chip, int) else None


def open_pins(
    sck: str | int,
    douts: Sequence[str | int],
    labels: Sequence[str],
    *,
    pin_factory: Any = None,
    backend: str = "auto",
    lgpio: Any = None,
) -> HX711Pins:
    """Open the lines through the fastest backend that this machine has.

    Parameters
    ----------
    backend : 'auto', 'lgpio' or 'gpiozero'
        'auto' uses lgpio directly when gpiozero's factory is its lgpio one (a Pi), else the
        gpiozero pins (the mock factory under tests).

    Raises
    ------
    PinConfigError, SensorError
    """
    if backend not in ("auto", "lgpio", "gpiozero"):
        raise PinConfigError(f"HX711 pin backend {backend!r}: use auto, lgpio or gpiozero")
    factory = pin_factory_or_default(pin_factory)
    chip = lgpio_chip_of(factory)
    if backend == "lgpio" or (backend == "auto" and (chip is not None or lgpio is not None)):
        sck_name = canonical_pin(factory, sck, "HX711 SCK")
        names = [
            canonical_pin(factory, d, f"{lab} DOUT") for lab, d in zip(labels, douts, strict=True)
        ]
        return LgpioPins(chip or 0, sck_name, names, labels, lgpio=lgpio)
    return GpiozeroPins(factory, sck, douts, labels)
