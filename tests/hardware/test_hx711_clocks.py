"""Chips on their own oscillators: the fake corrupts words as real chips do, and the driver
schedules its sweeps so that it never reads one; the direct lgpio path reads the same chips."""

from __future__ import annotations

import pytest
from gpiozero.pins.mock import MockFactory

from balance_trainer.errors import PinConfigError
from hardware.fake_hx711 import ChipFaults, FakeHX711, FakeHX711Bank, VirtualClock, parse_fault
from hardware.fake_lgpio import FakeLgpio
from hardware.hx711 import HX711Array
from hardware.pins import LgpioPins

DOUTS = ["GPIO5", "GPIO6", "GPIO13", "GPIO19", "GPIO26", "GPIO20", "GPIO16", "GPIO12"]
SCK = "GPIO21"
RATES = [86.0, 89.0, 91.0, 94.0]
VALUES = [1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000]


def shift(chip, clock, pulses, high_s=1e-6, low_s=1e-6):
    """Clock ``pulses`` pulses on the chip's SCK; returns the DOUT level after each."""
    out = []
    for _ in range(pulses):
        chip.sck.state = True
        clock.sleep(high_s)
        chip.sck.state = False
        clock.sleep(low_s)
        out.append(chip.dout.state)
    return out


def word_of(bits):
    w = 0
    for b in bits[:24]:
        w = (w << 1) | int(b)
    return w


def one_chip(value, rate=80.0, **kw):
    clock = VirtualClock()
    factory = MockFactory()
    chip = FakeHX711(
        "GPIO5", SCK, pin_factory=factory, clock=clock.now, rate=rate, value=value, **kw
    )
    chip.sck.function = "output"
    chip.settle_left = 0
    return clock, chip


def test_a_conversion_landing_mid_shift_corrupts_the_word_like_a_real_chip():
    values = iter([1000, -1, -1, -1])
    clock, chip = one_chip(lambda t: next(values))
    clock.sleep(1e-3)
    assert chip.dout.state is False  # 1000 is ready
    first = shift(chip, clock, 10)
    clock.sleep(chip.period)  # the next conversion (-1) lands while 14 bits are still to come
    rest = shift(chip, clock, 15)
    word = word_of(first + rest)
    # The first ten bits of 1000 (all zero), then the new word's bits from its MSB (all one).
    assert word == (1 << 14) - 1
    assert chip.corrupt_reads == 1 and chip.clean_reads == 0 and chip.landings == 1


def test_a_word_read_between_conversions_is_clean():
    clock, chip = one_chip(123_456)
    clock.sleep(1e-3)
    bits = shift(chip, clock, 25)
    assert word_of(bits) == 123_456
    assert chip.clean_reads == 1 and chip.corrupt_reads == 0


def test_each_fake_chip_runs_at_its_own_rate_and_wanders():
    clock = VirtualClock()
    bank = FakeHX711Bank(
        DOUTS[:4], SCK, clock=clock.now, rates=RATES, wander=0.002, values=VALUES[:4]
    )
    clock.sleep(100.0)
    for chip, rate in zip(bank.chips, RATES, strict=True):
        chip.update()
        assert chip.conversions == pytest.approx(100 * rate, rel=0.0025)
    periods = [bank.chips[0].period_at(t) for t in (0.0, 60.0, 120.0)]
    assert max(periods) != min(periods)
    assert max(periods) / min(periods) < 1.005


def test_a_stuck_bit_always_reads_one():
    faults = parse_fault("stuck-bit:0=3", ["a"])
    assert faults[0] == ChipFaults(stuck_bit=3)
    clock, chip = one_chip(16, faults=ChipFaults(stuck_bit=3))
    clock.sleep(1e-3)
    assert word_of(shift(chip, clock, 25)) == 16 | 8


class Rig:
    def __init__(
        self, n=4, rates=RATES, pin_op_s=1.5e-6, lgpio=False, sleep=None, clock=None, **kw
    ):
        self.clock = clock or VirtualClock()
        self.factory = MockFactory()
        self.bank = FakeHX711Bank(
            DOUTS[:n],
            SCK,
            pin_factory=self.factory,
            clock=self.clock.now,
            values=VALUES[:n],
            rates=rates,
            wander=0.002,
            pin_op_s=pin_op_s,
        )
        self.array = HX711Array(
            DOUTS[:n],
            SCK,
            pin_factory=self.factory,
            clock=self.clock.now,
            sleep=sleep or self.clock.sleep,
            ticks=self.clock.ns,
            lgpio=FakeLgpio(self.factory) if lgpio else None,
            **kw,
        )

    def run(self, frames):
        """Read ``frames``; returns the readings that were not a clean word of a conversion
        the chip made (should be none): a value no chip converted, or a word the fake chip
        knows was corrupted as it was shifted out."""
        bad = []
        for _ in range(frames):
            counts = self.array.read()
            for chip, c in zip(self.bank.chips, counts, strict=True):
                if c not in {v for _, v, _ in chip.history}:
                    bad.append((chip.name, c, "never converted"))
                elif chip.last_read_clean is not True:
                    bad.append((chip.name, c, "corrupted in the shift"))
        return bad


@pytest.mark.parametrize("lgpio", [False, True], ids=["gpiozero-pins", "lgpio-direct"])
def test_chips_on_their_own_clocks_are_never_read_while_converting(lgpio):
    rig = Rig(lgpio=lgpio)
    t0 = rig.clock.now()
    assert rig.run(3000) == []
    fake = rig.bank.stats()
    # The plan keeps conversions out of nearly every sweep; the check throws out the rest.
    assert sum(fake["landings"]) <= 3000 * 0.002
    rate = 3000 / (rig.clock.now() - t0)
    assert rate >= 0.98 * min(RATES)
    # What the driver counts lost is what the chips made and nobody passed on.
    made = fake["conversions"]
    lost = rig.array.stats["lost"]
    passed = rig.array.stats["frames"]
    assert all(abs((m - passed) - k) <= 0.01 * m for m, k in zip(made, lost, strict=True))
    assert rig.array.stats["backend"] == ("lgpio" if lgpio else "gpiozero")


def test_without_the_check_a_shared_clock_passes_corrupted_words(monkeypatch):
    # The old way (sweep as soon as every chip is ready, no plan) with the check switched off:
    # what the driver guards against. With the check on, the same run passes nothing bad.
    rig = Rig(schedule=False, poll_interval=0.0005)
    monkeypatch.setattr("hardware.hx711.verify", lambda *a: None)
    bad = rig.run(3000)
    assert sum(rig.bank.stats()["landings"]) > 10
    assert len(bad) > 10
    monkeypatch.undo()
    rig = Rig(schedule=False, poll_interval=0.0005)
    assert rig.run(3000) == []
    assert sum(rig.bank.stats()["landings"]) > 10


def test_eight_chips_hold_too():
    rig = Rig(n=8, rates=[86.0, 87.1, 88.3, 89.0, 90.2, 91.5, 92.8, 94.0])
    t0 = rig.clock.now()
    assert rig.run(1500) == []
    assert sum(rig.bank.stats()["landings"]) <= 1500 * 0.01
    # Measured 77 % of the slowest chip: with eight chips a fast chip's second conversion
    # is often what must be read, and V2 waits for it as if the chip had slowed by 10 %.
    assert 1500 / (rig.clock.now() - t0) >= 0.72 * 86.0


def test_the_driver_learns_each_chips_period():
    rig = Rig()
    rig.run(400)
    for period, rate in zip(rig.array.stats["periods_s"], RATES, strict=True):
        assert period == pytest.approx(1 / rate, rel=0.005)


def test_the_driver_sleeps_until_a_conversion_is_due_instead_of_polling():
    rig = Rig()
    rig.run(200)
    before = rig.array.stats["wakeups"]
    rig.run(900)
    per_frame = (rig.array.stats["wakeups"] - before) / 900
    # Polling every 0.5 ms would wake 22 times per 11 ms frame; four chips each looked at a
    # few times around their expected conversion is what is left.
    assert per_frame < 4 * 5


def test_lgpio_pins_claim_sck_as_output_and_the_douts_as_one_group():
    factory = MockFactory()
    lg = FakeLgpio(factory)
    pins = LgpioPins(0, "GPIO21", ["GPIO5", "GPIO6"], ["a", "b"], lgpio=lg)
    assert lg._groups == {(pins._h, 5): [5, 6]}
    assert lg.gpio_get_mode(pins._h, 21) & 2  # an output
    assert pins.read() == 0b11  # pulled up, no chip: not ready
    pins.close()
    assert lg._claims == {}


def test_a_busy_line_is_refused_naming_it_and_the_fix():
    factory = MockFactory()
    lg = FakeLgpio(factory)
    other = lg.gpiochip_open(0)
    lg.gpio_claim_input(other, 6)
    with pytest.raises(PinConfigError, match="GPIO5, GPIO6.*another program"):
        LgpioPins(0, "GPIO21", ["GPIO5", "GPIO6"], ["a", "b"], lgpio=lg)
    assert 21 not in lg._claims  # the SCK claimed first was let go again


def test_a_missing_gpiochip_is_refused_with_the_fix():
    lg = FakeLgpio(MockFactory(), chips=())
    with pytest.raises(PinConfigError, match="gpiochip0 cannot be opened.*gpio group"):
        LgpioPins(0, "GPIO21", ["GPIO5"], ["a"], lgpio=lg)


def test_eight_chips_on_one_shared_clock_deliver_the_full_rate():
    # The build guide's option for 8 chips: every XI fed from one oscillator, so all chips
    # convert together and no sweep can meet another chip's conversion.
    n = 8
    clock = VirtualClock()
    factory = MockFactory()
    bank = FakeHX711Bank(
        DOUTS[:n],
        SCK,
        pin_factory=factory,
        clock=clock.now,
        values=VALUES[:n],
        rates=[80.0] * n,
        phases=[0.004] * n,
        wander=0.0,
        pin_op_s=1.5e-6,
    )
    arr = HX711Array(
        DOUTS[:n], SCK, pin_factory=factory, clock=clock.now, sleep=clock.sleep, ticks=clock.ns
    )
    t0 = clock.now()
    for _ in range(800):
        counts = arr.read()
        for chip, c in zip(bank.chips, counts, strict=True):
            assert c in {v for _, v, _ in chip.history} and chip.last_read_clean is True
    rate = 800 / (clock.now() - t0)
    assert rate >= 0.98 * 80.0
    assert arr.stats["discard_reasons"].get("unverified", 0) <= 8  # 1 %: start-up learning
