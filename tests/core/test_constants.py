"""The shared constants and formulas, pinned down once."""

from __future__ import annotations

import math

import numpy as np
import pytest

from balance_trainer.constants import (
    ELLIPSE_LEVEL,
    STANDARD_GRAVITY,
    asymmetry_pct,
    prediction_ellipse_scale,
)
from balance_trainer.metrics import ellipse_area_mm2


def test_gravity_is_the_standard_value():
    assert STANDARD_GRAVITY == 9.80665


def test_the_ellipse_scale_tends_to_the_chi_square_quantile():
    chi2_95 = -2.0 * math.log(1.0 - ELLIPSE_LEVEL)  # 5.991
    assert chi2_95 == pytest.approx(5.991, abs=5e-4)
    assert prediction_ellipse_scale(10**7) == pytest.approx(chi2_95, rel=1e-5)
    # Few samples: the prediction ellipse must be wider than the large-sample one.
    assert prediction_ellipse_scale(20) > prediction_ellipse_scale(200) > chi2_95


def test_the_metrics_ellipse_is_pi_k_sqrt_det_of_the_sample_covariance():
    rng = np.random.default_rng(1)
    ml, ap = rng.normal(0, 3, 400), rng.normal(0, 5, 400)
    cov = np.cov(np.vstack([ml, ap]), ddof=1)
    want = math.pi * prediction_ellipse_scale(400) * math.sqrt(np.linalg.det(cov))
    assert ellipse_area_mm2(ml, ap) == pytest.approx(want, rel=1e-12)


@pytest.mark.parametrize("n, level", [(2, 0.95), (10, 0.0), (10, 1.0)])
def test_the_ellipse_scale_refuses_what_has_no_ellipse(n, level):
    with pytest.raises(ValueError):
        prediction_ellipse_scale(n, level)


def test_asymmetry_is_signed_by_the_larger_side_and_none_without_both():
    assert asymmetry_pct(10.0, 8.0) == pytest.approx(20.0)
    assert asymmetry_pct(8.0, 10.0) == pytest.approx(-20.0)
    assert asymmetry_pct(None, 3.0) is None and asymmetry_pct(0.0, 0.0) is None
    assert asymmetry_pct(math.nan, 3.0) is None
