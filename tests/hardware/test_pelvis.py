"""The pelvis sensor: the LSM6DSOX driver against the register-level fake, fusion, faults."""

from __future__ import annotations

import math

import numpy as np
import pytest

from balance_trainer.errors import (
    BoardDisconnected,
    CalibrationError,
    SensorError,
    SensorTimeout,
    UsageError,
)
from balance_trainer.frames import PelvisSample, ZeroState, ZeroStatus
from hardware import lsm6dsox
from hardware.fake_lsm6dsox import ChipFaults, FakeI2CBus, FakeLsm6dsox
from hardware.lsm6dsox import ImuBusStuck, ImuNotFound, Lsm6dsox, Reg
from hardware.pelvis import PelvisSensor, parse_pelvis_spec
from hardware.pelvis_reader import FakeChipSpec, PelvisReader, PelvisReaderSpec

T0 = 1000.0


class VClock:
    def __init__(self) -> None:
        self.t = T0

    def __call__(self) -> float:
        return self.t

    def sleep(self, s: float) -> None:
        self.t += s


def sway(t: float) -> tuple[float, float, float]:
    """Level for 4 s, then obliquity ±6° at 0.4 Hz, tilt ±3°, rotation ±10°."""
    u = t - T0 - 4.0
    if u < 0:
        return (0.0, 0.0, 0.0)
    return (
        6.0 * math.sin(2 * math.pi * 0.4 * u),
        3.0 * math.sin(2 * math.pi * 0.2 * u),
        10.0 * math.sin(2 * math.pi * 0.1 * u),
    )


def rig(motion=sway, faults: ChipFaults | None = None, seed: int = 1, **chip_kw):
    clock = VClock()
    chip = FakeLsm6dsox(
        clock=clock, motion=motion, seed=seed, faults=faults or ChipFaults(), **chip_kw
    )
    bus = FakeI2CBus({0x6A: chip})
    return clock, chip, bus


# --- driver against the fake chip -----------------------------------------------------------


def test_start_configures_104_hz_4_g_500_dps_with_block_data_update():
    clock, chip, bus = rig()
    Lsm6dsox(bus, clock=clock).start(sleep=clock.sleep)
    assert chip.regs[Reg.CTRL1_XL] == 0x48  # ODR 104 Hz (0100), ±4 g (10)
    assert chip.regs[Reg.CTRL2_G] == 0x44  # ODR 104 Hz, ±500 dps (01)
    assert chip.regs[Reg.CTRL3_C] & 0x40  # BDU


def test_level_chip_reads_one_g_up_and_nothing_before_its_first_sample():
    clock, chip, bus = rig(noise=False)
    dev = Lsm6dsox(bus, clock=clock)
    dev.start(sleep=clock.sleep)
    assert dev.poll() is None  # no sample converted yet
    clock.sleep(0.011)
    r = dev.poll()
    assert r is not None and not r.clipped
    # Mounted on the sacrum, the chip's y axis points up: +1 g there, 0 elsewhere.
    assert r.accel_g == pytest.approx((0.0, 1.0, 0.0), abs=2e-4)
    assert r.gyro_dps == pytest.approx((0.0, 0.0, 0.0), abs=0.02)
    assert dev.poll() is None  # the data-ready bits were cleared by reading the output


def test_chip_samples_on_its_own_clock_and_each_sample_is_read_once():
    clock, chip, bus = rig(odr_error=0.03)
    s = PelvisSensor(bus, clock=clock, sleep=clock.sleep)
    n = 0
    while clock.t < T0 + 10.0:
        s.wait_sample()
        n += 1
    assert chip.samples_made == pytest.approx(104 * 1.03 * 10, abs=3)
    assert n == chip.samples_read == chip.samples_made  # none skipped, none read twice


def test_missing_device_says_to_check_the_cable_and_i2cdetect():
    clock = VClock()
    with pytest.raises(ImuNotFound, match="nothing answers at 0x6A.*i2cdetect") as e:
        PelvisSensor(FakeI2CBus(), clock=clock, sleep=clock.sleep)
    assert e.value.exit_status == 1


def test_another_part_at_the_address_is_named_by_its_who_am_i():
    clock, chip, bus = rig(faults=ChipFaults(who_am_i=0x68))
    with pytest.raises(ImuNotFound, match="WHO_AM_I = 0x68"):
        PelvisSensor(bus, clock=clock, sleep=clock.sleep)


def test_stuck_bus_is_a_timeout_naming_the_bus():
    clock, chip, bus = rig()
    bus.stuck = True
    with pytest.raises(ImuBusStuck, match="/dev/i2c-1 is stuck") as e:
        PelvisSensor(bus, clock=clock, sleep=clock.sleep)
    assert isinstance(e.value, TimeoutError)


def test_cable_pulled_mid_session_is_a_disconnect_not_an_angle():
    clock, chip, bus = rig(faults=ChipFaults(unplug_at=T0 + 3.0))
    s = PelvisSensor(bus, clock=clock, sleep=clock.sleep)
    got = []
    with pytest.raises(BoardDisconnected, match="cable came loose"):
        while True:
            got.append(s.wait_sample())
    assert got and max(p.t_s for p in got) < T0 + 3.0


def test_brownout_reset_stops_data_and_is_reported_within_a_quarter_second():
    clock, chip, bus = rig(faults=ChipFaults(brownout_at=T0 + 2.0))
    s = PelvisSensor(bus, clock=clock, sleep=clock.sleep)
    with pytest.raises(SensorTimeout, match="no data"):
        while True:
            s.wait_sample()
    assert T0 + 2.0 < clock.t < T0 + 2.25


def test_clipped_readings_give_nan_never_a_made_up_angle_then_recover():
    clock, chip, bus = rig(
        motion=lambda t: (0.0, 0.0, 0.0),
        faults=ChipFaults(clip_from=T0 + 3.0, clip_until=T0 + 3.2),
    )
    s = PelvisSensor(bus, clock=clock, sleep=clock.sleep)
    s.zero()
    out = []
    while clock.t < T0 + 6.0:
        out.append(s.wait_sample())
    during = [p for p in out if T0 + 3.0 <= p.t_s < T0 + 3.2]
    assert during and all(math.isnan(p.obliquity_deg) for p in during)
    late = [p for p in out if p.t_s > T0 + 4.5]
    assert late and all(abs(p.obliquity_deg) < 1.0 for p in late)


# --- fusion -----------------------------------------------------------------------------------


def test_obliquity_follows_the_true_pelvis_within_half_a_degree_with_noise_and_bias():
    clock, chip, bus = rig(seed=7)
    s = PelvisSensor(bus, clock=clock, sleep=clock.sleep)
    s.zero()
    err_o, err_r = [], []
    while clock.t < T0 + 64.0:
        p = s.wait_sample()
        if p.t_s > T0 + 5.0:
            o, _, r = sway(p.t_s)
            err_o.append(p.obliquity_deg - o)
            err_r.append(p.rotation_deg - r)
    assert np.max(np.abs(err_o)) < 0.5
    assert np.sqrt(np.mean(np.square(err_r))) < 1.0


def test_zeroing_learns_the_gyro_bias_at_rest():
    clock, chip, bus = rig(faults=ChipFaults(extra_gyro_bias_dps=(2.0, -1.5, 0.7)))
    s = PelvisSensor(bus, clock=clock, sleep=clock.sleep)
    s.zero()
    sensor_bias = chip.gyro_zrl + np.array([2.0, -1.5, 0.7])
    body_bias = np.array([sensor_bias[0], -sensor_bias[2], sensor_bias[1]])
    assert s.tracker.gyro_bias_dps == pytest.approx(body_bias, abs=0.02)


def test_zeroing_while_moving_is_refused_with_the_fix():
    clock, chip, bus = rig(motion=lambda t: (8 * math.sin(3 * (t - T0)), 0.0, 0.0))
    s = PelvisSensor(bus, clock=clock, sleep=clock.sleep)
    with pytest.raises(CalibrationError, match="stand level and still"):
        s.zero()


def test_zero_removes_the_mounting_offset():
    clock, chip, bus = rig(motion=lambda t: (4.0, 2.0, 30.0))  # belt clip sits crooked
    s = PelvisSensor(bus, clock=clock, sleep=clock.sleep)
    s.zero()
    p = s.wait_sample()
    assert p.obliquity_deg == pytest.approx(0.0, abs=0.3)
    assert p.rotation_deg == pytest.approx(0.0, abs=0.3)


def test_a_left_side_drop_reads_positive_obliquity():
    # The chip feels the body tilt left-side-down by 5 degrees: obliquity +5.
    clock, chip, bus = rig(motion=lambda t: (5.0 if t > T0 + 3.0 else 0.0, 0.0, 0.0))
    s = PelvisSensor(bus, clock=clock, sleep=clock.sleep)
    s.zero()
    while clock.t < T0 + 5.0:
        p = s.wait_sample()
    assert p.obliquity_deg == pytest.approx(5.0, abs=0.2)
    assert PelvisSample(0.0, p.obliquity_deg, 0.0).drop_deg("left") == pytest.approx(5.0, abs=0.2)


@pytest.mark.parametrize(
    "text, kind, bus, addr",
    [
        (None, "none", 1, 0x6A),
        ("sim", "sim", 1, 0x6A),
        ("i2c", "i2c", 1, 0x6A),
        ("i2c:3:0x6B", "i2c", 3, 0x6B),
        ("I2C:1:106", "i2c", 1, 0x6A),
    ],
)
def test_pelvis_specs(text, kind, bus, addr):
    spec = parse_pelvis_spec(text)
    assert (spec.kind, spec.bus, spec.address) == (kind, bus, addr)


@pytest.mark.parametrize("text", ["imu", "i2c:1", "i2c:x:0x6A", "i2c:1:0x68", "i2c:-1:0x6A"])
def test_bad_pelvis_specs_name_the_accepted_forms(text):
    with pytest.raises(UsageError, match="none, sim, i2c or i2c:BUS:ADDR"):
        parse_pelvis_spec(text)


# --- the reader process (real time, a second or two each) ------------------------------------


def test_reader_process_delivers_fused_samples_in_time_order():
    # How many arrive per second depends on the machine's load (the benchmark measures the
    # rate); here: samples come, each once, in order, at most at the chip's own rate.
    import time

    reader = PelvisReader(PelvisReaderSpec(parse_pelvis_spec("i2c"), fake=FakeChipSpec()))
    with reader.start():
        time.sleep(0.3)
        reader.read()
        t0 = time.monotonic()
        time.sleep(1.0)
        got = reader.read()
        span = time.monotonic() - t0
    assert 10 <= len(got) <= 110 * span
    ts = [p.t_s for p in got]
    assert ts == sorted(ts) and len(set(ts)) == len(ts)
    assert all(abs(p.obliquity_deg) < 2.0 for p in got)  # a level chip reads level


def test_reader_process_reports_a_missing_sensor_at_start():
    reader = PelvisReader(
        PelvisReaderSpec(parse_pelvis_spec("i2c"), fake=FakeChipSpec(missing=True))
    )
    with pytest.raises(ImuNotFound, match="nothing answers"):
        reader.start()


def test_reader_process_reports_a_pulled_cable_after_the_samples_before_it():
    import time

    reader = PelvisReader(
        PelvisReaderSpec(parse_pelvis_spec("i2c"), fake=FakeChipSpec(unplug_after_s=0.5))
    )
    reader.start()
    got = []
    try:
        with pytest.raises(BoardDisconnected, match="cable came loose"):
            end = time.monotonic() + 5.0
            while time.monotonic() < end:
                got += reader.read()
                time.sleep(0.05)
    finally:
        reader.close()
    assert got


def _zero_in_reader(fake: FakeChipSpec) -> tuple[ZeroStatus, list]:
    """Start a reader on ``fake``, zero it without waiting, and collect what follows."""
    import time

    reader = PelvisReader(PelvisReaderSpec(parse_pelvis_spec("i2c"), fake=fake))
    with reader.start():
        time.sleep(0.3)
        reader.start_zero()
        end = time.monotonic() + 6.0
        status = reader.zero_status()
        seen = [status.progress]
        while status.state is ZeroState.RUNNING and time.monotonic() < end:
            time.sleep(0.05)
            reader.read()
            status = reader.zero_status()
            seen.append(status.progress)
        time.sleep(0.3)
        after = reader.read()  # the reader goes on either way
    assert seen == sorted(seen)  # the fill only grows
    return status, after


def test_zeroing_in_the_reader_process_waits_for_nothing_and_zeroes_a_still_pelvis():
    status, after = _zero_in_reader(FakeChipSpec())
    assert status.state is ZeroState.ZEROED and status.progress == 1.0
    assert after and all(abs(p.obliquity_deg) < 1.0 for p in after)
    assert all(math.isfinite(p.rotation_deg) for p in after)  # zeroed: rotation has a reference


def test_zeroing_in_the_reader_process_refuses_a_moving_pelvis_and_keeps_reading():
    status, after = _zero_in_reader(FakeChipSpec(sway_deg=3.0))
    assert status.state is ZeroState.REFUSED
    assert "the pelvis moved during zeroing" in status.message and "zero again" in status.message
    assert after  # not a dead sensor: the person can simply try again


def test_errors_are_sensor_errors_with_exit_status_1():
    for cls in (ImuNotFound, ImuBusStuck):
        assert issubclass(cls, SensorError) and cls("x").exit_status == 1
    assert lsm6dsox.WHO_AM_I_VALUE == 0x6C
