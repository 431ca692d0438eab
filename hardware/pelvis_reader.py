"""The pelvis reader: a process of its own that reads the IMU and fuses it at the chip's rate.

Why a process: the app's frame loop (pygame drawing, the protocols) must not delay a read by
more than a sample period, and the fusion must not take time from the frame loop. The child
sleeps until shortly before each sample is due, polls the chip's data-ready bits, fuses every
sample
(:class:`~hardware.pelvis.PelvisSensor`) and sends batches of
``(t, obliquity_deg, rotation_deg)`` through a pipe, timestamped with ``time.monotonic()`` —
the same clock the HX711 reader uses, so board frames and pelvis samples line up.

Errors cross the pipe as (class name, message) and are raised again in the app as the same
project exception, so a missing device, a stuck bus or a pulled cable each reach the person as
one clear sentence.
"""

from __future__ import annotations

import math
import multiprocessing
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from balance_trainer import errors
from balance_trainer.errors import BoardDisconnected, CalibrationError, SensorError, UsageError
from balance_trainer.frames import PelvisRequest, PelvisSample, ZeroState, ZeroStatus

from . import lsm6dsox
from .fake_lsm6dsox import ChipFaults, FakeI2CBus, FakeLsm6dsox
from .pelvis import ZERO_SECONDS, PelvisSensor, PelvisSpec, open_i2c_bus, parse_pelvis_spec

READY_TIMEOUT_S = 10.0  # spawning a Python child and importing numpy takes ~1-3 s on a Pi 4
ZERO_TIMEOUT_S = 6.0


@dataclass
class FakeChipSpec:
    """A fake chip for the child to build (tests and demos); times are s after start."""

    missing: bool = False
    stuck: bool = False
    unplug_after_s: float | None = None
    brownout_after_s: float | None = None
    who_am_i: int = lsm6dsox.WHO_AM_I_VALUE
    seed: int = 0
    sway_deg: float = 0.0
    """Amplitude of a 1 Hz side-to-side rocking of the pelvis (a person who does not hold
    still), degrees; 0: a level, still pelvis."""


@dataclass
class PelvisReaderSpec:
    """Everything the child needs; plain and picklable."""

    sensor: PelvisSpec
    fake: FakeChipSpec | None = None
    batch_s: float = 0.0  # send every sample: the pipe costs less than the delay would
    extra: dict[str, Any] = field(default_factory=dict)


def _build_bus(spec: PelvisReaderSpec) -> tuple[Any, str]:
    if spec.fake is None:
        return open_i2c_bus(spec.sensor), spec.sensor.bus_name
    f = spec.fake
    now = time.monotonic()
    faults = ChipFaults(
        unplug_at=None if f.unplug_after_s is None else now + f.unplug_after_s,
        brownout_at=None if f.brownout_after_s is None else now + f.brownout_after_s,
        who_am_i=f.who_am_i,
    )
    bus = FakeI2CBus(stuck=f.stuck)
    amp = f.sway_deg

    def rocking(t: float) -> tuple[float, float, float]:
        return amp * math.sin(2 * math.pi * (t - now)), 0.0, 0.0

    if not f.missing:
        bus.devices[spec.sensor.address] = FakeLsm6dsox(
            clock=time.monotonic, motion=rocking, seed=f.seed, faults=faults
        )
    return bus, "fake-i2c"


def reader_main(spec: PelvisReaderSpec, conn: Any) -> None:
    """The child: open, report ready, then read/fuse/send until told to stop or a fault."""

    def fail(exc: BaseException) -> None:
        name = type(exc).__name__ if isinstance(exc, SensorError) else "SensorError"
        try:
            conn.send(("error", name, str(exc)))
        except (OSError, EOFError):
            pass

    try:
        bus, bus_name = _build_bus(spec)
        sensor = PelvisSensor(bus, spec.sensor.address, bus_name=bus_name)
    except Exception as exc:  # every failure crosses the pipe as one sentence
        fail(exc)
        return
    conn.send(("ready", sensor.chip.odr_hz))
    batch: list[tuple[float, float, float]] = []
    last_send = time.monotonic()
    try:
        while True:
            if conn.poll():
                cmd = conn.recv()
                if cmd == "stop":
                    break
                if cmd == "zero":
                    # A person who moved is told so and zeroes again; the reader goes on.
                    try:
                        sensor.zero()
                    except CalibrationError as exc:
                        conn.send(("zero-refused", str(exc)))
                    else:
                        conn.send(("zeroed",))
            s = sensor.wait_sample()
            batch.append((s.t_s, s.obliquity_deg, s.rotation_deg))
            if s.t_s - last_send >= spec.batch_s:
                conn.send(("samples", batch))
                batch, last_send = [], s.t_s
    except Exception as exc:
        if batch:
            conn.send(("samples", batch))
        fail(exc)
    finally:
        sensor.close()


def _error(name: str, message: str) -> SensorError:
    cls = getattr(errors, name, None) or getattr(lsm6dsox, name, None)
    if isinstance(cls, type) and issubclass(cls, SensorError):
        return cls(message)
    return SensorError(message)


class PelvisReader:
    """The app's side of the pelvis reader process.

    ``read()`` returns the samples that arrived since the last call; a fault in the child is
    raised there as the project's exception (once), after the samples that came before it.
    """

    kind = "i2c"
    simulated = False

    def __init__(self, spec: PelvisReaderSpec) -> None:
        self.spec = spec
        self.description = (
            "pelvis sensor (fake chip)"
            if spec.fake is not None
            else f"pelvis sensor LSM6DSOX at 0x{spec.sensor.address:02X} on {spec.sensor.bus_name}"
        )
        ctx = multiprocessing.get_context("spawn")
        self._conn, child = ctx.Pipe()
        self._proc = ctx.Process(target=reader_main, args=(spec, child), daemon=True)
        self._pending: deque[PelvisSample] = deque()
        self._error: SensorError | None = None
        self.odr_hz = 0.0
        self.zeroed = False
        # The app's drain thread reads samples while the app's loop asks after the zeroing:
        # one pipe, so one reader at a time.
        self._lock = threading.Lock()
        self._zeroing = ZeroStatus(ZeroState.IDLE)
        self._zero_started = 0.0

    def start(self, timeout: float = READY_TIMEOUT_S) -> PelvisReader:
        """Start the child and wait until the chip answered (raises its error if not)."""
        self._proc.start()
        if not self._conn.poll(timeout):
            self.close()
            raise BoardDisconnected(
                f"the pelvis reader did not start within {timeout:g} s: check that the "
                "system is not overloaded and try again"
            )
        try:
            msg = self._conn.recv()
        except EOFError:
            self.close()
            raise BoardDisconnected(
                "the pelvis reader process ended before it was ready; run "
                "`balance-trainer doctor` to check the sensor"
            ) from None
        if msg[0] == "error":
            self.close()
            raise _error(msg[1], msg[2])
        self.odr_hz = float(msg[1])
        return self

    def _pump(self, timeout: float = 0.0) -> None:
        """Move messages from the pipe (samples, zeroing results, a fault)."""
        with self._lock:
            while self._conn.poll(timeout):
                timeout = 0.0
                try:
                    msg = self._conn.recv()
                except (EOFError, OSError):
                    if self._error is None:
                        self._error = BoardDisconnected(
                            "the pelvis reader process stopped; run `balance-trainer doctor`"
                        )
                    break
                if msg[0] == "samples":
                    self._pending.extend(PelvisSample(*s) for s in msg[1])
                elif msg[0] == "zeroed":
                    self.zeroed = True
                    self._zeroing = ZeroStatus(ZeroState.ZEROED, 1.0)
                elif msg[0] == "zero-refused":
                    self._zeroing = ZeroStatus(ZeroState.REFUSED, 1.0, msg[1])
                elif msg[0] == "error":
                    self._error = _error(msg[1], msg[2])

    def read(self) -> list[PelvisSample]:
        """Samples since the last call, oldest first."""
        self._pump()
        out = list(self._pending)
        self._pending.clear()
        if not out and self._error is not None:
            err, self._error = self._error, None
            raise err
        return out

    def start_zero(self) -> None:
        """Ask the child to zero (the person stands level and still for 2 s); no wait."""
        self._zeroing = ZeroStatus(ZeroState.RUNNING, 0.0)
        self._zero_started = time.monotonic()
        self._conn.send("zero")

    def zero_status(self) -> ZeroStatus:
        """The zeroing's state; while it runs, the share of its 2 s gone by."""
        self._pump()
        z = self._zeroing
        if z.state is ZeroState.RUNNING:
            gone = (time.monotonic() - self._zero_started) / ZERO_SECONDS
            return ZeroStatus(ZeroState.RUNNING, min(0.99, gone))
        return z

    def zero(self, timeout: float = ZERO_TIMEOUT_S) -> None:
        """Zero the angles (the person stands level and still on both feet), waiting for it.

        Raises
        ------
        CalibrationError
            The person moved (the message says what to do).
        """
        self.start_zero()
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            self._pump(0.05)
            z = self._zeroing
            if z.state is ZeroState.ZEROED:
                return
            if z.state is ZeroState.REFUSED:
                raise CalibrationError(z.message)
            if self._error is not None:
                err, self._error = self._error, None
                raise err
        raise BoardDisconnected(f"the pelvis sensor did not finish zeroing in {timeout:g} s")

    def close(self) -> None:
        try:
            self._conn.send("stop")
        except (OSError, BrokenPipeError):
            pass
        self._proc.join(timeout=2.0)
        if self._proc.is_alive():
            self._proc.kill()
            self._proc.join(timeout=1.0)

    def __enter__(self) -> PelvisReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class I2CPelvis:
    """The pelvis sensor on the Pi's I2C bus as a pelvis source (``--pelvis i2c[:BUS:ADDR]``).

    :meth:`samples` yields what the reader process sends, in real time; a fault of the sensor
    (a pulled cable, a silent chip) ends the stream with its error.
    """

    kind = "i2c"
    realtime = True
    simulated = False

    def __init__(self, spec: PelvisReaderSpec, *, poll_s: float = 0.005) -> None:
        self.reader = PelvisReader(spec).start()
        self.poll_s = poll_s
        self.closed = False

    @property
    def description(self) -> str:
        return self.reader.description

    def zero(self) -> None:
        """Zero the angles: the person stands level and still on both feet for 2 s."""
        self.reader.zero()

    def start_zero(self) -> None:
        """Zero again during the session (the app's "stand level" step); see zero_status."""
        self.reader.start_zero()

    def zero_status(self) -> ZeroStatus:
        return self.reader.zero_status()

    def samples(self) -> Iterator[PelvisSample]:
        while not self.closed:
            got = self.reader.read()
            if not got:
                time.sleep(self.poll_s)
            yield from got

    def close(self) -> None:
        self.closed = True
        self.reader.close()


def open_i2c_pelvis(request: PelvisRequest) -> I2CPelvis:
    """Entry point ``balance_trainer.pelvis: i2c``."""
    spec = parse_pelvis_spec(request.spec)
    return I2CPelvis(PelvisReaderSpec(spec))


def open_sim_pelvis(request: PelvisRequest) -> Any:
    """Entry point ``balance_trainer.pelvis: sim``: the simulated person's pelvis.

    Raises
    ------
    UsageError
        The board is not the simulator (only its person has a simulated pelvis).
    """
    board = request.board_source
    if getattr(board, "kind", None) != "sim":
        raise UsageError(
            f"--pelvis sim reads the simulated person, but the board is "
            f"{getattr(board, 'kind', board)!r}; use --board sim, or --pelvis i2c for a real "
            "sensor"
        )
    try:
        from .simulated import SimulatedPelvis
    except ImportError:  # a simulator without a pelvis (an older hardware package)
        raise UsageError("--pelvis sim: this simulator has no simulated pelvis") from None
    return SimulatedPelvis(board)


class ReplayPelvis:
    """The pelvis column of a recording, played beside its frames (``--board replay:FILE``).

    Each frame's angles come back as a sample stamped with the frame's own time, so the
    converter's hold gives every frame exactly the angles the live run recorded. A recording
    from before the rotation column gives no rotation (NaN), as does an empty cell.
    """

    kind = "replay"
    realtime = False  # pulled frame by frame, in step with the replayed board
    simulated = True

    def __init__(self, t_s: Any, obliquity_deg: Any, name: str, rotation_deg: Any = None) -> None:
        self._t = t_s
        self._o = obliquity_deg
        self._r = [math.nan] * len(t_s) if rotation_deg is None else rotation_deg
        self._name = name
        self.closed = False

    @property
    def description(self) -> str:
        return f"pelvis column of {self._name}"

    def samples(self) -> Iterator[PelvisSample]:
        while not self.closed:
            for t, o, r in zip(self._t, self._o, self._r, strict=True):
                yield PelvisSample(float(t), float(o), float(r))
            return

    def close(self) -> None:
        self.closed = True


def open_replay_pelvis(request: PelvisRequest) -> ReplayPelvis:
    """Entry point ``balance_trainer.pelvis: replay``: a recording's own pelvis column.

    Raises
    ------
    UsageError
        The board is not a replay, or the recording has no pelvis column.
    """
    rec = getattr(request.board_source, "recording", None)
    if rec is None or getattr(rec, "pelvis_obliquity_deg", None) is None:
        raise UsageError(
            "--pelvis replay plays a recording's pelvis column, but this board is not a "
            "recording with one; record with --pelvis sim or --pelvis i2c first"
        )
    rotation = getattr(rec, "pelvis_rotation_deg", None)
    return ReplayPelvis(rec.t_s, rec.pelvis_obliquity_deg, rec.path.name, rotation)
