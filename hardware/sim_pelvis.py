"""The simulated pelvis sensor: the simulated person's pelvis, read like an IMU at ~100 Hz.

It wears the same body as :class:`hardware.simulated.SimulatedBoard` (``board.pelvis_truth``)
and reports it as the core's :class:`~balance_trainer.frames.PelvisSample` values.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any, Protocol

import numpy as np

from balance_trainer.errors import CalibrationError, UsageError
from balance_trainer.frames import Clock, PelvisSample, Sleep, ZeroState, ZeroStatus

from .pelvis_source import PelvisSource

PELVIS_BATCH = 10
"""Pelvis sensor samples computed at a time (0.1 s at 100 Hz)."""


class PersonBoard(Protocol):
    """What the sensor needs of the simulated board it is worn beside."""

    realtime: bool
    clock: Clock
    sleep: Sleep
    seed: int
    closed: bool
    time_origin: float | None

    @property
    def description(self) -> str: ...

    def pelvis_truth(self, t_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]: ...


def _check(name: str, value: float, *, allow_zero: bool = False) -> None:
    ok = (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and math.isfinite(value)
        and (value >= 0 if allow_zero else value > 0)
    )
    if not ok:
        raise UsageError(f"simulated pelvis sensor: {name} is {value!r}; give a positive number")


class SimulatedPelvis(PelvisSource):
    """A pelvis sensor on the simulated person: the same body as the board, read like an IMU.

    It reports :meth:`SimulatedBoard.pelvis_truth` as a MEMS accelerometer + gyroscope with
    orientation fusion would after its zeroing calibration (issue 16): white noise
    (``white_deg``, the accelerometer's tilt noise at 100 Hz for a consumer 6-axis part,
    70-150 µg/√Hz, i.e. a few hundredths of a degree, doubled for the fusion's share), a slow
    wander of the fused angle (``wander_deg`` RMS, correlation ``wander_tau_s``: gyro bias
    left over against the accelerometer's correction, and the belt clip moving on soft
    tissue), and a zeroing error (``zero_deg`` RMS, fixed per session). These are estimates
    for the part class, not measured here; measure them with the real sensor standing still.

    Samples come at ``rate_hz`` by the sensor's own oscillator (off by up to ±1 %), each
    stamped when it was read, ``latency_s`` (± 30 %) after the sample instant, on the board's
    monotonic clock: in virtual time the board's ``t = k / fs``; in real time ``clock()``.

    Zeroing during a session (:meth:`start_zero`, as before a pelvis game) runs the real
    :meth:`~hardware.pelvis.PelvisSensor.zero` on the register-level fake chip moved by this
    person's pelvis over the next 2 s (:func:`~hardware.pelvis.zero_through_chip`): a person
    who moves is refused as a real sensor would refuse them; a person standing still becomes
    the new level (the angles are reported from the pose held then, with a fresh zeroing
    error).

    Parameters
    ----------
    board : SimulatedBoard
        The simulated board whose person wears the sensor.
    rate_hz : float
        Nominal output rate, Hz.
    seed : int, optional
        Seeds the sensor's own noise (default: the board's seed).
    realtime : bool, optional
        Default: the board's.
    """

    kind = "sim"
    simulated = True

    def __init__(
        self,
        board: PersonBoard,
        *,
        rate_hz: float = 100.0,
        seed: int | None = None,
        realtime: bool | None = None,
        clock: Clock | None = None,
        sleep: Sleep | None = None,
        white_deg: float = 0.05,
        wander_deg: float = 0.25,
        wander_tau_s: float = 10.0,
        zero_deg: float = 0.2,
        latency_s: float = 0.0015,
    ) -> None:
        _check("rate_hz", rate_hz)
        for name, v in (
            ("white_deg", white_deg),
            ("wander_deg", wander_deg),
            ("zero_deg", zero_deg),
            ("latency_s", latency_s),
        ):
            _check(name, v, allow_zero=True)
        _check("wander_tau_s", wander_tau_s)
        super().__init__(
            rate_hz,
            realtime=board.realtime if realtime is None else realtime,
            clock=board.clock if clock is None else clock,
            sleep=board.sleep if sleep is None else sleep,
        )
        self.board = board
        ss = np.random.SeedSequence([board.seed if seed is None else int(seed), 16])
        self._rng = np.random.default_rng(ss)
        self.period_s = 1.0 / (self.rate_hz * (1.0 + float(self._rng.uniform(-0.01, 0.01))))
        self.white_deg = white_deg
        self.wander_deg = wander_deg
        self.latency_s = latency_s
        self._a = math.exp(-self.period_s / wander_tau_s)
        self._wander = self._rng.standard_normal(2) * wander_deg
        self.zero_deg = zero_deg
        self._zero = self._rng.standard_normal(2) * zero_deg
        self._n = 0
        self._level = np.zeros(2)  # the pose zeroed on (truth), degrees
        self._zeroing = ZeroStatus(ZeroState.IDLE)
        self._window: list[tuple[float, float, float]] | None = None

    # -- zeroing ---------------------------------------------------------------------------
    @property
    def _window_n(self) -> int:
        from .pelvis import ZERO_SECONDS

        return int(math.ceil(ZERO_SECONDS / self.period_s)) + 1

    def start_zero(self) -> None:
        """Zero on the next 2 s of the person's pelvis (see the class notes)."""
        self._window = []
        self._zeroing = ZeroStatus(ZeroState.RUNNING, 0.0)

    def zero_status(self) -> ZeroStatus:
        return self._zeroing

    def _zero_sample(self, t: float, obl: float, rot: float) -> None:
        win = self._window
        if win is None:
            return
        win.append((t, obl, rot))
        need = self._window_n
        if len(win) < need:
            self._zeroing = ZeroStatus(ZeroState.RUNNING, len(win) / need)
            return
        from .pelvis import zero_through_chip

        self._window = None
        arr = np.array(win)
        try:
            zero_through_chip(arr[:, 0], arr[:, 1], arr[:, 2], seed=self._n)
        except CalibrationError as exc:
            self._zeroing = ZeroStatus(ZeroState.REFUSED, 1.0, str(exc))
            return
        self._level = arr[:, 1:].mean(axis=0)
        self._zero = self._rng.standard_normal(2) * self.zero_deg
        self._zeroing = ZeroStatus(ZeroState.ZEROED, 1.0)

    @property
    def description(self) -> str:
        return f"simulated pelvis sensor at {self.rate_hz:g} Hz on the {self.board.description}"

    def stats(self) -> dict[str, Any]:
        return {"samples": self._n}

    def truth(self, t_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The true pelvis (obliquity, rotation; degrees) at sample times ``t_s`` (s)."""
        origin = self._origin()
        return self.board.pelvis_truth(np.asarray(t_s, dtype=float) - origin)

    def _origin(self) -> float:
        """Clock time of the person's sim time 0: the board's first frame (fixed once read)."""
        if not self.realtime:
            return 0.0
        if self._t0 is None:
            origin = self.board.time_origin
            self._t0 = origin if origin is not None else self.clock()
        return self._t0

    _t0: float | None = None

    def samples(self) -> Iterator[PelvisSample]:
        """Yield samples until closed (the person goes on as long as the board does).

        The true pelvis and the sensor's errors are computed ``PELVIS_BATCH`` samples at a
        time (the sample instants are the sensor's own grid, known ahead); in real time each
        sample is still handed out at its instant, stamped when it is read.
        """
        rng = self._rng
        b = math.sqrt(1.0 - self._a * self._a) * self.wander_deg
        start = self.clock() if self.realtime else 0.0
        while not self.closed and not self.board.closed:
            j = self._n + np.arange(PELVIS_BATCH)
            due = start + j * self.period_s
            obl, rot = self.truth(due)
            if self._window is not None:
                for i in range(PELVIS_BATCH):
                    self._zero_sample(float(due[i]), float(obl[i]), float(rot[i]))
            obl, rot = obl - self._level[0], rot - self._level[1]
            wander = np.empty((PELVIS_BATCH, 2))
            w = self._wander
            kicks = rng.standard_normal((PELVIS_BATCH, 2))
            for i in range(PELVIS_BATCH):
                w = self._a * w + b * kicks[i]
                wander[i] = w
            self._wander = w
            err = self._zero + wander + self.white_deg * rng.standard_normal((PELVIS_BATCH, 2))
            late = self.latency_s * rng.uniform(0.7, 1.3, PELVIS_BATCH)
            for i in range(PELVIS_BATCH):
                if self.closed:
                    return
                stamp = float(due[i] + late[i])
                if self.realtime:
                    now = self.clock()
                    if now < stamp:
                        self.sleep(stamp - now)
                    stamp = max(stamp, self.clock())
                self._n += 1
                yield PelvisSample(stamp, float(obl[i] + err[i, 0]), float(rot[i] + err[i, 1]))
