"""Buttons, LED and buzzer on gpiozero's mock pins."""

from __future__ import annotations

import time

import pytest
from gpiozero.pins.mock import MockFactory

from balance_trainer.config import Board, Cell, load_board
from balance_trainer.errors import PinConfigError
from hardware.controls import Controls, open_controls

PINS = {"start": "GPIO17", "next": "GPIO27", "back": "GPIO22", "led": "GPIO23", "buzzer": "GPIO24"}


@pytest.fixture
def factory():
    return MockFactory()


@pytest.fixture
def controls(factory):
    c = Controls(PINS, pin_factory=factory, hold_time=0.05)
    yield c
    c.close()


def press(factory, pin):
    factory.pin(pin).drive_low()
    factory.pin(pin).drive_high()


def test_presses_arrive_in_order_as_named_events(factory, controls):
    press(factory, "GPIO27")
    press(factory, "GPIO17")
    press(factory, "GPIO22")
    assert controls.events() == ["next", "start", "back"]
    assert controls.events() == []


def test_buttons_are_active_low_with_the_pull_up(factory, controls):
    assert not controls.is_pressed("start")
    factory.pin("GPIO17").drive_low()
    assert controls.is_pressed("start")
    assert controls.wait(timeout=0) == "start"


def test_holding_a_button_adds_a_held_event(factory, controls):
    factory.pin("GPIO22").drive_low()
    assert controls.wait(timeout=2.0) == "back"
    assert controls.wait(timeout=5.0) == "back-held"
    factory.pin("GPIO22").drive_high()


def test_on_press_handler_gets_events_and_a_failing_one_does_not_break_input(factory):
    seen = []

    def handler(name):
        seen.append(name)
        raise RuntimeError("boom")

    with Controls({"start": "GPIO17"}, pin_factory=factory, on_press=handler) as c:
        press(factory, "GPIO17")
        press(factory, "GPIO17")
        assert seen == ["start", "start"]
        assert c.events() == ["start", "start"]


def test_status_led_steady_and_off(factory, controls):
    controls.status("ready")
    assert factory.pin("GPIO23").state
    controls.status("off")
    assert not factory.pin("GPIO23").state


def test_status_led_blinks_for_errors(factory, controls):
    controls.status("error")
    pin = factory.pin("GPIO23")
    seen = set()
    deadline = time.monotonic() + 5.0
    while len(seen) < 2 and time.monotonic() < deadline:
        seen.add(bool(pin.state))
        time.sleep(0.01)
    assert seen == {True, False}
    controls.status("off")


def test_beep_patterns_toggle_the_buzzer_the_right_number_of_times(factory):
    with Controls({"buzzer": "GPIO24"}, pin_factory=factory) as c:
        pin = factory.pin("GPIO24")
        pin.clear_states()
        c.beep("start", wait=True)
        highs = [s.state for s in pin.states].count(True)
        assert highs == 2
        assert not pin.state


def test_unknown_modes_and_beeps_are_refused(controls):
    with pytest.raises(ValueError, match="LED mode"):
        controls.status("party")
    with pytest.raises(ValueError, match="beep"):
        controls.beep("fanfare")


def test_missing_controls_are_simply_absent(factory):
    with Controls({"start": "GPIO17"}, pin_factory=factory) as c:
        c.status("ready")
        c.beep("ok")
        assert not c.is_pressed("back")
        assert c.led is None and c.buzzer is None


def test_board_without_controls_gives_none():
    board = Board("b", (Cell("l", "left", -1, 0, "GPIO5"), Cell("r", "right", 1, 0, "GPIO6")))
    assert Controls.from_board(board) is None


def test_default_board_controls_open_on_mock_pins(factory):
    c = open_controls(load_board("two-plate-4"), pin_factory=factory)
    try:
        assert set(c.buttons) == {"start", "next", "back"}
        press(factory, "GPIO17")
        assert c.events() == ["start"]
    finally:
        c.close()


@pytest.mark.parametrize(
    "pins, message",
    [
        ({"start": "GPIO17", "jump": "GPIO4"}, "'jump' is not a control"),
        ({"start": "GPIO99"}, r"\[controls\] start: pin 'GPIO99' does not exist"),
        ({"start": "GPIO17", "next": 17}, "already used by \\[controls\\] start"),
        ({"led": "GND"}, "not a GPIO"),
    ],
)
def test_bad_control_pins_are_refused_naming_them(factory, pins, message):
    with pytest.raises(PinConfigError, match=message):
        Controls(pins, pin_factory=factory)


def test_a_control_on_a_cell_dout_names_the_cell(factory):
    board = Board(
        "b",
        (Cell("l", "left", -1, 0, "GPIO5"), Cell("r", "right", 1, 0, "GPIO6")),
        sck="GPIO21",
        controls={"start": "BOARD31"},
    )
    with pytest.raises(PinConfigError, match="already used by cell 'r'"):
        Controls.from_board(board, pin_factory=factory)


def test_close_releases_pins_for_reuse(factory):
    c = Controls(PINS, pin_factory=factory)
    c.close()
    c.close()
    again = Controls(PINS, pin_factory=factory)
    again.close()
