"""The fake HX711 follows the datasheet; checked with a plain bit-banger written here."""

from __future__ import annotations

import math

import pytest
from gpiozero.pins.mock import MockFactory

from balance_trainer.errors import UsageError
from hardware.fake_hx711 import (
    ChipFaults,
    FakeBoardSpec,
    FakeHX711,
    FakeHX711Bank,
    VirtualClock,
    parse_fault,
)

PERIOD_80 = 1 / 80


@pytest.fixture
def factory():
    return MockFactory()


@pytest.fixture
def clock():
    return VirtualClock()


def make_chip(factory, clock, **kw):
    chip = FakeHX711("GPIO5", "GPIO21", pin_factory=factory, clock=clock.now, **kw)
    sck = factory.pin("GPIO21")
    sck.function = "output"
    sck.state = False
    dout = factory.pin("GPIO5")
    return chip, sck, dout


def settle(chip, sck, dout, clock, pulses=25):
    """Read away the power-on settling conversions."""
    for _ in range(5):
        wait_ready(dout, clock)
        bitbang(sck, dout, pulses)


def wait_ready(dout, clock, limit=1.0):
    end = clock.now() + limit
    while dout.state:
        assert clock.now() < end, "fake chip never became ready"
        clock.sleep(0.0005)


def bitbang(sck, dout, pulses=25):
    """The obvious reader: pulse, then sample DOUT, 24 times; then the extra pulses."""
    word = 0
    for k in range(pulses):
        sck.state = True
        sck.state = False
        if k < 24:
            word = (word << 1) | int(dout.state)
    return word


def signed(word):
    return word - (1 << 24) if word & 0x800000 else word


def test_dout_is_high_until_the_first_conversion_then_low(factory, clock):
    chip, sck, dout = make_chip(factory, clock, phase_s=0.01)
    assert dout.state is True
    clock.sleep(0.0099)
    assert dout.state is True
    clock.sleep(0.0002)
    assert dout.state is False


@pytest.mark.parametrize(
    "value, word",
    [(5, 0x000005), (-2, 0xFFFFFE), (-(1 << 23) + 3, 0x800003), ((1 << 23) - 3, 0x7FFFFD), (0, 0)],
)
def test_bits_come_out_msb_first_in_twos_complement(factory, clock, value, word):
    chip, sck, dout = make_chip(factory, clock, value=value)
    settle(chip, sck, dout, clock)
    wait_ready(dout, clock)
    assert bitbang(sck, dout) == word


def test_pulse_25_pulls_dout_high_until_the_next_conversion(factory, clock):
    chip, sck, dout = make_chip(factory, clock, value=0)  # all-zero bits keep DOUT low
    settle(chip, sck, dout, clock)
    wait_ready(dout, clock)
    bitbang(sck, dout, pulses=24)
    assert dout.state is False
    sck.state = True
    sck.state = False
    assert dout.state is True
    assert chip.pulses_per_read[-1] == 25


def test_input_out_of_range_saturates_at_full_scale(factory, clock):
    chip, sck, dout = make_chip(factory, clock, value=1e9)
    settle(chip, sck, dout, clock)
    wait_ready(dout, clock)
    assert bitbang(sck, dout) == 0x7FFFFF


def test_26_pulses_switch_the_next_conversions_to_channel_b_after_settling(factory, clock):
    chip, sck, dout = make_chip(factory, clock, value=100_000, value_b=1234)
    settle(chip, sck, dout, clock)
    words = []
    for _ in range(7):
        wait_ready(dout, clock)
        words.append(signed(bitbang(sck, dout, pulses=26)))
    assert words[0] == 100_000  # read before the switch took effect
    assert words[1] != 1234  # settling after the channel change
    assert words[-1] == 1234
    assert chip.mode == ("B", 32)


def test_27_pulses_select_channel_a_gain_64_which_halves_the_counts(factory, clock):
    chip, sck, dout = make_chip(factory, clock, value=100_000)
    settle(chip, sck, dout, clock)
    for _ in range(7):
        wait_ready(dout, clock)
        last = signed(bitbang(sck, dout, pulses=27))
    assert last == 50_000
    assert chip.mode == ("A", 64)


def test_sck_high_past_60us_powers_down_and_low_resets_to_channel_a_128(factory, clock):
    chip, sck, dout = make_chip(factory, clock, value=100_000, value_b=7)
    settle(chip, sck, dout, clock, pulses=26)  # now on channel B / 32
    assert chip.mode == ("B", 32)
    sck.state = True
    clock.sleep(61e-6)
    assert dout.state is True  # powered down
    assert chip.powered_down
    sck.state = False
    assert chip.power_downs == 1
    assert chip.mode == ("A", 128)
    for _ in range(6):
        wait_ready(dout, clock)
        last = signed(bitbang(sck, dout))
    assert last == 100_000


def test_sck_high_for_under_60us_does_not_power_down(factory, clock):
    chip, sck, dout = make_chip(factory, clock, value=1)
    sck.state = True
    clock.sleep(59e-6)
    sck.state = False
    assert chip.power_downs == 0


def test_after_a_reset_the_first_four_conversions_are_unsettled(factory, clock):
    chip, sck, dout = make_chip(factory, clock, value=100_000)
    got = []
    for _ in range(6):
        wait_ready(dout, clock)
        got.append(signed(bitbang(sck, dout)))
    assert all(v != 100_000 for v in got[:4])
    assert got[4:] == [100_000, 100_000]


@pytest.mark.parametrize("rate, expected", [(80, 80), (10, 10)])
def test_conversions_come_at_the_rate_pin_rate(factory, clock, rate, expected):
    chip, sck, dout = make_chip(factory, clock, rate=rate)
    for _ in range(2000):
        clock.sleep(0.0005)
        chip.update()
        if clock.now() >= 0.999:
            break
    assert chip.conversions == expected


def test_a_rate_no_hx711_can_run_at_is_refused(factory, clock):
    with pytest.raises(ValueError, match="10 .*80-94"):
        make_chip(factory, clock, rate=400)


def test_an_unread_conversion_is_overwritten_and_counted(factory, clock):
    chip, sck, dout = make_chip(factory, clock, value=1)
    clock.sleep(3 * PERIOD_80 + 1e-4)
    chip.update()
    assert chip.conversions == 4
    assert chip.overruns == 3


def test_stuck_high_dout_never_signals_ready(factory, clock):
    chip, sck, dout = make_chip(factory, clock, faults=ChipFaults(stuck="high"))
    clock.sleep(1.0)
    assert dout.state is True


def test_stuck_low_dout_reads_zeros_and_stays_low_after_pulse_25(factory, clock):
    chip, sck, dout = make_chip(factory, clock, value=1234, faults=ChipFaults(stuck="low"))
    assert dout.state is False
    assert bitbang(sck, dout) == 0
    assert dout.state is False


def test_scripted_saturation_spikes_and_garbage(factory, clock):
    f = MockFactory()
    clock2 = VirtualClock()
    bank = FakeHX711Bank(
        ["GPIO5", "GPIO6", "GPIO13"],
        "GPIO21",
        pin_factory=f,
        clock=clock2.now,
        values=[10, 10, 10],
        phases=[0, 0, 0],
        faults={
            0: ChipFaults(saturate="low"),
            1: ChipFaults(spike_every=2),
            2: ChipFaults(garbage=True),
        },
    )
    clock2.sleep(0.001)
    for c in bank.chips:
        c.update()
    words = [c.word for c in bank.chips]
    assert words[0] == 0x800000
    clock2.sleep(PERIOD_80)
    bank.chips[1].update()
    assert bank.chips[1].word == (10 * 2 // 5) ^ (1 << 22)  # 2nd conversion, still settling
    garbage = bank.chips[2]
    words = set()
    for _ in range(20):
        clock2.sleep(PERIOD_80)
        garbage.update()
        words.add(garbage.word)
    assert len(words) >= 10 and 10 not in words


def test_late_data_is_ready_later_than_its_neighbours(factory, clock):
    f = MockFactory()
    bank = FakeHX711Bank(
        ["GPIO5", "GPIO6"],
        "GPIO21",
        pin_factory=f,
        clock=clock.now,
        phases=[0, 0],
        faults={1: ChipFaults(late_s=0.004)},
    )
    clock.sleep(0.001)
    assert [f.pin(p).state for p in ("GPIO5", "GPIO6")] == [False, True]
    clock.sleep(0.004)
    assert f.pin("GPIO6").state is False
    assert [c.conversions for c in bank.chips] == [1, 1]


def test_delay_next_shifts_one_conversion(factory, clock):
    chip, sck, dout = make_chip(factory, clock, phase_s=0.0)
    chip.delay_next(0.05)
    clock.sleep(0.049)
    assert dout.state is True
    clock.sleep(0.002)
    assert dout.state is False


def test_preemption_while_sck_high_powers_the_bank_down(clock):
    f = MockFactory()
    bank = FakeHX711Bank(["GPIO5", "GPIO6"], "GPIO21", pin_factory=f, clock=clock.now)
    sck = f.pin("GPIO21")
    sck.function = "output"
    bank.preempt(1, 100e-6)
    sck.state = True
    sck.state = False
    assert [c.power_downs for c in bank.chips] == [1, 1]
    assert bank.rising_edges == 1
    assert bank.monitor.longest_high_s == pytest.approx(100e-6)


def test_a_pin_opened_before_the_fake_is_refused():
    f = MockFactory()
    f.pin("GPIO21")
    with pytest.raises(ValueError, match="before the fake chips"):
        FakeHX711Bank(["GPIO5"], "GPIO21", pin_factory=f, clock=VirtualClock().now)


def test_an_unplugged_chip_leaves_dout_at_its_pull_up():
    f = MockFactory()
    clock = VirtualClock()
    bank = FakeHX711Bank(["GPIO5"], "GPIO21", pin_factory=f, clock=clock.now, phases=[0])
    dout = f.pin("GPIO5")
    dout.pull = "up"
    bank.close()
    clock.sleep(0.1)
    assert dout.state is True


def test_parse_fault_targets_one_cell_or_all():
    names = ["a", "b", "c"]
    one = parse_fault("stuck-high:b", names)
    assert one == {1: ChipFaults(stuck="high")}
    every = parse_fault("late=0.01", names)
    assert set(every) == {0, 1, 2} and every[2].late_s == 0.01
    both = parse_fault("spike:a=5", names, parse_fault("noisy:a", names))
    assert both[0].spike_every == 5 and both[0].noise_factor == 50


@pytest.mark.parametrize(
    "spec, message",
    [
        ("melt:a", "unknown fault 'melt'"),
        ("stuck-high:zz", "no cell 'zz'"),
        ("late:a=soon", "not a number"),
        ("saturate:a=sideways", "=high or =low"),
    ],
)
def test_parse_fault_rejects_bad_specs_with_the_fix(spec, message):
    with pytest.raises(UsageError, match=message):
        parse_fault(spec, ["a", "b"])


def test_person_load_puts_the_whole_weight_on_the_cells_at_the_sway_cop():
    x, y = [-190.0, -50.0, 50.0, 190.0], [0.0, 0.0, 0.0, 0.0]
    spec = FakeBoardSpec.for_cells(
        ["GPIO5", "GPIO6", "GPIO13", "GPIO19"], "GPIO21", x, y, seed=3, mass_kg=70.0, step_on_s=1.0
    )
    values = spec.value_functions()
    for t in (0.5, 3.0, 7.25):
        forces = [(v(t) - o) * s for v, o, s in zip(values, spec.offsets, spec.scales, strict=True)]
        total = sum(forces)
        if t < 1.0:
            assert total == pytest.approx(0.0, abs=1e-6)
            continue
        assert total == pytest.approx(70.0 * 9.80665, rel=1e-9)
        cop = sum(f * xi for f, xi in zip(forces, x, strict=True)) / total
        assert abs(cop) < 15.0 and math.isfinite(cop)
        assert all(f > 0 for f in forces)
