"""The HX711 driver against fake chips on mock pins, in virtual time."""

from __future__ import annotations

import pytest
from gpiozero.pins.mock import MockFactory

from balance_trainer.errors import PinConfigError, SensorError, SensorFault, SensorTimeout
from hardware.fake_hx711 import ChipFaults, FakeHX711Bank, VirtualClock
from hardware.hx711 import (
    PULSES_PER_SWEEP,
    SETTLE_SWEEPS,
    WARMUP_READS,
    HX711Array,
    to_signed,
    word_problem,
)

DOUTS = ["GPIO5", "GPIO6", "GPIO13", "GPIO19"]
SCK = "GPIO21"
LABELS = ["cell 'left_outer'", "cell 'left_inner'", "cell 'right_inner'", "cell 'right_outer'"]


class Rig:
    """Fake chips and the driver on one mock factory and one virtual clock."""

    def __init__(
        self,
        values=(1000, 2000, 3000, 4000),
        *,
        faults=None,
        rate=80.0,
        timeout=1.0,
        phases=None,
        ticks=None,
        **kw,
    ):
        self.clock = VirtualClock()
        self.factory = MockFactory()
        n = len(values)
        self.bank = FakeHX711Bank(
            DOUTS[:n],
            SCK,
            pin_factory=self.factory,
            clock=self.clock.now,
            values=list(values),
            rate=rate,
            faults=faults,
            phases=phases,
        )
        self.array = HX711Array(
            DOUTS[:n],
            SCK,
            pin_factory=self.factory,
            timeout=timeout,
            labels=LABELS[:n],
            clock=self.clock.now,
            sleep=self.clock.sleep,
            ticks=ticks or self.clock.ns,
            **kw,
        )

    def reads(self, k):
        return [self.array.read() for _ in range(k)]


@pytest.mark.parametrize(
    "values",
    [
        (123_456, -654_321, 0, 8_388_606),
        (-8_388_607, 1, -1 + 2, 42),
        (0, 0, 0, 0),
    ],
)
def test_reads_exact_values_including_negative_zero_and_near_full_scale(values):
    rig = Rig(values)
    assert rig.reads(3) == [list(values)] * 3


def test_every_sweep_is_exactly_25_pulses():
    rig = Rig()
    before = rig.bank.rising_edges
    rig.reads(10)
    sweeps = rig.array.stats["sweeps"]
    assert rig.bank.rising_edges - before == PULSES_PER_SWEEP * sweeps
    for chip in rig.bank.chips:
        assert set(chip.pulses_per_read) == {25}
        assert chip.mode == ("A", 128)
        assert chip.premature_pulses == 0 and chip.protocol_errors == 0


def test_one_sweep_reads_all_chips_and_no_conversion_is_lost():
    rig = Rig(phases=[0.0, 0.003, 0.006, 0.009])
    rig.reads(50)
    stats = rig.bank.stats()
    assert stats["overruns"] == [0, 0, 0, 0]
    assert rig.array.stats["frames"] == 50


def test_waits_for_the_latest_chip_before_reading():
    rig = Rig(faults={2: ChipFaults(late_s=0.008)}, phases=[0, 0, 0, 0])
    rig.reads(6)
    rig.bank.chips[2].delay_next(0.3)
    start = rig.clock.now()
    assert rig.array.read() == [1000, 2000, 3000, 4000]
    assert rig.clock.now() - start >= 0.3
    assert rig.array.last_ready_time >= start + 0.3


def test_a_chip_that_never_gets_ready_times_out_naming_cell_pin_and_fix():
    rig = Rig(faults={1: ChipFaults(stuck="high")}, timeout=0.5)
    start = rig.clock.now()
    with pytest.raises(SensorTimeout) as info:
        rig.array.read()
    msg = str(info.value)
    assert "cell 'left_inner'" in msg and "GPIO6" in msg and "wiring" in msg
    assert "left_outer" not in msg
    assert isinstance(info.value, TimeoutError) and isinstance(info.value, SensorError)
    assert info.value.chips == [1]
    assert 0.5 <= rig.clock.now() - start < 0.6


def test_an_unplugged_chip_times_out_instead_of_reading_a_floating_line():
    rig = Rig(timeout=0.2)
    rig.bank.chips[3].close()
    with pytest.raises(SensorTimeout, match="GPIO19"):
        rig.array.read()


@pytest.mark.parametrize("kind, word", [("high", 0x7FFFFF), ("low", 0x800000)])
def test_a_saturated_chip_is_never_passed_on_and_fails_naming_it(kind, word):
    rig = Rig(faults={0: ChipFaults(saturate=kind)}, timeout=0.3)
    with pytest.raises(SensorFault) as info:
        rig.array.read()
    msg = str(info.value)
    assert "cell 'left_outer' (DOUT GPIO5)" in msg and "saturated" in msg
    assert "overloaded" in msg
    assert rig.array.chip_discards[0]["saturated"] >= 10
    assert word_problem(word) == "saturated"


def test_a_transient_impossible_word_is_skipped_and_counted():
    rig = Rig()
    rig.reads(2)
    chip = rig.bank.chips[1]
    once = iter([-1])
    chip.value = lambda t: next(once, 2000)  # the next conversion reads all ones
    assert rig.reads(3) == [[1000, 2000, 3000, 4000]] * 3
    assert rig.array.discards["all_ones"] == 1
    assert rig.array.chip_discards[1]["all_ones"] == 1


def test_stuck_low_dout_is_a_fault_not_a_reading_of_zero():
    rig = Rig(faults={3: ChipFaults(stuck="low")})
    with pytest.raises(SensorFault) as info:
        rig.array.read()
    msg = str(info.value)
    assert "cell 'right_outer' (DOUT GPIO19)" in msg and "stays low" in msg


def test_a_true_zero_reading_is_not_mistaken_for_stuck_low():
    rig = Rig((0, 0, 0, 0))
    assert rig.reads(20) == [[0, 0, 0, 0]] * 20


def test_spikes_are_never_passed_on():
    rig = Rig(faults={2: ChipFaults(spike_every=7)})
    got = rig.reads(40)
    assert all(row == [1000, 2000, 3000, 4000] for row in got)
    assert rig.array.discards["spike"] >= 4


def test_a_real_step_is_accepted_after_one_confirming_reading():
    rig = Rig()
    rig.reads(3)
    for chip in rig.bank.chips:
        chip.value = 3_000_000
    rig.clock.sleep(0.02)
    assert rig.array.read() == [3_000_000] * 4
    assert rig.array.discards["spike"] == 1


def test_a_chip_returning_garbage_fails_quickly_naming_it():
    rig = Rig(faults={1: ChipFaults(garbage=True)})
    with pytest.raises(SensorFault) as info:
        for _ in range(60):
            rig.array.read()
    msg = str(info.value)
    assert "cell 'left_inner' (DOUT GPIO6)" in msg
    assert ("erratic" in msg) or ("discarded" in msg)


def test_a_stretched_clock_discards_the_sweep_and_waits_out_the_settling():
    rig = Rig()
    rig.reads(3)
    rig.bank.preempt(7, 80e-6)  # the OS holds SCK high on the 7th pulse of the next sweep
    got = rig.reads(5)
    assert got == [[1000, 2000, 3000, 4000]] * 5  # no unsettled value slipped through
    assert rig.array.discards["clock_stretch"] == 1
    assert rig.array.discards["settling"] == 2 * SETTLE_SWEEPS  # at open and after the stretch
    assert [c.power_downs for c in rig.bank.chips] == [2, 2, 2, 2]  # open + stretch
    assert rig.array.stats["max_high_ns"] == 80_000


class DriverOnlyStall:
    """On the n-th rising edge, make the driver's tick clock (only) jump by ``ns``: the chips
    feel nothing, but the driver's own measurement must still catch it."""

    def __init__(self, rig, edge, ns):
        self.rig, self.edge, self.ns, self.offset = rig, edge, ns, 0
        self.sck = rig.factory.pin(SCK)
        self.start = rig.bank.rising_edges
        self.sck.spi_devices.append(self)

    def on_clock(self):
        if self.sck.state and self.rig.bank.rising_edges - self.start == self.edge:
            self.offset += self.ns

    def ticks(self):
        return self.rig.clock.ns() + self.offset


def test_the_driver_times_each_high_phase_itself():
    rig = Rig()
    rig.reads(2)
    stall = DriverOnlyStall(rig, edge=30, ns=70_000)
    rig.array.ticks = stall.ticks
    assert rig.reads(8) == [[1000, 2000, 3000, 4000]] * 8
    assert rig.array.discards["clock_stretch"] == 1
    assert [c.power_downs for c in rig.bank.chips] == [1, 1, 1, 1]  # only the one at open


def test_a_high_phase_of_exactly_50us_the_datasheets_t3_maximum_is_accepted():
    rig = Rig()
    rig.reads(2)
    stall = DriverOnlyStall(rig, edge=30, ns=50_000)
    rig.array.ticks = stall.ticks
    rig.reads(3)
    assert rig.array.discards["clock_stretch"] == 0


def test_a_high_phase_between_the_t3_maximum_and_power_down_is_discarded():
    rig = Rig()
    rig.reads(2)
    stall = DriverOnlyStall(rig, edge=30, ns=55_000)
    rig.array.ticks = stall.ticks
    rig.reads(3)
    assert rig.array.discards["clock_stretch"] == 1
    # ... but the chips cannot have powered down (that needs > 60 µs): no settling to wait out.
    assert rig.array.discards["settling"] == SETTLE_SWEEPS  # only the one at open


def test_sweeps_that_keep_stretching_end_in_a_fault_not_a_hang():
    rig = Rig(timeout=0.3)
    rig.array.ticks = iter(range(0, 10**12, 100_000)).__next__  # every phase "takes" 100 µs
    with pytest.raises(SensorFault, match="50 µs"):
        rig.array.read()


@pytest.mark.parametrize(
    "douts, sck, message",
    [
        (["GPIO5", "GPIO99"], SCK, "GPIO99"),
        (["GPIO5", "banana"], SCK, "banana"),
        (["GPIO5", 5], SCK, "already used"),
        (["GPIO5", "BOARD29"], SCK, "already used"),
        (["GPIO5", "GPIO21"], SCK, "already used as SCK"),
        ([], SCK, "one DOUT pin per chip"),
    ],
)
def test_bad_pins_are_refused_naming_the_pin(douts, sck, message):
    with pytest.raises(PinConfigError, match=message):
        HX711Array(
            douts,
            sck,
            pin_factory=MockFactory(),
            clock=VirtualClock().now,
            sleep=VirtualClock().sleep,
        )


def test_two_cells_on_one_dout_names_the_second_cell():
    with pytest.raises(PinConfigError) as info:
        HX711Array(
            ["GPIO5", "GPIO5"],
            SCK,
            pin_factory=MockFactory(),
            labels=["cell 'a'", "cell 'b'"],
            sleep=lambda s: None,
        )
    assert "cell 'b'" in str(info.value) and "GPIO5" in str(info.value)


def test_pins_are_released_on_close_and_reading_after_close_is_refused():
    rig = Rig()
    with rig.array as arr:
        arr.read()
    assert rig.array.closed
    assert rig.factory.pin(SCK).function == "input"
    with pytest.raises(SensorError, match="closed"):
        rig.array.read()
    rig.array.close()  # twice is fine


def test_works_at_10_samples_per_second():
    rig = Rig(rate=10.0)
    start = rig.clock.now()
    got = rig.reads(5)
    assert got == [[1000, 2000, 3000, 4000]] * 5
    assert rig.clock.now() - start == pytest.approx(1.0, abs=0.11)  # 5 more conversions


def test_stats_count_sweeps_discards_and_pin_operations():
    rig = Rig()
    rig.reads(10)
    s = rig.array.stats
    assert s["frames"] == 10
    assert s["sweeps"] == 10 + SETTLE_SWEEPS + 1
    assert s["discarded"] == SETTLE_SWEEPS + 1
    assert s["discard_reasons"] == {"settling": SETTLE_SWEEPS, "unconfirmed": 1}
    # Two writes per pulse, one group read of every DOUT per pulse, and the warm-up reads,
    # each after a warm-up write of SCK low.
    assert s["pin_ops"] == s["sweeps"] * (2 * 25 + 25 + 2 * WARMUP_READS)


def test_to_signed_is_twos_complement():
    assert to_signed(0x000000) == 0
    assert to_signed(0x7FFFFE) == 8_388_606
    assert to_signed(0x800001) == -8_388_607
    assert to_signed(0xFFFFFE) == -2
    assert word_problem(0xFFFFFF) == "all_ones" and word_problem(0x123456) is None


def test_a_power_pin_is_not_taken_for_a_gpio():
    with pytest.raises(PinConfigError, match="GND, not a GPIO"):
        HX711Array(["GPIO5", "BOARD6"], SCK, pin_factory=MockFactory(), sleep=lambda s: None)


def test_pins_may_be_named_as_gpiozero_names_them():
    clock = VirtualClock()
    factory = MockFactory()
    FakeHX711Bank(
        ["GPIO5", "GPIO6"], "GPIO21", pin_factory=factory, clock=clock.now, values=[-5, 7]
    )
    arr = HX711Array(
        [5, "BOARD31"],
        "J8:40",
        pin_factory=factory,
        clock=clock.now,
        sleep=clock.sleep,
        ticks=clock.ns,
    )
    assert arr.read() == [-5, 7]
    assert arr.dout_names == ["GPIO5", "GPIO6"] and arr.sck_name == "GPIO21"


def test_the_warm_up_writes_make_no_edge_on_sck():
    # SCK is written low where it already is: the chips see exactly 25 rising edges a sweep.
    rig = Rig()
    rig.reads(3)
    stats = rig.array.stats
    # 25 a sweep, and the power-cycle pulse of each reset.
    assert rig.bank.monitor.rising_edges == 25 * stats["sweeps"] + stats["resets"]
