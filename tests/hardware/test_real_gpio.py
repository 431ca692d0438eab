"""On a Raspberry Pi with the board wired up: the driver against real HX711 chips.

Skipped everywhere else. To run on the Pi, with the board built as hardware/README.md says
(and nobody standing on it)::

    GPIOZERO_PIN_FACTORY=lgpio .venv/bin/python -m pytest -m gpio tests/hardware/test_real_gpio.py

``BALANCE_TRAINER_GPIO_BOARD`` picks another board file (default: the two-plate-4 preset).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytestmark = pytest.mark.gpio


def _why_not() -> str | None:
    model = Path("/proc/device-tree/model")
    if not model.exists() or "Raspberry Pi" not in model.read_text(errors="replace"):
        return "not a Raspberry Pi: no real GPIO pins here"
    if os.environ.get("GPIOZERO_PIN_FACTORY", "").lower() == "mock":
        return "GPIOZERO_PIN_FACTORY is mock; run with GPIOZERO_PIN_FACTORY=lgpio"
    try:
        import lgpio  # noqa: F401
    except ImportError:
        return "lgpio is not installed (sudo apt install python3-lgpio)"
    return None


REASON = _why_not()
if REASON:
    pytest.skip(REASON, allow_module_level=True)

from balance_trainer.config import load_board  # noqa: E402
from hardware.hx711 import SETTLE_SWEEPS, HX711Array  # noqa: E402
from hardware.hx711_source import HX711Source, board_pins  # noqa: E402

BOARD = load_board(os.environ.get("BALANCE_TRAINER_GPIO_BOARD", "two-plate-4"))


# First, before this process claims any pin: lgpio keeps a line claimed by the process that
# opened it, and the reader process needs them.
def test_the_reader_process_delivers_frames_from_the_board():
    source = HX711Source(BOARD)
    try:
        frames = []
        for f in source.frames():
            frames.append(f)
            if len(frames) == 40:
                break
    finally:
        source.close()
    assert all(b.t > a.t for a, b in zip(frames, frames[1:], strict=False))


@pytest.fixture(scope="module")
def array():
    douts, sck, labels = board_pins(BOARD)
    with HX711Array(douts, sck, labels=labels, timeout=1.0) as arr:
        yield arr


def test_every_cell_answers_without_saturating(array):
    counts = array.read()
    assert len(counts) == BOARD.n_cells
    assert all(abs(c) < (1 << 23) - 1 for c in counts)


def test_chips_run_at_80_samples_per_second(array):
    import time

    array.read()
    n, t0 = 0, time.monotonic()
    while time.monotonic() - t0 < 2.0:
        array.read()
        n += 1
    rate = n / (time.monotonic() - t0)
    assert rate > 72, f"{rate:.1f}/s: is the RATE pin of every HX711 tied to VCC?"


def test_few_sweeps_are_discarded(array):
    before = dict(array.discards)
    for _ in range(160):
        array.read()
    bad = sum(
        v - before.get(k, 0)
        for k, v in array.discards.items()
        if k not in ("settling", "unconfirmed", "learning")
    )
    assert bad <= 8, array.stats


def test_the_driver_learns_every_chips_own_clock(array):
    for _ in range(200):
        array.read()
    periods = array.stats["periods_s"]
    # Measured chips run at 86-94 Hz with RATE high; each its own.
    assert all(p is not None and 1 / 100 < p < 1 / 75 for p in periods), periods
    assert array.stats["backend"] == "lgpio"


def test_reset_costs_the_settling_sweeps_only(array):
    array.reset()
    sweeps = array.stats["sweeps"]
    array.read()
    assert array.stats["sweeps"] - sweeps <= SETTLE_SWEEPS + 2
