"""The fake chips' wires: one clock read per SCK edge, DOUT levels in one mask, and the fast
table path giving exactly what the chips' own per-edge model gives."""

from __future__ import annotations

import random

import pytest
from gpiozero.pins.mock import MockFactory

from hardware.fake_hx711 import ChipFaults, FakeHX711Bank, VirtualClock
from hardware.fake_lgpio import FakeLgpio
from hardware.pins import LgpioPins

DOUTS = ["GPIO5", "GPIO6", "GPIO13", "GPIO19", "GPIO26", "GPIO20", "GPIO16", "GPIO12"]
SCK = "GPIO21"
COUNTERS = (
    "conversions", "overruns", "power_downs", "pulses", "reads", "premature_pulses",
    "protocol_errors", "clean_reads", "corrupt_reads", "landings", "shift_pos", "bit", "mode",
)  # fmt: skip


def drive_randomly(lockstep, seed, steps=600):
    """A seeded mess of sweeps on 5 chips (one stuck low, one with a stuck bit, one late):
    whole and short and over-long pulse trains, high phases past 60 µs, waits long and short
    enough for conversions to land mid-read. Returns every level seen and every counter."""
    rng = random.Random(seed)
    clock = VirtualClock()
    f = MockFactory()
    faults = {1: ChipFaults(stuck="low"), 2: ChipFaults(stuck_bit=3), 3: ChipFaults(late_s=0.002)}
    bank = FakeHX711Bank(
        DOUTS[:5], SCK, pin_factory=f, clock=clock.now, rates=[86, 88, 90, 92, 94],
        values=[1000, -2000, 0x3A5A5, -1, 77_777], noise_counts=300.0, faults=faults, seed=seed,
        wander=0.002,
    )  # fmt: skip
    bank.sck.lockstep = lockstep
    sck = f.pin(SCK)
    sck.function = "output"
    douts = [f.pin(d) for d in DOUTS[:5]]
    seen = []
    for _ in range(steps):
        if rng.random() < 0.8:  # as the driver does: wait until every chip is ready
            for _ in range(200):
                if not any(d.state for d in douts):
                    break
                clock.sleep(1e-4)
        else:
            clock.sleep(rng.choice([0.0, 2e-6, 1e-4, 1e-3, rng.uniform(0, 0.012)]))
        pulses = rng.choice([25, 25, 25, 26, 27, 3, 24, 28])
        for _ in range(pulses):
            sck.state = True
            clock.sleep(
                rng.choice([1e-6, 1e-6, 2e-6, 59e-6, 61e-6]) if rng.random() < 0.1 else 1e-6
            )
            if rng.random() < 0.02:
                seen.append(("high", douts[0].state))  # a look with SCK still high
            sck.state = False
            clock.sleep(rng.choice([1e-6, 3e-6, 5e-4]) if rng.random() < 0.05 else 1e-6)
            seen.append(bank.sck.sync())
        seen.append(tuple(d.state for d in douts))
    counters = [tuple(getattr(c, k) for k in COUNTERS) for c in bank.chips]
    history = [list(c.history) for c in bank.chips]
    return seen, counters, history, bank.sck.table_looks


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_table_path_gives_exactly_what_each_chip_alone_gives(seed):
    fast = drive_randomly(True, seed)
    slow = drive_randomly(False, seed)
    assert fast[3] > 1000 and slow[3] == 0  # the table really served most looks
    assert fast[0] == slow[0]  # every DOUT level at every look
    assert fast[1] == slow[1]  # every counter, position and mode
    assert fast[2] == slow[2]  # every conversion's time and value
    assert sum(c[COUNTERS.index("landings")] for c in fast[1]) > 0  # mid-read landings hit
    assert sum(c[COUNTERS.index("power_downs")] for c in fast[1]) > 0


class CostlyClock(VirtualClock):
    """Every look at the clock takes ``cost_s``: the fake's own Python between its reads."""

    def __init__(self, cost_s):
        super().__init__()
        self.cost_s = cost_s

    def now(self):
        self.t += self.cost_s
        return self.t

    __call__ = now


def test_the_fakes_own_bookkeeping_is_not_sck_high_time():
    # Eight chips whose clock reads each cost 8 µs: had each chip stamped the edge itself (as
    # before), every chip would have seen 8 reads inside each high phase, > 60 µs, and powered
    # down on every pulse. A real chip sees only how long the line was high.
    clock = CostlyClock(8e-6)
    f = MockFactory()
    bank = FakeHX711Bank(
        DOUTS, SCK, pin_factory=f, clock=clock.now, values=list(range(1, 9)), phases=[0.0] * 8
    )
    for c in bank.chips:
        c.settle_left = 0
    sck = f.pin(SCK)
    sck.function = "output"
    douts = [f.pin(d) for d in DOUTS]
    clock.sleep(0.001)
    assert not any(d.state for d in douts)
    words = [0] * 8
    for _ in range(24):
        sck.state = True
        sck.state = False
        levels = [d.state for d in douts]
        words = [(w << 1) | int(b) for w, b in zip(words, levels, strict=True)]
    sck.state = True
    sck.state = False
    assert [c.power_downs for c in bank.chips] == [0] * 8
    assert words == [c.history[-1][1] for c in bank.chips]
    assert bank.monitor.longest_high_s == pytest.approx(8e-6)


def test_a_group_read_of_fake_chip_douts_is_every_line_at_once_and_sees_an_unplugged_one():
    clock = VirtualClock()
    f = MockFactory()
    bank = FakeHX711Bank(DOUTS[:4], SCK, pin_factory=f, clock=clock.now, phases=[0, 0, 1, 1])
    lg = FakeLgpio(f)
    pins = LgpioPins(0, SCK, DOUTS[:4], ["a", "b", "c", "d"], lgpio=lg)
    clock.sleep(0.001)
    assert pins.read() == 0b1100  # chips 0 and 1 ready, 2 and 3 converting
    bank.chips[0].close()  # unplugged: its DOUT floats to the pull-up
    assert pins.read() == 0b1101
    assert lg.calls == 2
    pins.close()


def test_a_group_of_plain_lines_reads_their_levels_as_they_change():
    f = MockFactory()
    lg = FakeLgpio(f)
    pins = LgpioPins(0, SCK, DOUTS[:8], [str(i) for i in range(8)], lgpio=lg)
    assert pins.read() == 0xFF  # pulled up
    f.pin(DOUTS[3]).drive_low()
    f.pin(DOUTS[7]).drive_low()
    assert pins.read() == 0xFF & ~(1 << 3) & ~(1 << 7)
    f.pin(DOUTS[3]).drive_high()
    assert pins.read() == 0xFF & ~(1 << 7)
    pins.close()
