"""The pelvis sensor: an LSM6DSOX on a belt clip, fused into pelvic obliquity and rotation.

A scale sees the load under the foot, not the pelvis. This module measures the pelvis itself:
it reads the accelerometer and gyroscope (:mod:`hardware.lsm6dsox`), fuses them with the
maintained ``imufusion`` AHRS (Madgwick's revised complementary filter, x-io Technologies)
rather than a hand-written filter, and reports :class:`~balance_trainer.frames.PelvisSample`
values on the same monotonic clock as the board's frames:

- **obliquity** (frontal-plane tilt, degrees; positive = the left side lower), and
- **rotation** (transverse plane, degrees; positive = counter-clockwise from above),

both zeroed by :meth:`PelvisSensor.zero` while the person stands level and still on both feet,
which also learns the gyroscope's bias at rest. Which side is "lifted" is the board's
knowledge: :meth:`balance_trainer.frames.PelvisSample.drop_deg` turns obliquity into the drop
of the lifted side.

Never a made-up angle: while any axis is clipped, and for the filter's recovery time after,
the angles are NaN; a chip that stops producing data or a bus fault raises a sensor error.

Sensor specs (``--pelvis``): ``none``; ``sim`` (the simulated person's pelvis through the
register-level fake chip and this same code); ``i2c`` or ``i2c:BUS:ADDR`` (e.g. ``i2c:1:0x6A``).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from balance_trainer.errors import CalibrationError, SensorError, SensorTimeout, UsageError
from balance_trainer.frames import PelvisSample

from .fake_lsm6dsox import SENSOR_FROM_BODY
from .lsm6dsox import DEFAULT_ADDRESS, I2CBus, ImuReading, Lsm6dsox

# How long the chip may stay silent before it is declared stopped (20 samples at 104 Hz).
STALL_TIMEOUT_S = 0.2
# After clipping the filter leans on the gyroscope; give the accelerometer this long to pull
# the estimate back (imufusion's recovery at gain 0.5 settles within ~0.3 s).
CLIP_HOLDOFF_S = 0.5
ZERO_SECONDS = 2.0
# Still enough to learn a bias: gyro spread under this (dps) and |a| within 5 % of 1 g.
STILL_GYRO_STD_DPS = 1.5
STILL_ACCEL_TOL_G = 0.05


@dataclass(frozen=True)
class PelvisSpec:
    """A parsed ``--pelvis`` value."""

    kind: str  # "none", "sim" or "i2c"
    bus: int = 1
    address: int = DEFAULT_ADDRESS

    @property
    def bus_name(self) -> str:
        return f"/dev/i2c-{self.bus}"


def parse_pelvis_spec(text: str | None) -> PelvisSpec:
    """Parse ``none``, ``sim``, ``i2c`` or ``i2c:BUS:ADDR``.

    Raises
    ------
    UsageError
        Anything else, naming the value and the accepted forms.
    """
    value = (text or "none").strip().lower()
    if value in ("none", "sim", "i2c"):
        return PelvisSpec(value)
    parts = value.split(":")
    if parts[0] == "i2c" and len(parts) == 3:
        try:
            bus = int(parts[1], 10)
            addr = int(parts[2], 0)
        except ValueError:
            bus, addr = -1, -1
        if bus >= 0 and addr in (0x6A, 0x6B):
            return PelvisSpec("i2c", bus, addr)
    raise UsageError(
        f"--pelvis {text!r} is not a pelvis sensor; use none, sim, i2c or i2c:BUS:ADDR "
        "(e.g. i2c:1:0x6A; the LSM6DSOX answers at 0x6A or 0x6B)"
    )


def _body(reading: ImuReading) -> tuple[np.ndarray, np.ndarray]:
    """The reading in body axes (x right, y forward, z up), per the mounting in the guide."""
    to_body = SENSOR_FROM_BODY.T
    return to_body @ np.array(reading.gyro_dps), to_body @ np.array(reading.accel_g)


class PelvisTracker:
    """Sensor fusion from IMU readings to pelvis angles (no I/O).

    Parameters
    ----------
    odr_hz : float
        Nominal sample rate; the filter is stepped by the measured interval between samples.
    gain : float
        imufusion's AHRS gain (0.5 is its documented default).
    """

    def __init__(self, odr_hz: float = 104.0, gain: float = 0.5) -> None:
        import imufusion  # a compiled extension: loaded with the tracker, not at import

        self._fusion = imufusion
        self.odr_hz = odr_hz
        self.ahrs = imufusion.Ahrs()
        self.ahrs.set_settings(
            imufusion.AhrsSettings(
                sample_rate=odr_hz,
                convention=imufusion.CONVENTION_NWU,
                gain=gain,
                gyroscope_range=500.0,
                acceleration_rejection=10.0,
                magnetic_rejection=0.0,
                rejection_timeout=int(5 * odr_hz),
            )
        )
        self.gyro_bias_dps = np.zeros(3)
        self.zero_obliquity_deg = 0.0
        self.zero_heading_deg = 0.0
        self.zeroed = False
        self._last_t: float | None = None
        self._clip_until = -math.inf

    def _step(self, r: ImuReading) -> None:
        gyro, accel = _body(r)
        dt = 1.0 / self.odr_hz if self._last_t is None else r.t - self._last_t
        dt = min(max(dt, 0.25 / self.odr_hz), 4.0 / self.odr_hz)
        self._last_t = r.t
        self.ahrs.set_sample_period(dt)
        self.ahrs.update_no_magnetometer(gyro - self.gyro_bias_dps, accel)

    def _angles(self) -> tuple[float, float]:
        m = self._fusion.quaternion_to_matrix(self.ahrs.get_quaternion())
        # Body x (the right side) in earth axes: rising means the left side is lower.
        right = m[:, 0]
        obliquity = math.degrees(math.asin(max(-1.0, min(1.0, float(right[2])))))
        fwd = m[:, 1]
        heading = math.degrees(math.atan2(float(fwd[1]), float(fwd[0])))
        return obliquity, heading

    def update(self, r: ImuReading) -> PelvisSample:
        """Fuse one reading; return the angles (NaN while they cannot be trusted)."""
        if r.clipped:
            self._clip_until = r.t + CLIP_HOLDOFF_S
        self._step(r)
        if r.t < self._clip_until:
            return PelvisSample(r.t, math.nan, math.nan)
        obliquity, heading = self._angles()
        # Without a magnetometer the heading has no reference until zeroed: no rotation before.
        rot = (heading - self.zero_heading_deg + 180.0) % 360.0 - 180.0 if self.zeroed else math.nan
        return PelvisSample(r.t, obliquity - self.zero_obliquity_deg, rot)

    def zero(self, readings: list[ImuReading]) -> None:
        """Learn the gyro bias and the level pose from readings taken standing still.

        Raises
        ------
        CalibrationError
            The readings are too few, clipped, or not still (the person moved).
        """
        need = int(ZERO_SECONDS * self.odr_hz * 0.8)
        if len(readings) < need:
            raise CalibrationError(
                f"pelvis zeroing got {len(readings)} readings in {ZERO_SECONDS:g} s, needs "
                f"{need}: check the sensor cable and run the zeroing again"
            )
        gyro = np.array([_body(r)[0] for r in readings])
        accel = np.array([_body(r)[1] for r in readings])
        norm = np.linalg.norm(accel, axis=1)
        if (
            any(r.clipped for r in readings)
            or float(gyro.std(axis=0).max()) > STILL_GYRO_STD_DPS
            or float(np.abs(norm - 1.0).max()) > STILL_ACCEL_TOL_G
        ):
            raise CalibrationError(
                "the pelvis moved during zeroing: stand level and still on both feet for "
                f"{ZERO_SECONDS:g} s and zero again"
            )
        self.gyro_bias_dps = gyro.mean(axis=0)
        # Start the filter at the gravity direction seen at rest, then let it settle.
        self.ahrs.restart()
        self._last_t = None
        for r in readings:
            self._step(r)
        for r in readings[-int(self.odr_hz * 0.5) :]:
            self._step(r)
        self.zero_obliquity_deg, self.zero_heading_deg = 0.0, 0.0
        self.zero_obliquity_deg, self.zero_heading_deg = self._angles()
        self._clip_until = -math.inf
        self.zeroed = True


class PelvisSensor:
    """Driver + fusion + stall detection: the pelvis sensor as the rest of the program sees it.

    Parameters
    ----------
    bus : I2CBus
        ``smbus2.SMBus(n)`` on a Pi, or a :class:`~hardware.fake_lsm6dsox.FakeI2CBus`.
    clock, sleep : callables
        Monotonic clock and sleep; virtual in tests.
    """

    def __init__(
        self,
        bus: I2CBus,
        address: int = DEFAULT_ADDRESS,
        *,
        bus_name: str = "/dev/i2c-1",
        odr_hz: float = 104.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.chip = Lsm6dsox(bus, address, bus_name=bus_name, odr_hz=odr_hz, clock=clock)
        self.tracker = PelvisTracker(odr_hz)
        self.clock = clock
        self.sleep = sleep
        self.samples_read = 0
        self.chip.start(sleep=sleep)
        self._started_t = clock()

    @property
    def period_s(self) -> float:
        return 1.0 / self.chip.odr_hz

    def _check_alive(self) -> None:
        last = self.chip.last_data_t
        since = self.clock() - (self._started_t if last is None else last)
        if since > STALL_TIMEOUT_S + (0.1 if last is None else 0.0):
            raise SensorTimeout(
                f"{self.chip.where} has produced no data for {since:.2f} s (it lost power "
                "or reset): check the cable and the 3V3 supply, then restart the session"
            )

    def read_raw(self) -> ImuReading | None:
        """One new reading if there is one (checks for a silent chip)."""
        r = self.chip.poll()
        if r is None:
            self._check_alive()
            return None
        self.samples_read += 1
        return r

    def poll(self) -> PelvisSample | None:
        """One new fused sample, or None when the chip has nothing new yet."""
        r = self.read_raw()
        return None if r is None else self.tracker.update(r)

    def wait_sample(self) -> PelvisSample:
        """Sleep until shortly before the next sample is due, then poll for it.

        The chip runs on its own oscillator (a few percent off nominal), so the wait ends at
        90 % of a period after the last sample and polls in tenths of a period from there: about
        two bus reads per sample instead of a busy poll.
        """
        last = self.chip.last_data_t
        if last is not None:
            wait = last + 0.9 * self.period_s - self.clock()
            if wait > 0:
                self.sleep(wait)
        while True:
            s = self.poll()
            if s is not None:
                return s
            self.sleep(self.period_s / 10)

    def zero(self, seconds: float = ZERO_SECONDS) -> None:
        """Zero the angles and learn the gyro bias: the person stands level and still."""
        readings: list[ImuReading] = []
        end = self.clock() + seconds
        while self.clock() < end:
            r = self.read_raw()
            if r is None:
                self.sleep(self.period_s / 4)
                continue
            readings.append(r)
        self.tracker.zero(readings)

    def close(self) -> None:
        self.chip.stop()


class _StepClock:
    """A clock that moves only by its own sleeps (virtual time for :func:`zero_through_chip`)."""

    def __init__(self, start: float) -> None:
        self.t = start

    def __call__(self) -> float:
        return self.t

    def sleep(self, dt: float) -> None:
        self.t += max(0.0, dt)


def zero_through_chip(
    t_s: np.ndarray, obliquity_deg: np.ndarray, rotation_deg: np.ndarray, *, seed: int = 0
) -> PelvisTracker:
    """Zero a :class:`PelvisSensor` worn through a given pelvis motion, on the fake chip.

    The simulated sensor's zeroing: the pelvis the simulated person had over the window
    (``t_s``, s; angles in degrees, as :class:`~balance_trainer.frames.PelvisSample`) moves the
    register-level fake LSM6DSOX (its noise, bias and own oscillator included), and the real
    driver and :meth:`PelvisSensor.zero` read it in virtual time: the same stillness checks
    refuse the same movements a real sensor would.

    Raises
    ------
    CalibrationError
        The pelvis moved during the window (the message says what to do).
    """
    from .fake_lsm6dsox import FakeI2CBus, FakeLsm6dsox

    t = np.asarray(t_s, dtype=float)
    o = np.asarray(obliquity_deg, dtype=float)
    r = np.asarray(rotation_deg, dtype=float)
    seconds = float(t[-1] - t[0]) if t.size > 1 else 0.0

    def motion(ts: float) -> tuple[float, float, float]:
        return float(np.interp(ts, t, o)), 0.0, float(np.interp(ts, t, r))

    # The chip starts just before the window so its first sample lies at the window's start.
    clock = _StepClock(float(t[0]) - 0.05 if t.size else 0.0)
    bus = FakeI2CBus()
    bus.devices[DEFAULT_ADDRESS] = FakeLsm6dsox(clock=clock, motion=motion, seed=seed)
    sensor = PelvisSensor(bus, bus_name="simulated", clock=clock, sleep=clock.sleep)
    clock.t = max(clock.t, float(t[0]) if t.size else 0.0)
    sensor.zero(seconds)
    return sensor.tracker


def open_i2c_bus(spec: PelvisSpec) -> I2CBus:
    """Open the Pi's I2C bus for ``spec`` (smbus2), with a clear message when it is missing."""
    try:
        from smbus2 import SMBus
    except ImportError:  # pragma: no cover - smbus2 is a dependency
        raise SensorError(
            "the pelvis sensor needs smbus2: reinstall balance-trainer (pip install -e .)"
        ) from None
    try:
        return SMBus(spec.bus)  # type: ignore[no-any-return]
    except (FileNotFoundError, PermissionError) as exc:
        raise SensorError(
            f"cannot open {spec.bus_name} ({exc.strerror}): enable I2C "
            "(sudo raspi-config nonint do_i2c 0), add the user to the i2c group, and reboot"
        ) from None
