"""Buttons, a status LED and a buzzer on the board: the trainer needs no keyboard.

The board file's optional ``[controls]`` table names the pins::

    [controls]
    start = "GPIO17"   # push button to GND (the Pi's internal pull-up is used)
    next = "GPIO27"
    back = "GPIO22"
    led = "GPIO23"     # LED through a 330 ohm resistor to GND
    buzzer = "GPIO24"  # active 3.3 V buzzer (or a transistor driving a 5 V one)

Any of them may be left out. Presses arrive on gpiozero's callback thread and are queued, so
the app takes them with :meth:`Controls.events` from its own loop. Holding a button for
``hold_time`` seconds adds a ``"<name>-held"`` event (e.g. hold *back* to leave a game).
"""

from __future__ import annotations

import logging
import queue
from collections.abc import Callable, Mapping
from typing import Any

from balance_trainer.config import Board
from balance_trainer.errors import PinConfigError, SensorError

from .hx711 import canonical_pin, pin_factory_or_default

log = logging.getLogger(__name__)

BUTTONS = ("start", "next", "back")
OUTPUTS = ("led", "buzzer")
CONTROL_KEYS = BUTTONS + OUTPUTS

LED_MODES: dict[str, tuple[float, float] | bool] = {
    "off": False,
    "ready": True,  # steady: standing by, all well
    "busy": (0.5, 0.5),  # slow blink: a test or game is running
    "error": (0.1, 0.1),  # fast blink: look at the screen
}
"""LED patterns: steady on/off, or (on s, off s) blinking."""

BEEPS: dict[str, tuple[float, float, int]] = {
    "ok": (0.08, 0.0, 1),
    "start": (0.08, 0.12, 2),
    "done": (0.4, 0.0, 1),
    "error": (0.1, 0.1, 3),
}
"""Buzzer patterns: (on s, off s, repeats)."""


class Controls:
    """The board's buttons, status LED and buzzer.

    Parameters
    ----------
    pins : mapping
        Control name (``start``, ``next``, ``back``, ``led``, ``buzzer``) -> pin name.
    pin_factory : gpiozero pin factory, optional
        Default: gpiozero's (lgpio on a Pi, the mock under tests).
    reserved : mapping, optional
        Pins already used elsewhere (e.g. HX711 DOUT/SCK), pin spec -> what uses it.
    bounce_time : float
        Seconds of switch bounce to ignore.
    hold_time : float
        Seconds a button must be held for a ``-held`` event.
    on_press : callable, optional
        Also called with the event name (on gpiozero's thread).

    Raises
    ------
    PinConfigError
        Unknown control name, unknown pin, or a pin used twice; the message names both users.
    SensorError
        No GPIO library is available.
    """

    def __init__(
        self,
        pins: Mapping[str, str | int],
        *,
        pin_factory: Any = None,
        reserved: Mapping[str | int, str] | None = None,
        bounce_time: float = 0.05,
        hold_time: float = 2.0,
        on_press: Callable[[str], None] | None = None,
    ) -> None:
        from gpiozero import LED, Button, Buzzer
        from gpiozero.exc import GPIOZeroError

        unknown = sorted(set(pins) - set(CONTROL_KEYS))
        if unknown:
            raise PinConfigError(
                f"[controls] {', '.join(map(repr, unknown))} is not a control; use "
                f"{', '.join(CONTROL_KEYS)}"
            )
        factory = pin_factory_or_default(pin_factory)
        users: dict[str, str] = {}
        for spec, what in (reserved or {}).items():
            try:
                users[canonical_pin(factory, spec, what)] = what
            except PinConfigError:
                continue  # reported by whoever owns that pin
        for name in CONTROL_KEYS:
            if name not in pins:
                continue
            canon = canonical_pin(factory, pins[name], f"[controls] {name}")
            if canon in users:
                raise PinConfigError(
                    f"[controls] {name} = {pins[name]!r} is {canon}, already used by "
                    f"{users[canon]}; give the {name} control a pin of its own"
                )
            users[canon] = f"[controls] {name}"
        self._events: queue.SimpleQueue[str] = queue.SimpleQueue()
        self._on_press = on_press
        self.buttons: dict[str, Any] = {}
        self.led: Any = None
        self.buzzer: Any = None
        self.led_mode = "off"
        try:
            for name in BUTTONS:
                if name in pins:
                    btn = Button(
                        pins[name],
                        pull_up=True,
                        bounce_time=bounce_time,
                        hold_time=hold_time,
                        pin_factory=factory,
                    )
                    btn.when_pressed = self._callback(name)
                    btn.when_held = self._callback(f"{name}-held")
                    self.buttons[name] = btn
            if "led" in pins:
                self.led = LED(pins["led"], pin_factory=factory)
            if "buzzer" in pins:
                self.buzzer = Buzzer(pins["buzzer"], pin_factory=factory)
        except (GPIOZeroError, OSError) as exc:
            self.close()
            raise PinConfigError(
                f"[controls]: cannot set up the pins ({exc}); check no other program uses them"
            ) from exc

    @classmethod
    def from_board(cls, board: Board, **kw: Any) -> Controls | None:
        """The board's controls, or None when its file has no ``[controls]``.

        The HX711 pins of the board count as taken, so a control on a DOUT is refused.
        """
        if not board.controls:
            return None
        reserved: dict[str | int, str] = {}
        for c in board.cells:
            if c.dout is not None:
                reserved[c.dout] = f"cell '{c.name}' (dout)"
        if board.sck is not None:
            reserved[board.sck] = "the HX711 SCK"
        return cls(board.controls, reserved=reserved, **kw)

    def _callback(self, event: str) -> Callable[[], None]:
        def fire() -> None:
            self._events.put(event)
            if self._on_press is not None:
                try:
                    self._on_press(event)
                except Exception:  # noqa: BLE001 - a bad handler must not kill gpiozero's thread
                    log.exception("controls: handler for %s failed", event)

        return fire

    # -- input --------------------------------------------------------------------------------
    def events(self) -> list[str]:
        """Every event since the last call, oldest first (``"start"``, ``"back-held"``...)."""
        out = []
        while True:
            try:
                out.append(self._events.get_nowait())
            except queue.Empty:
                return out

    def wait(self, timeout: float | None = None) -> str | None:
        """The next event, waiting up to ``timeout`` s; None if there was none."""
        try:
            return self._events.get(timeout=timeout)
        except queue.Empty:
            return None

    def is_pressed(self, name: str) -> bool:
        """True while button ``name`` is down (False for a button the board lacks)."""
        btn = self.buttons.get(name)
        return bool(btn is not None and btn.is_pressed)

    # -- output -------------------------------------------------------------------------------
    def status(self, mode: str) -> None:
        """Set the LED: ``off``, ``ready`` (steady), ``busy`` (slow blink), ``error`` (fast)."""
        if mode not in LED_MODES:
            raise ValueError(f"LED mode {mode!r}: use one of {', '.join(LED_MODES)}")
        self.led_mode = mode
        if self.led is None:
            return
        pattern = LED_MODES[mode]
        if pattern is True:
            self.led.on()
        elif pattern is False:
            self.led.off()
        else:
            on_s, off_s = pattern
            self.led.blink(on_time=on_s, off_time=off_s, background=True)

    def beep(self, kind: str = "ok", *, wait: bool = False) -> None:
        """Sound a pattern: ``ok``, ``start``, ``done`` or ``error``. ``wait`` blocks until done."""
        if kind not in BEEPS:
            raise ValueError(f"beep {kind!r}: use one of {', '.join(BEEPS)}")
        if self.buzzer is None:
            return
        on_s, off_s, n = BEEPS[kind]
        self.buzzer.beep(on_time=on_s, off_time=off_s, n=n, background=not wait)

    def close(self) -> None:
        """Release every pin (LED and buzzer off). Safe to call twice."""
        for dev in (*self.buttons.values(), self.led, self.buzzer):
            if dev is not None:
                try:
                    dev.close()
                except Exception:  # noqa: BLE001 - best effort on the way out
                    log.debug("closing %r failed", dev, exc_info=True)
        self.buttons, self.led, self.buzzer = {}, None, None

    def __enter__(self) -> Controls:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_controls(board: Board, **kw: Any) -> Controls | None:
    """The board's controls, or None if it has none or they cannot be used here (logged).

    For the app: missing buttons must not stop a session, the screen still works. Bad pin
    names in the board file are errors all the same.
    """
    try:
        return Controls.from_board(board, **kw)
    except PinConfigError:
        raise
    except SensorError as exc:
        log.warning("controls unavailable: %s", exc)
        return None
