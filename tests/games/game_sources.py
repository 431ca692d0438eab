"""A scripted board source for the app's tests: forces from a function of time, with faults."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np

from balance_trainer.balance import BalanceModel
from balance_trainer.calibration import Calibration
from balance_trainer.config import load_board
from balance_trainer.errors import BoardDisconnected
from balance_trainer.frames import RawFrame
from balance_trainer.wiring import BoardConnection

G = 9.80665


def standing(
    mass_kg: float = 70.0,
    cop_ml_mm: Callable[[float], float] | float = 0.0,
    board: str = "two-plate-4",
) -> Callable[[float], np.ndarray]:
    """Cell forces (N) of a person of ``mass_kg`` with whole-body ML COP ``cop_ml_mm(t)`` on
    both feet, each foot on its plate centre (two-plate-4: cells at ±190 and ±50 mm)."""
    b = load_board(board)
    x = b.x_mm
    xl, xr = b.side_centre_ml_mm("left"), b.side_centre_ml_mm("right")

    def forces(t: float) -> np.ndarray:
        p = cop_ml_mm(t) if callable(cop_ml_mm) else cop_ml_mm
        w = mass_kg * G
        wr = (p - xl) / (xr - xl)
        out = np.zeros(len(x))
        for side, load, centre in (("left", w * (1 - wr), xl), ("right", w * wr, xr)):
            idx = np.flatnonzero(b.side_mask(side))
            x0, x1 = x[idx[0]], x[idx[1]]
            a = (centre - x0) / (x1 - x0)
            out[idx[0]] = load * (1 - a)
            out[idx[1]] = load * a
        return out

    return forces


class ScriptedSource:
    """Frames at ``fs`` Hz in virtual time from ``forces(t)`` (N per cell; counts = mN).

    ``gap`` (t0, t1) leaves out frames in that window (a cable pulled, then plugged back);
    ``fail_at`` raises :class:`BoardDisconnected` at that time (the reader died).
    """

    kind = "sim"
    simulated = True
    scenario = "scripted"

    def __init__(
        self,
        forces: Callable[[float], np.ndarray],
        *,
        board: str = "two-plate-4",
        fs: float = 80.0,
        gap: tuple[float, float] | None = None,
        fail_at: float | None = None,
        t0: float = 0.0,
    ) -> None:
        self.board = load_board(board)
        self.forces = forces
        self.fs = fs
        self.gap = gap
        self.fail_at = fail_at
        self.t0 = t0
        self.closed = False
        self.yielded = 0

    description = "scripted test source"
    calibration_key = "scripted"

    def builtin_calibration(self) -> tuple[list[float], list[float]]:
        n = self.board.n_cells
        return [0.0] * n, [0.001] * n

    def frames(self) -> Iterator[RawFrame]:
        k = 0
        while not self.closed:
            t = self.t0 + k / self.fs
            k += 1
            if self.fail_at is not None and t >= self.fail_at:
                raise BoardDisconnected("scripted board unplugged")
            if self.gap is not None and self.gap[0] <= t < self.gap[1]:
                continue
            self.yielded += 1
            counts = tuple(int(round(f * 1000)) for f in self.forces(t))
            yield RawFrame(t, counts)

    def close(self) -> None:
        self.closed = True


def connect(source: ScriptedSource) -> BoardConnection:
    off, scale = source.builtin_calibration()
    cal = Calibration(source.board.cell_names, off, scale)
    return BoardConnection(source, cal, "built in", BalanceModel(source.board), "scripted")
