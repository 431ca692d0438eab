"""COP and loads against hand-computed cases."""

from __future__ import annotations

import math

import numpy as np
import pytest

from balance_trainer.balance import BalanceModel
from balance_trainer.config import load_board

G = 9.80665


def test_two_plate_cop_by_hand():
    board = load_board("two-plate-4")  # x = -190, -50, 50, 190 mm
    model = BalanceModel(board)
    f = np.array([100.0, 300.0, 200.0, 200.0])
    b = model.frame(1.5, f)
    total = 800.0
    assert b.total_n == pytest.approx(total)
    assert b.total_kg == pytest.approx(total / G)
    assert b.cop_ml_mm == pytest.approx((-190 * 100 - 50 * 300 + 50 * 200 + 190 * 200) / total)
    assert b.left_share == pytest.approx(0.5)
    assert b.left_cop_ml_mm == pytest.approx((-190 * 100 - 50 * 300) / 400)
    assert b.right_cop_ml_mm == pytest.approx((50 * 200 + 190 * 200) / 400)
    assert math.isnan(b.cop_ap_mm)  # no AP spacing: not a made-up zero
    assert b.on_board and b.t_s == 1.5
    assert b.to_json_dict()["cop_ap_mm"] is None


def test_corner_board_cop_ml_and_ap_by_hand():
    board = load_board("corners-4")  # FL(-216.5,119) FR(216.5,119) BL(-216.5,-119) BR
    model = BalanceModel(board)
    f = np.array([300.0, 100.0, 200.0, 400.0])
    b = model.frame(0.0, f)
    assert b.cop_ml_mm == pytest.approx(216.5 * (100 + 400 - 300 - 200) / 1000)
    assert b.cop_ap_mm == pytest.approx(119 * (300 + 100 - 200 - 400) / 1000)
    assert b.left_share == pytest.approx(0.5)


def test_single_leg_on_right_puts_cop_under_right_foot():
    model = BalanceModel(load_board("two-plate-4"))
    b = model.frame(0.0, np.array([0.5, -0.3, 350.0, 350.0]))
    assert b.left_share == pytest.approx(0.2 / 700.2, abs=1e-3)
    assert math.isnan(b.left_cop_ml_mm)  # an unloaded side has no COP of its own
    assert b.right_cop_ml_mm == pytest.approx(120.0)


def test_nobody_on_board_gives_no_cop():
    model = BalanceModel(load_board("two-plate-4"))
    b = model.frame(0.0, np.array([2.0, -1.0, 3.0, 1.0]))
    assert not b.on_board and math.isnan(b.cop_ml_mm) and math.isnan(b.left_share)


def test_block_equals_frame_by_frame():
    board = load_board("two-plate-8")
    model = BalanceModel(board)
    rng = np.random.default_rng(5)
    f = rng.uniform(0, 200, size=(50, 8))
    t = np.arange(50) / 80
    block = model.compute(t, f)
    for i in [0, 17, 49]:
        single = model.frame(t[i], f[i])
        assert single == block[i]
    # slow obvious reference
    x, y = board.x_mm, board.y_mm
    for i in range(50):
        assert block.cop_ml_mm[i] == pytest.approx(sum(f[i] * x) / sum(f[i]))
        assert block.cop_ap_mm[i] == pytest.approx(sum(f[i] * y) / sum(f[i]))


def test_cop_invariant_to_scaling_all_forces():
    model = BalanceModel(load_board("two-plate-8"))
    f = np.array([10.0, 20, 30, 40, 50, 60, 70, 80])
    a, b = model.frame(0, f), model.frame(0, 3 * f)
    assert a.cop_ml_mm == pytest.approx(b.cop_ml_mm)
    assert a.cop_ap_mm == pytest.approx(b.cop_ap_mm)
