"""Calibration maths: tare offsets, per-cell span by least squares, refusal of bad spans."""

from __future__ import annotations

import numpy as np
import pytest

from balance_trainer.calibration import Calibration, calibration_path
from balance_trainer.errors import CalibrationError

G = 9.80665
NAMES = ["a", "b", "c", "d"]
TRUE_OFF = np.array([1000.0, -2000.0, 50000.0, 7.0])
TRUE_SCALE = np.array([0.005, 0.0045, 0.0052, 0.0049])  # N per count


def counts_for(forces, rng, n=100, noise=3.0):
    c = TRUE_OFF + np.asarray(forces) / TRUE_SCALE
    return c + rng.normal(0, noise, size=(n, len(NAMES)))


def placements(mass):
    # The mass over each cell in turn carries 70 % on that cell, the rest shared by the others.
    out = []
    for i in range(len(NAMES)):
        share = np.full(len(NAMES), 0.1)
        share[i] = 0.7
        out.append(share * mass * G)
    return out


def test_fit_recovers_true_offsets_and_scales():
    rng = np.random.default_rng(1)
    empty = counts_for(np.zeros(4), rng)
    spans = [(counts_for(f, rng), 20.0) for f in placements(20.0)]
    cal = Calibration(NAMES).fit(empty, spans)
    assert np.allclose(cal.offset_, TRUE_OFF, atol=2.0)
    assert np.allclose(cal.scale_, TRUE_SCALE, rtol=0.002)
    # and forces come back as newtons
    f = cal.forces(TRUE_OFF + np.array([100.0, 0, 0, 0]) / TRUE_SCALE)
    assert f[0] == pytest.approx(100.0, rel=0.003)


def test_exact_solution_without_noise():
    rng = np.random.default_rng(0)
    empty = counts_for(np.zeros(4), rng, noise=0.0)
    spans = [(counts_for(f, rng, n=1, noise=0.0), 10.0) for f in placements(10.0)]
    cal = Calibration(NAMES).fit(empty, spans)
    assert np.allclose(cal.scale_, TRUE_SCALE, rtol=1e-9)


def test_single_span_fits_one_common_scale():
    rng = np.random.default_rng(2)
    matched = np.full(4, 0.005)
    empty = TRUE_OFF + rng.normal(0, 1, (50, 4))
    loaded = TRUE_OFF + np.full(4, 50 * G / 4) / matched
    cal = Calibration(NAMES).fit(empty, [(loaded[None, :], 50.0)])
    assert np.allclose(cal.scale_, 0.005, rtol=1e-3)


def test_span_with_no_load_is_refused():
    rng = np.random.default_rng(3)
    empty = counts_for(np.zeros(4), rng)
    with pytest.raises(CalibrationError, match="no load seen"):
        Calibration(NAMES).fit(empty, [(counts_for(np.zeros(4), rng), 20.0)])


def test_negative_scale_is_refused_naming_the_cell():
    rng = np.random.default_rng(4)
    empty = counts_for(np.zeros(4), rng)
    spans = []
    for f in placements(20.0):
        c = counts_for(f, rng)
        c[:, 1] = 2 * TRUE_OFF[1] - c[:, 1]  # cell b wired backwards: counts fall under load
        spans.append((c, 20.0))
    with pytest.raises(CalibrationError, match="cell 'b'.*finite and positive"):
        Calibration(NAMES).fit(empty, spans)


@pytest.mark.parametrize("mass", [0.0, -5.0, float("nan"), float("inf")])
def test_bad_mass_is_refused(mass):
    empty = np.zeros((10, 4))
    with pytest.raises(CalibrationError, match="mass"):
        Calibration(NAMES).fit(empty, [(np.ones((10, 4)) * 1e4, mass)])


def test_save_and_load_round_trip(tmp_path):
    cal = Calibration(NAMES, TRUE_OFF, TRUE_SCALE, key="sim-x")
    p = cal.save(calibration_path(tmp_path, "sim-x"))
    back = Calibration.load(p, NAMES)
    assert np.array_equal(back.offset_, TRUE_OFF) and np.array_equal(back.scale_, TRUE_SCALE)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("{not json", "not valid JSON"),
        ('{"format": "other"}', "'format' must be"),
        ('{"format": "balance-trainer-calibration/1", "cells": []}', "non-empty list"),
        (
            '{"format": "balance-trainer-calibration/1", "cells": [{"name": "a"}]}',
            "has no 'offset_counts'",
        ),
        (
            '{"format": "balance-trainer-calibration/1", "cells": [{"name": "a", '
            '"offset_counts": "x", "scale_n_per_count": 1}]}',
            "must be a number",
        ),
        (
            '{"format": "balance-trainer-calibration/1", "cells": [{"name": "a", '
            '"offset_counts": 1, "scale_n_per_count": -1}]}',
            "must be positive",
        ),
    ],
)
def test_bad_calibration_file_is_refused(tmp_path, text, expected):
    p = tmp_path / "cal.json"
    p.write_text(text)
    with pytest.raises(CalibrationError, match=expected):
        Calibration.load(p)


def test_calibration_for_other_cells_is_refused(tmp_path):
    p = Calibration(NAMES, TRUE_OFF, TRUE_SCALE).save(tmp_path / "c.json")
    with pytest.raises(CalibrationError, match="run balance-trainer calibrate"):
        Calibration.load(p, ["x", "y"])


def test_a_spike_in_the_tare_does_not_hide_a_real_span():
    rng = np.random.default_rng(6)
    empty = counts_for(np.zeros(4), rng, n=800, noise=30.0)
    empty[400, 2] += 2_000_000  # one HX711 spike on one cell
    spans = [(counts_for(f, rng, noise=30.0), 5.0) for f in placements(5.0)]
    cal = Calibration(NAMES).fit(empty, spans)
    assert np.allclose(cal.scale_, TRUE_SCALE, rtol=0.01)
