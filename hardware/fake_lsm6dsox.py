"""A register-level fake LSM6DSOX on a fake I2C bus, for tests and the simulated pelvis.

Like :mod:`hardware.fake_hx711`, the fake behaves as the datasheet and builders describe the
real part, not as the driver expects:

- it answers the real register map (WHO_AM_I 0x6C, CTRL1_XL/CTRL2_G ODR and full scale,
  CTRL3_C reset/BDU/auto-increment, STATUS_REG data-ready bits cleared by reading the output,
  little-endian int16 outputs, power-down until configured);
- it samples on its own oscillator: the output data rate is off by ``odr_error`` (the datasheet
  gives the internal oscillator's ODR tolerance as a few percent), so samples do not line up with
  the host's clock;
- its readings carry a zero-rate offset and bias drift (gyroscope), a zero-g offset
  (accelerometer), white noise at the datasheet's noise densities, int16 clipping at full scale;
- the bus fails the way Linux i2c-dev fails: a missing or unplugged device is not acknowledged
  (``OSError(EREMOTEIO)``), a stuck bus times out (``OSError(ETIMEDOUT)``), and a brown-out
  resets the chip's registers to power-down (it stops producing data).

The motion the chip feels comes from ``motion(t)``: the pelvis's obliquity (left side down
positive, as in :class:`~balance_trainer.frames.PelvisSample`), anterior tilt and rotation in
degrees, in the body frame (x right, y forward, z up).
The chip is mounted as the build guide says: on the sacrum, component side facing backward,
its x axis to the person's right and its y axis up (so its z axis points backward).
"""

from __future__ import annotations

import errno
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .lsm6dsox import (
    ACCEL_FS,
    CTRL3_BDU,
    CTRL3_IF_INC,
    CTRL3_SW_RESET,
    GYRO_FS,
    ODR_CODES,
    STATUS_GDA,
    STATUS_XLDA,
    WHO_AM_I_VALUE,
    Reg,
)

# Datasheet typical values (DS12814, table 2) used for the fake's imperfections.
GYRO_NOISE_DPS_RTHZ = 3.8e-3  # rate noise density, high-performance mode
ACCEL_NOISE_G_RTHZ = 75e-6  # acceleration noise density at ±4 g, high-performance mode
GYRO_ZRL_DPS = 1.0  # zero-rate level, typical ±1 dps
ACCEL_ZERO_G = 0.020  # zero-g offset, typical ±20 mg

Motion = Callable[[float], tuple[float, float, float]]


def level(_t: float) -> tuple[float, float, float]:
    """A pelvis that stays level and still."""
    return (0.0, 0.0, 0.0)


def body_to_earth(obliquity_deg: float, tilt_deg: float, rotation_deg: float) -> np.ndarray:
    """Rotation matrix from the pelvis's body axes to earth axes (x right, y forward, z up).

    Rotation about z (rotation, counter-clockwise from above positive), then about the forward
    axis y (obliquity; left side down positive), then about x (anterior tilt positive).
    """
    r, o, p = (math.radians(v) for v in (rotation_deg, -obliquity_deg, tilt_deg))
    rz = np.array([[math.cos(r), -math.sin(r), 0], [math.sin(r), math.cos(r), 0], [0, 0, 1]])
    # Right side down: the body x axis gains a negative z component (rotation about +y by +o).
    ry = np.array([[math.cos(o), 0, math.sin(o)], [0, 1, 0], [-math.sin(o), 0, math.cos(o)]])
    rx = np.array([[1, 0, 0], [0, math.cos(p), -math.sin(p)], [0, math.sin(p), math.cos(p)]])
    return rz @ ry @ rx


# Sensor axes in body axes: sensor x = body x (right), sensor y = body z (up), sensor z = -body y.
SENSOR_FROM_BODY = np.array([[1.0, 0, 0], [0, 0, 1.0], [0, -1.0, 0]])


@dataclass
class ChipFaults:
    """Scripted faults; times are on the chip's clock (s)."""

    unplug_at: float | None = None  # cable pulled: no acknowledgement from then on
    brownout_at: float | None = None  # registers back to reset values: no more data
    clip_from: float | None = None  # from then, a jolt beyond full scale on every axis
    clip_until: float | None = None
    who_am_i: int = WHO_AM_I_VALUE  # another part at the address
    extra_gyro_bias_dps: tuple[float, float, float] = (0.0, 0.0, 0.0)


@dataclass
class FakeLsm6dsox:
    """One fake chip. ``clock`` is the same clock the driver reads (virtual in tests)."""

    clock: Callable[[], float]
    motion: Motion = level
    seed: int = 0
    odr_error: float = 0.012  # +1.2 %: its own oscillator
    noise: bool = True
    faults: ChipFaults = field(default_factory=ChipFaults)

    def __post_init__(self) -> None:
        self.rng = np.random.default_rng(self.seed)
        self.regs = bytearray(0x80)
        self._reset_registers()
        self.gyro_zrl = (
            self.rng.uniform(-GYRO_ZRL_DPS, GYRO_ZRL_DPS, 3) if self.noise else (np.zeros(3))
        )
        self.accel_off = (
            self.rng.uniform(-ACCEL_ZERO_G, ACCEL_ZERO_G, 3) if self.noise else (np.zeros(3))
        )
        self._bias_walk = np.zeros(3)
        self._started_at: float | None = None
        self._index = -1  # index of the sample in the output registers
        self._unread = False
        self.samples_made = 0
        self.samples_read = 0

    # --- chip state ---------------------------------------------------------------------------

    def _reset_registers(self) -> None:
        self.regs[:] = bytes(0x80)
        self.regs[Reg.WHO_AM_I] = self.faults.who_am_i
        self.regs[Reg.CTRL3_C] = CTRL3_IF_INC
        self._started_at = None

    @property
    def _odr_hz(self) -> float | None:
        code_xl = self.regs[Reg.CTRL1_XL] >> 4
        code_g = self.regs[Reg.CTRL2_G] >> 4
        if not code_xl or not code_g:
            return None
        rates = {v: k for k, v in ODR_CODES.items()}
        nominal = rates.get(min(code_xl, code_g))
        return None if nominal is None else nominal * (1 + self.odr_error)

    def present(self) -> bool:
        t = self.clock()
        return self.faults.unplug_at is None or t < self.faults.unplug_at

    def _advance(self) -> None:
        """Bring the output registers up to the chip's latest sample."""
        t = self.clock()
        if self.faults.brownout_at is not None and t >= self.faults.brownout_at:
            self.faults.brownout_at = None
            self._reset_registers()
        odr = self._odr_hz
        if odr is None or self._started_at is None:
            return
        # First sample after the turn-on time (~ 1/ODR plus a few ms; datasheet table 3).
        n = math.floor((t - self._started_at) * odr)
        if n <= self._index:
            return
        made = n - self._index
        self.samples_made += made
        self._index = n
        self._latch(self._started_at + n / odr, odr, made)

    def _latch(self, ts: float, odr: float, steps: int) -> None:
        dt = 1.0 / odr
        o, p, r = self.motion(ts)
        o1, p1, r1 = self.motion(ts - dt)
        rot = body_to_earth(o, p, r)
        rot_prev = body_to_earth(o1, p1, r1)
        # Body angular velocity from the change of orientation over one sample (small angle).
        d = rot_prev.T @ rot
        w_body = np.degrees(np.array([d[2, 1] - d[1, 2], d[0, 2] - d[2, 0], d[1, 0] - d[0, 1]]))
        w_body /= 2 * dt
        up_body = rot.T @ np.array([0.0, 0.0, 1.0])  # specific force at rest: +1 g up
        accel = SENSOR_FROM_BODY @ up_body
        gyro = SENSOR_FROM_BODY @ w_body
        if self.noise:
            bw = odr / 2
            self._bias_walk += self.rng.normal(0, 2e-4 * math.sqrt(steps), 3)  # slow drift, dps
            gyro = gyro + self.gyro_zrl + self._bias_walk
            gyro = gyro + self.rng.normal(0, GYRO_NOISE_DPS_RTHZ * math.sqrt(bw), 3)
            accel = accel + self.accel_off
            accel = accel + self.rng.normal(0, ACCEL_NOISE_G_RTHZ * math.sqrt(bw), 3)
        gyro = gyro + np.array(self.faults.extra_gyro_bias_dps)
        f = self.faults
        if f.clip_from is not None and f.clip_from <= ts < (f.clip_until or math.inf):
            accel = accel + 50.0
            gyro = gyro + 5000.0
        a_code = (self.regs[Reg.CTRL1_XL] >> 2) & 0b11
        g_code = (self.regs[Reg.CTRL2_G] >> 2) & 0b11
        a_scale = next(s for c, s in ACCEL_FS.values() if c == a_code)
        g_scale = next(s for c, s in GYRO_FS.values() if c == g_code)
        raw = [*(gyro / g_scale), *(accel / a_scale)]
        out = bytearray()
        for v in raw:
            iv = int(max(-32768, min(32767, round(float(v)))))
            out += (iv & 0xFFFF).to_bytes(2, "little")
        self.regs[Reg.OUTX_L_G : Reg.OUTX_L_G + 12] = out
        self._unread = True
        self.regs[Reg.STATUS_REG] = STATUS_XLDA | STATUS_GDA

    # --- register access (called by the bus) --------------------------------------------------

    def read(self, reg: int, n: int) -> list[int]:
        self._advance()
        auto_inc = bool(self.regs[Reg.CTRL3_C] & CTRL3_IF_INC)
        addrs = [reg + i if auto_inc else reg for i in range(n)]
        data = [self.regs[a & 0x7F] for a in addrs]
        if any(Reg.OUTX_L_G <= a < Reg.OUTX_L_G + 12 for a in addrs) and self._unread:
            # Reading the output clears the data-ready bits (datasheet, STATUS_REG).
            self._unread = False
            self.samples_read += 1
            self.regs[Reg.STATUS_REG] = 0
        return data

    def write(self, reg: int, value: int) -> None:
        self._advance()
        reg &= 0x7F
        if reg == Reg.CTRL3_C and value & CTRL3_SW_RESET:
            self._reset_registers()
            return
        if reg in (Reg.WHO_AM_I, Reg.STATUS_REG) or Reg.OUTX_L_G <= reg < Reg.OUTX_L_G + 12:
            return  # read-only
        before = self._odr_hz
        self.regs[reg] = value & 0xFF
        if reg == Reg.CTRL3_C:
            self.regs[reg] &= ~CTRL3_SW_RESET & 0xFF
            self.regs[reg] |= value & (CTRL3_BDU | CTRL3_IF_INC)
        if before is None and self._odr_hz is not None:
            self._started_at = self.clock()
            self._index = 0


@dataclass
class FakeI2CBus:
    """A fake ``smbus2.SMBus`` holding fake devices by 7-bit address.

    ``stuck`` makes every transfer time out, as a bus with SDA held low does.
    """

    devices: dict[int, FakeLsm6dsox] = field(default_factory=dict)
    stuck: bool = False
    transfers: int = 0

    def _device(self, addr: int) -> FakeLsm6dsox:
        self.transfers += 1
        if self.stuck:
            raise OSError(errno.ETIMEDOUT, "Connection timed out")
        dev = self.devices.get(addr)
        if dev is None or not dev.present():
            raise OSError(errno.EREMOTEIO, "Remote I/O error")
        return dev

    def read_byte_data(self, i2c_addr: int, register: int) -> int:
        return self._device(i2c_addr).read(register, 1)[0]

    def write_byte_data(self, i2c_addr: int, register: int, value: int) -> None:
        self._device(i2c_addr).write(register, value)

    def read_i2c_block_data(self, i2c_addr: int, register: int, length: int) -> list[int]:
        return self._device(i2c_addr).read(register, length)

    def close(self) -> None:
        pass
