"""Synthetic balance for the event and protocol tests: each foot's load and own ML COP."""

from __future__ import annotations

import numpy as np

from balance_trainer.balance import BalanceBlock, BalanceModel
from balance_trainer.config import load_board

FS = 80.0
BW = 700.0
# Cells: left_outer -190, left_inner -50, right_inner 50, right_outer 190 (mm).
BOARD = load_board("two-plate-4")
MODEL = BalanceModel(BOARD)


def feet_block(left_n, right_n, left_cop=-120.0, right_cop=120.0, t0=0.0) -> BalanceBlock:
    """A block from each foot's load (N) and own ML COP (mm) on the two-plate-4 board."""
    left_n = np.asarray(left_n, dtype=float)
    right_n = np.asarray(right_n, dtype=float)
    n = left_n.size
    t = t0 + np.arange(n) / FS
    u = (np.broadcast_to(left_cop, (n,)) + 190.0) / 140.0
    v = (np.broadcast_to(right_cop, (n,)) - 50.0) / 140.0
    forces = np.column_stack([left_n * (1 - u), left_n * u, right_n * (1 - v), right_n * v])
    return MODEL.compute(t, forces)
