"""Forces per cell to balance: total load, centre of pressure, left/right share.

For cell forces F_i (N) at positions (x_i, y_i) (mm)::

    total    = Σ F_i
    cop_ml   = Σ F_i x_i / Σ F_i          (mm, positive to the person's right)
    cop_ap   = Σ F_i y_i / Σ F_i          (mm, positive forward; NaN without AP spacing)
    left_n   = Σ_{i on left} F_i,  right_n likewise,  left_share = left_n / (left_n + right_n)
    left_cop_ml = Σ_{left} F_i x_i / left_n   (that foot's own ML COP; needs ≥ 2 ML-spaced cells)

Where nobody is on the board (total below ``min_load_n``) the COPs are NaN, never a number made
up from noise. A side carrying less than ``min_side_load_n`` has a NaN own COP for the same reason.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from .config import Board
from .constants import ON_BOARD_N, STANDARD_GRAVITY

DEFAULT_MIN_LOAD_N = ON_BOARD_N
"""Below ~5 kg on the whole board, nobody is standing on it."""
DEFAULT_MIN_SIDE_LOAD_N = 20.0
"""Below ~2 kg on one side, that side's own COP is noise."""


def _none_if_nan(v: float) -> float | None:
    return None if v is None or not math.isfinite(v) else float(v)


@dataclass(frozen=True, slots=True)
class Balance:
    """The balance in one frame. Distances in mm, forces in N, time in s."""

    t_s: float
    total_n: float
    cop_ml_mm: float
    cop_ap_mm: float
    left_n: float
    right_n: float
    left_share: float
    left_cop_ml_mm: float
    right_cop_ml_mm: float
    on_board: bool

    @property
    def total_kg(self) -> float:
        return self.total_n / STANDARD_GRAVITY

    def to_json_dict(self) -> dict[str, Any]:
        """JSON-ready; NaN becomes null."""
        return {
            "t_s": round(self.t_s, 6),
            "total_kg": round(self.total_kg, 3),
            "total_n": round(self.total_n, 3),
            "cop_ml_mm": _r(self.cop_ml_mm),
            "cop_ap_mm": _r(self.cop_ap_mm),
            "left_share": _r(self.left_share, 4),
            "left_n": round(self.left_n, 3),
            "right_n": round(self.right_n, 3),
            "left_cop_ml_mm": _r(self.left_cop_ml_mm),
            "right_cop_ml_mm": _r(self.right_cop_ml_mm),
            "on_board": self.on_board,
        }


def _r(v: float, nd: int = 2) -> float | None:
    v2 = _none_if_nan(v)
    return None if v2 is None else round(v2, nd)


@dataclass(frozen=True)
class BalanceBlock:
    """Balance for a block of frames: each attribute an array of shape (n_frames,)."""

    t_s: np.ndarray
    total_n: np.ndarray
    cop_ml_mm: np.ndarray
    cop_ap_mm: np.ndarray
    left_n: np.ndarray
    right_n: np.ndarray
    left_share: np.ndarray
    left_cop_ml_mm: np.ndarray
    right_cop_ml_mm: np.ndarray
    on_board: np.ndarray
    pelvis_obliquity_deg: np.ndarray | None = None
    """Pelvic obliquity at each frame from the pelvis sensor (degrees, positive = the left side
    lower, NaN where no angle exists), or None when no pelvis sensor is fitted."""
    pelvis_rotation_deg: np.ndarray | None = None
    """Pelvic rotation at each frame (degrees, counter-clockwise from above positive, NaN
    where none: before zeroing there is no reference), or None without a pelvis sensor."""

    FIELDS = (
        "t_s",
        "total_n",
        "cop_ml_mm",
        "cop_ap_mm",
        "left_n",
        "right_n",
        "left_share",
        "left_cop_ml_mm",
        "right_cop_ml_mm",
        "on_board",
    )

    def __len__(self) -> int:
        return int(self.t_s.shape[0])

    def __getitem__(self, i: int) -> Balance:
        return Balance(*(self._item(name, i) for name in self.FIELDS))

    def _item(self, name: str, i: int) -> Any:
        v = getattr(self, name)[i]
        return bool(v) if name == "on_board" else float(v)

    @property
    def total_kg(self) -> np.ndarray:
        return self.total_n / STANDARD_GRAVITY

    def take(self, index: slice | np.ndarray) -> BalanceBlock:
        """The frames at ``index`` (a slice or an index array) as a new block."""
        pelvis = None if self.pelvis_obliquity_deg is None else self.pelvis_obliquity_deg[index]
        rot = None if self.pelvis_rotation_deg is None else self.pelvis_rotation_deg[index]
        return BalanceBlock.of({f: getattr(self, f)[index] for f in self.FIELDS}, pelvis, rot)

    @classmethod
    def concatenate(cls, blocks: list[BalanceBlock]) -> BalanceBlock:
        def joined(name: str) -> np.ndarray | None:
            if all(getattr(b, name) is None for b in blocks):
                return None
            return np.concatenate(
                [
                    np.full(len(b), np.nan) if getattr(b, name) is None else getattr(b, name)
                    for b in blocks
                ]
            )

        return cls.of(
            {f: np.concatenate([getattr(b, f) for b in blocks]) for f in cls.FIELDS},
            joined("pelvis_obliquity_deg"),
            joined("pelvis_rotation_deg"),
        )

    @classmethod
    def of(
        cls,
        columns: dict[str, np.ndarray],
        pelvis: np.ndarray | None = None,
        rotation: np.ndarray | None = None,
    ) -> BalanceBlock:
        """A block from its :attr:`FIELDS` columns by name, plus the optional pelvis columns
        (obliquity and rotation)."""
        return cls(**columns, pelvis_obliquity_deg=pelvis, pelvis_rotation_deg=rotation)


class BalanceModel:
    """Precomputed geometry for one board; turns forces into :class:`Balance` values."""

    def __init__(
        self,
        board: Board,
        *,
        min_load_n: float = DEFAULT_MIN_LOAD_N,
        min_side_load_n: float = DEFAULT_MIN_SIDE_LOAD_N,
    ) -> None:
        self.board = board
        self.min_load_n = float(min_load_n)
        self.min_side_load_n = float(min_side_load_n)
        x = board.x_mm
        y = board.y_mm
        left = board.side_mask("left").astype(float)
        right = board.side_mask("right").astype(float)
        self.has_ap = board.has_ap_spacing
        self.left_has_cop = board.side_has_ml_spacing("left")
        self.right_has_cop = board.side_has_ml_spacing("right")
        # One matrix product gives every sum the formulas above need, for a whole block.
        # Columns: Σ F, Σ F x, Σ F y, left Σ F, left Σ F x, right Σ F, right Σ F x.
        self._w = np.column_stack([np.ones_like(x), x, y, left, left * x, right, right * x])

    def compute(self, t_s: np.ndarray, forces_n: np.ndarray) -> BalanceBlock:
        """Balance for a block.

        Parameters
        ----------
        t_s : ndarray, shape (n,)
            Frame times, s.
        forces_n : ndarray, shape (n, n_cells)
            Force on each cell, N.
        """
        f = np.asarray(forces_n, dtype=float)
        if f.ndim == 1:
            f = f[None, :]
        # Accumulate cell by cell rather than with a BLAS product: every row then gets exactly
        # the same arithmetic whatever the block size, so a frame processed live (blocks of 1)
        # and the same frame in an offline block give bit-identical COP.
        sums = f[:, 0:1] * self._w[0]
        for i in range(1, f.shape[1]):
            sums += f[:, i : i + 1] * self._w[i]
        total, fx, fy, ln, lfx, rn, rfx = sums.T
        on = total >= self.min_load_n
        with np.errstate(divide="ignore", invalid="ignore"):
            safe_total = np.where(on, total, np.nan)
            cop_ml = fx / safe_total
            cop_ap = fy / safe_total if self.has_ap else np.full_like(total, np.nan)
            share = ln / safe_total
            lcop = (
                lfx / np.where(ln >= self.min_side_load_n, ln, np.nan)
                if self.left_has_cop
                else np.full_like(total, np.nan)
            )
            rcop = (
                rfx / np.where(rn >= self.min_side_load_n, rn, np.nan)
                if self.right_has_cop
                else np.full_like(total, np.nan)
            )
        return BalanceBlock(
            np.asarray(t_s, dtype=float).reshape(-1),
            total,
            cop_ml,
            cop_ap,
            ln,
            rn,
            share,
            lcop,
            rcop,
            on,
        )

    def frame(self, t_s: float, forces_n: np.ndarray) -> Balance:
        """Balance for one frame."""
        return self.compute(np.array([t_s]), np.asarray(forces_n)[None, :])[0]


def kg(newtons: float) -> float:
    """Newtons of load to kilograms of mass."""
    return newtons / STANDARD_GRAVITY
