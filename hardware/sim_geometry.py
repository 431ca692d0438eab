"""Where the simulated person's feet stand on a board and how their loads reach the cells.

See :mod:`hardware.simulated` ("Feet and cells") for what is modelled.
"""

from __future__ import annotations

import numpy as np

from balance_trainer.config import Board
from balance_trainer.constants import FOOT_HALF_WIDTH_MM
from balance_trainer.errors import UsageError

FOOT_HALF_LENGTH_MM = 80.0
SINGLE_PLATE_HALF_STANCE_MM = 100.0


class Plate:
    """The cells under one rigid plate and how a point load spreads over them."""

    def __init__(self, idx: np.ndarray, x: np.ndarray, y: np.ndarray) -> None:
        self.idx = idx
        self.x_lo, self.x_hi = float(x.min()), float(x.max())
        self.y_lo, self.y_hi = float(y.min()), float(y.max())
        self.centre = (float(x.mean()), float(y.mean()))
        xs = np.unique(np.round(x, 6))
        ys = np.unique(np.round(y, 6))
        pairs = {(round(float(a), 6), round(float(b), 6)) for a, b in zip(x, y, strict=True)}
        self.grid = (
            len(xs) <= 2 and len(ys) <= 2 and len(pairs) == len(x) and len(x) == len(xs) * len(ys)
        )
        if self.grid:
            self.at_x_hi = np.round(x, 6) == xs[-1] if len(xs) == 2 else None
            self.at_y_hi = np.round(y, 6) == ys[-1] if len(ys) == 2 else None
        else:
            # Rigid plate on equal springs: forces are linear in the load point, and the
            # minimum-norm solution of Σw = 1, Σw·x = px, Σw·y = py is that linear rule.
            rows = [np.ones_like(x)]
            self._cols = []
            if np.ptp(x) >= 1.0:
                rows.append(x - self.centre[0])
                self._cols.append(0)
            if np.ptp(y) >= 1.0:
                rows.append(y - self.centre[1])
                self._cols.append(1)
            self._pinv = np.linalg.pinv(np.array(rows))

    def weights(self, px: np.ndarray, py: np.ndarray) -> np.ndarray:
        """Share of a load at (px, py) on each cell, shape (n, n_plate_cells); rows sum to 1."""
        px = np.asarray(px, dtype=float)
        py = np.asarray(py, dtype=float)
        if self.grid:
            w = np.ones((px.shape[0], self.idx.shape[0]))
            if self.at_x_hi is not None:
                u = np.clip((px - self.x_lo) / (self.x_hi - self.x_lo), 0.0, 1.0)[:, None]
                w *= np.where(self.at_x_hi, u, 1.0 - u)
            if self.at_y_hi is not None:
                v = np.clip((py - self.y_lo) / (self.y_hi - self.y_lo), 0.0, 1.0)[:, None]
                w *= np.where(self.at_y_hi, v, 1.0 - v)
            return w
        b = [np.ones_like(px)]
        for col in self._cols:
            b.append((px, py)[col] - self.centre[col])
        return (self._pinv @ np.array(b)).T

    def contains(self, x: float, y: float, check_y: bool) -> bool:
        ok_x = self.x_lo - 0.5 <= x <= self.x_hi + 0.5
        ok_y = (not check_y) or self.y_lo - 0.5 <= y <= self.y_hi + 0.5
        return ok_x and ok_y


class Geometry:
    """Where the feet stand on a board and how their loads reach the cells."""

    def __init__(self, board: Board) -> None:
        self.n_cells = board.n_cells
        x, y = board.x_mm, board.y_mm
        left, right = board.side_mask("left"), board.side_mask("right")
        self.has_ap = board.has_ap_spacing
        self.two_plates = (
            board.side_has_ml_spacing("left")
            and board.side_has_ml_spacing("right")
            and x[left].max() < x[right].min()
        )
        if self.two_plates:
            self.plates = [Plate(np.flatnonzero(m), x[m], y[m]) for m in (left, right)]
            self.foot_x = tuple(p.centre[0] for p in self.plates)
            self.foot_y = tuple(p.centre[1] for p in self.plates)
            self.half_x = tuple(
                min(FOOT_HALF_WIDTH_MM, (p.x_hi - p.x_lo) / 2 - 5.0) for p in self.plates
            )
            self.half_y = tuple(self._half_y(p) for p in self.plates)
        else:
            plate = Plate(np.arange(board.n_cells), x, y)
            self.plates = [plate]
            cx, cy = plate.centre
            span = plate.x_hi - plate.x_lo
            stance = min(SINGLE_PLATE_HALF_STANCE_MM, max(span / 2 - 50.0, span / 4))
            self.foot_x = (cx - stance, cx + stance)
            self.foot_y = (cy, cy)
            edge = min(plate.x_hi - self.foot_x[1], self.foot_x[0] - plate.x_lo)
            half = max(0.0, min(FOOT_HALF_WIDTH_MM, edge - 5.0, stance - 5.0))
            self.half_x = (half, half)
            self.half_y = (self._half_y(plate),) * 2
        self.mid_x = (self.foot_x[0] + self.foot_x[1]) / 2
        self.mid_y = (self.foot_y[0] + self.foot_y[1]) / 2

    def _half_y(self, plate: Plate) -> float:
        if plate.y_hi - plate.y_lo < 1.0:
            return FOOT_HALF_LENGTH_MM  # AP is not measured there; any value will do
        return max(0.0, min(FOOT_HALF_LENGTH_MM, (plate.y_hi - plate.y_lo) / 2 - 5.0))

    def foot(self, side: str) -> float:
        return self.foot_x[0 if side == "left" else 1]

    def distribute(
        self,
        f_l: np.ndarray,
        x_l: np.ndarray,
        y_l: np.ndarray,
        f_r: np.ndarray,
        x_r: np.ndarray,
        y_r: np.ndarray,
    ) -> np.ndarray:
        """Cell forces, shape (n, n_cells), N, from each foot's force (N) and COP (mm)."""
        out = np.zeros((f_l.shape[0], self.n_cells))
        if self.two_plates:
            for plate, f, px, py in (
                (self.plates[0], f_l, x_l, y_l),
                (self.plates[1], f_r, x_r, y_r),
            ):
                out[:, plate.idx] = f[:, None] * plate.weights(px, py)
            return out
        plate = self.plates[0]
        total = f_l + f_r
        safe = np.where(total > 0, total, 1.0)
        px = np.where(total > 0, (f_l * x_l + f_r * x_r) / safe, plate.centre[0])
        py = np.where(total > 0, (f_l * y_l + f_r * y_r) / safe, plate.centre[1])
        out[:, plate.idx] = total[:, None] * plate.weights(px, py)
        return out

    def static_load(self, force_n: float, x: float, y: float) -> np.ndarray:
        """Cell forces, shape (n_cells,), N, for a still weight of ``force_n`` at (x, y) mm."""
        out = np.zeros(self.n_cells)
        for plate in self.plates:
            if plate.contains(x, y, self.has_ap):
                out[plate.idx] = force_n * plate.weights(np.array([x]), np.array([y]))[0]
                return out
        if self.two_plates:
            left, right = self.plates
            ys_ok = all(p.contains(p.centre[0], y, self.has_ap) for p in self.plates)
            if left.x_hi < x < right.x_lo and ys_ok:
                # A weight bridging the gap rests on both plates' inner edges (lever rule).
                share = (x - left.x_hi) / (right.x_lo - left.x_hi)
                for plate, f, px in ((left, 1 - share, left.x_hi), (right, share, right.x_lo)):
                    out[plate.idx] = force_n * f * plate.weights(np.array([px]), np.array([y]))[0]
                return out
        lo_x = min(p.x_lo for p in self.plates)
        hi_x = max(p.x_hi for p in self.plates)
        where = f"x from {lo_x:g} to {hi_x:g} mm"
        if self.has_ap:
            lo_y = min(p.y_lo for p in self.plates)
            hi_y = max(p.y_hi for p in self.plates)
            where += f" and y from {lo_y:g} to {hi_y:g} mm"
        raise UsageError(
            f"simulated board: a mass at x={x:g} mm, y={y:g} mm is off the cells; "
            f"place it within {where}"
        )
