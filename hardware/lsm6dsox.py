"""Driver for the ST LSM6DSOX (and pin-compatible LSM6DSO) 6-axis IMU on an I2C bus.

The pelvis sensor is a small accelerometer + gyroscope breakout on a belt clip over the sacrum.
This module speaks the chip's register protocol over any object with the three
``smbus2.SMBus`` methods used here (``read_byte_data``, ``write_byte_data``,
``read_i2c_block_data``), so the same code runs against the Pi's ``/dev/i2c-1`` and against
:mod:`hardware.fake_lsm6dsox` in tests.

Register addresses, bit fields and sensitivities are from ST's datasheet DS12814 (LSM6DSOX) /
DS12140 (LSM6DSO): WHO_AM_I 0x0F reads 0x6C; CTRL1_XL 0x10 and CTRL2_G 0x11 hold the output
data rate (ODR, bits 7:4) and full scale (bits 3:2); CTRL3_C 0x12 holds BDU (bit 6), IF_INC
(bit 2, auto-increment, set after reset) and SW_RESET (bit 0); STATUS_REG 0x1E has GDA (bit 1)
and XLDA (bit 0); gyroscope output OUTX_L_G..OUTZ_H_G at 0x22-0x27 and accelerometer output
OUTX_L_A..OUTZ_H_A at 0x28-0x2D, little-endian two's complement.

Errors from the bus are turned into this project's sensor errors, each naming the bus, the
address and the fix: a missing device (the address is not acknowledged: ``EREMOTEIO`` / ``ENXIO``
from the kernel), a stuck bus (``ETIMEDOUT`` / ``EAGAIN``), a chip that stops producing data,
and readings at full scale (clipping). A reading that could not be taken is never made up.
"""

from __future__ import annotations

import errno
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum
from typing import Protocol

from balance_trainer.errors import BoardDisconnected, SensorError, SensorFault, SensorTimeout

WHO_AM_I_VALUE = 0x6C
DEFAULT_ADDRESS = 0x6A  # SA0/SDO low; 0x6B with it high (most breakouts' solder jumper)
ADDRESSES = (0x6A, 0x6B)


class Reg(IntEnum):
    """Registers used by the driver (datasheet section 8, register mapping)."""

    WHO_AM_I = 0x0F
    CTRL1_XL = 0x10
    CTRL2_G = 0x11
    CTRL3_C = 0x12
    STATUS_REG = 0x1E
    OUT_TEMP_L = 0x20
    OUTX_L_G = 0x22
    OUTX_L_A = 0x28


# ODR codes (bits 7:4 of CTRL1_XL / CTRL2_G) in high-performance mode.
ODR_CODES = {12.5: 0x1, 26.0: 0x2, 52.0: 0x3, 104.0: 0x4, 208.0: 0x5, 416.0: 0x6}
# Full-scale codes (bits 3:2) and sensitivities (datasheet table 2).
ACCEL_FS = {2: (0b00, 0.061e-3), 4: (0b10, 0.122e-3), 8: (0b11, 0.244e-3), 16: (0b01, 0.488e-3)}
GYRO_FS = {250: (0b00, 8.75e-3), 500: (0b01, 17.5e-3), 1000: (0b10, 35e-3), 2000: (0b11, 70e-3)}

CTRL3_BDU = 0x40
CTRL3_IF_INC = 0x04
CTRL3_SW_RESET = 0x01
STATUS_XLDA = 0x01
STATUS_GDA = 0x02

INT16_MIN, INT16_MAX = -32768, 32767

# errno values the Linux i2c-dev / i2c-bcm2835 stack returns for the faults we tell apart.
_NO_ACK = {errno.EREMOTEIO, errno.ENXIO, errno.ENODEV}
_BUS_STUCK = {errno.ETIMEDOUT, errno.EAGAIN, errno.EBUSY}


class I2CBus(Protocol):
    """The part of ``smbus2.SMBus`` the driver uses."""

    def read_byte_data(self, i2c_addr: int, register: int) -> int: ...

    def write_byte_data(self, i2c_addr: int, register: int, value: int) -> None: ...

    def read_i2c_block_data(self, i2c_addr: int, register: int, length: int) -> list[int]: ...


class ImuNotFound(SensorError):
    """Nothing answers at the sensor's I2C address, or something else does."""


class ImuBusStuck(SensorTimeout):
    """The I2C bus does not complete transfers (SDA or SCL held low)."""


@dataclass(frozen=True)
class ImuReading:
    """One accelerometer + gyroscope sample in the sensor's own axes.

    t : float
        Monotonic time (s) at which the sample was read.
    accel_g : tuple of 3 float
        Specific force in g (at rest, +1 g on the axis pointing up).
    gyro_dps : tuple of 3 float
        Angular rate in degrees per second (right-handed, counter-clockwise positive).
    clipped : bool
        True when any axis sat at full scale: the true value is larger than reported.
    """

    t: float
    accel_g: tuple[float, float, float]
    gyro_dps: tuple[float, float, float]
    clipped: bool


def _int16(lo: int, hi: int) -> int:
    v = lo | (hi << 8)
    return v - 0x10000 if v & 0x8000 else v


class Lsm6dsox:
    """One LSM6DSOX on an I2C bus.

    Parameters
    ----------
    bus : I2CBus
        An open ``smbus2.SMBus`` (or the fake bus).
    address : int
        7-bit I2C address, 0x6A or 0x6B.
    bus_name : str
        How the bus is named in messages, e.g. ``/dev/i2c-1``.
    odr_hz : float
        Output data rate for both sensors; 104 Hz by default (>= 100 Hz asked for).
    accel_fs_g, gyro_fs_dps : int
        Full scales. ±4 g and ±500 dps leave room for a stumble without clipping while keeping
        0.12 mg and 17.5 mdps resolution.
    clock : callable
        Monotonic clock for timestamps.
    """

    def __init__(
        self,
        bus: I2CBus,
        address: int = DEFAULT_ADDRESS,
        *,
        bus_name: str = "/dev/i2c-1",
        odr_hz: float = 104.0,
        accel_fs_g: int = 4,
        gyro_fs_dps: int = 500,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if address not in ADDRESSES:
            raise ImuNotFound(
                f"pelvis sensor address 0x{address:02X} is not an LSM6DSOX address; "
                "use 0x6A (SA0 low) or 0x6B (SA0 high)"
            )
        if odr_hz not in ODR_CODES:
            raise ValueError(f"odr_hz must be one of {sorted(ODR_CODES)}, not {odr_hz}")
        self.bus = bus
        self.address = address
        self.bus_name = bus_name
        self.odr_hz = odr_hz
        self._accel_code, self._accel_scale = ACCEL_FS[accel_fs_g]
        self._gyro_code, self._gyro_scale = GYRO_FS[gyro_fs_dps]
        self._clock = clock
        self._last_data_t: float | None = None

    @property
    def where(self) -> str:
        return f"the pelvis sensor (LSM6DSOX at 0x{self.address:02X} on {self.bus_name})"

    # --- bus access with error mapping --------------------------------------------------------

    def _fault(self, exc: OSError, doing: str) -> SensorError:
        code = exc.errno
        if code in _NO_ACK:
            if self._last_data_t is not None:
                return BoardDisconnected(
                    f"{self.where} stopped answering while {doing}: the cable came loose; "
                    "plug the belt clip's cable back in and restart the session"
                )
            return ImuNotFound(
                f"nothing answers at 0x{self.address:02X} on {self.bus_name}: check the "
                "4-wire cable (3V3, GND, SDA to GPIO2, SCL to GPIO3), the address jumper, "
                "and `i2cdetect -y 1`"
            )
        if code in _BUS_STUCK:
            return ImuBusStuck(
                f"the I2C bus {self.bus_name} is stuck while {doing} (a line held low): "
                "unplug the sensor cable, power-cycle the sensor, and keep the cable under 1 m"
            )
        return SensorError(f"{self.where}: I2C error while {doing}: {exc}; check the wiring")

    def _read(self, reg: int, doing: str) -> int:
        try:
            return int(self.bus.read_byte_data(self.address, reg))
        except OSError as exc:
            raise self._fault(exc, doing) from None

    def _write(self, reg: int, value: int, doing: str) -> None:
        try:
            self.bus.write_byte_data(self.address, reg, value)
        except OSError as exc:
            raise self._fault(exc, doing) from None

    def _block(self, reg: int, n: int, doing: str) -> list[int]:
        try:
            data = list(self.bus.read_i2c_block_data(self.address, reg, n))
        except OSError as exc:
            raise self._fault(exc, doing) from None
        if len(data) != n:
            raise SensorFault(f"{self.where} returned {len(data)} bytes instead of {n}")
        return data

    # --- set-up -------------------------------------------------------------------------------

    def start(self, *, sleep: Callable[[float], None] = time.sleep) -> None:
        """Check the chip's identity, reset it and start both sensors.

        Raises
        ------
        ImuNotFound
            No acknowledgement at the address, or WHO_AM_I is not 0x6C.
        ImuBusStuck
            The bus does not complete transfers.
        """
        who = self._read(Reg.WHO_AM_I, "reading WHO_AM_I")
        if who != WHO_AM_I_VALUE:
            raise ImuNotFound(
                f"the device at 0x{self.address:02X} on {self.bus_name} says WHO_AM_I = "
                f"0x{who:02X}, not 0x{WHO_AM_I_VALUE:02X}: it is not an LSM6DSOX/LSM6DSO; "
                "fit the part named in hardware/README.md or give the right address"
            )
        self._write(Reg.CTRL3_C, CTRL3_SW_RESET | CTRL3_IF_INC, "resetting")
        for _ in range(50):  # the reset bit clears itself within ~50 us (datasheet 9.14)
            sleep(0.001)
            if not self._read(Reg.CTRL3_C, "waiting for the reset") & CTRL3_SW_RESET:
                break
        else:
            raise SensorFault(f"{self.where} did not finish its software reset")
        # BDU: the two bytes of an axis always come from the same sample.
        self._write(Reg.CTRL3_C, CTRL3_BDU | CTRL3_IF_INC, "configuring")
        odr = ODR_CODES[self.odr_hz] << 4
        self._write(Reg.CTRL1_XL, odr | (self._accel_code << 2), "configuring the accelerometer")
        self._write(Reg.CTRL2_G, odr | (self._gyro_code << 2), "configuring the gyroscope")
        check = self._read(Reg.CTRL1_XL, "checking the configuration")
        if check != odr | (self._accel_code << 2):
            raise SensorFault(
                f"{self.where} did not keep its configuration (CTRL1_XL reads 0x{check:02X}); "
                "check the supply voltage and the cable"
            )

    def stop(self) -> None:
        """Put both sensors in power-down (best effort: the cable may already be gone)."""
        try:
            self.bus.write_byte_data(self.address, Reg.CTRL1_XL, 0)
            self.bus.write_byte_data(self.address, Reg.CTRL2_G, 0)
        except OSError:
            pass

    # --- data ---------------------------------------------------------------------------------

    def poll(self) -> ImuReading | None:
        """Read one new sample if both sensors have one, else None.

        Raises
        ------
        SensorError
            On any bus fault (see the module docstring); never returns a made-up reading.
        """
        status = self._read(Reg.STATUS_REG, "reading the status")
        if status & (STATUS_XLDA | STATUS_GDA) != (STATUS_XLDA | STATUS_GDA):
            return None
        t = self._clock()
        raw = self._block(Reg.OUTX_L_G, 12, "reading a sample")
        vals = [_int16(raw[i], raw[i + 1]) for i in range(0, 12, 2)]
        clipped = any(v in (INT16_MIN, INT16_MAX) for v in vals)
        g = vals[0:3]
        a = vals[3:6]
        self._last_data_t = t
        return ImuReading(
            t=t,
            accel_g=(a[0] * self._accel_scale, a[1] * self._accel_scale, a[2] * self._accel_scale),
            gyro_dps=(g[0] * self._gyro_scale, g[1] * self._gyro_scale, g[2] * self._gyro_scale),
            clipped=clipped,
        )

    @property
    def last_data_t(self) -> float | None:
        """Time of the last sample read, or None before the first."""
        return self._last_data_t
