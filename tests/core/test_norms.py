"""Published norms, fall-risk cut-off and minimal detectable change (balance_trainer.norms)."""

from __future__ import annotations

import math

import pytest

from balance_trainer import norms as N
from balance_trainer.errors import UsageError


@pytest.mark.parametrize(
    "age, eyes, sex, expected",
    [
        (25, "open", None, [44.7]),
        (49.9, "open", "male", [41.9]),
        (65, "open", None, [32.1, 27.0]),  # Springer first (our protocol), then Bohannon
        (85, "closed", "female", [2.1]),
        (30, "closed", None, [13.1, 16.9]),  # eyes closed is by sex: both when unknown
    ],
)
def test_stance_norms_pick_the_age_band_condition_and_sex(age, eyes, sex, expected):
    assert [n.mean_s for n in N.stance_norms(age, eyes, sex)] == expected


@pytest.mark.parametrize("age", [None, 12, 17.9])
def test_no_norm_is_given_outside_the_published_ages(age):
    assert N.stance_norms(age, "open") == []
    assert N.compare_hold(20.0, age) is None


def test_every_norm_names_a_listed_source_and_stays_under_its_ceiling():
    for norm in (*N.SPRINGER_2007, *N.BOHANNON_2006_NORMS):
        assert norm.source_key in N.SOURCES
        assert norm.source == N.SOURCES[norm.source_key].citation
        if norm.ceiling_s is not None:
            assert norm.mean_s < norm.ceiling_s
    eyes_open = [n.mean_s for n in N.SPRINGER_2007 if n.eyes == "open"]
    assert eyes_open == sorted(eyes_open, reverse=True)  # falls with age, as the paper reports


def test_compare_hold_flags_the_fall_risk_cutoff_and_cites_vellas():
    out = N.compare_hold(4.2, 75)
    assert out is not None
    assert out["below_fall_risk_cutoff"] is True and out["fall_risk_cutoff_s"] == 5.0
    assert "Vellas" in out["fall_risk_source"] and "injurious" in out["fall_risk_source"]
    assert N.compare_hold(5.0, 75)["below_fall_risk_cutoff"] is False


def test_compare_hold_heads_with_springers_best_of_3_and_lists_bohannon_beside_it():
    out = N.compare_hold(20.0, 72)
    assert out["mean_s"] == 21.5 and out["statistic"] == "best of 3"
    assert out["comparison"] == "below mean" and "Springer" in out["source"]
    springer, bohannon = out["norms"]
    assert "Table 1" in springer["where"] and "secondary" in springer["checked"]
    assert springer["verdict"] == (
        "20.0 s is 93 % of the 21.5 s mean of healthy people aged 70-79 (their best of 3): below it"
    )
    assert bohannon["mean_s"] == 17.2 and bohannon["verdict"].endswith("at or above it")


def test_eyes_closed_without_sex_compares_with_both_womens_and_mens_means():
    out = N.compare_hold(15.0, 30, "closed")  # women 13.1 s, men 16.9 s
    assert out["comparison"] == "between the women's and men's means"
    assert N.compare_hold(15.0, 30, "closed", sex="female")["comparison"] == "at or above mean"


def test_a_full_hold_is_reported_as_the_ceiling_not_a_percentage_over_it():
    (norm,) = N.stance_norms(30, "open")
    assert N.hold_verdict(45.0, norm).startswith("45.0 s: the full 45 s")


def test_bad_age_eyes_or_sex_is_a_usage_error_naming_it():
    with pytest.raises(UsageError, match="--age -3"):
        N.stance_norms(-3)
    with pytest.raises(UsageError, match="--eyes 'shut'"):
        N.stance_norms(30, "shut")
    with pytest.raises(UsageError, match="sex 'x'"):
        N.stance_norms(30, "open", "x")


def test_mdc95_from_repeated_trials_is_1_96_root_2_times_the_pooled_within_session_sd():
    # session 1: deviations -2, 0, 2; session 2: -1, 1 -> SS = 8 + 2 = 10 on 2 + 1 dof
    mdc = N.mdc95_from_trials([[10.0, 12.0, 14.0], [20.0, 22.0]])
    assert mdc == pytest.approx(1.96 * math.sqrt(2) * math.sqrt(10 / 3))
    assert N.mdc95_from_trials([[10.0], [12.0]]) is None  # single trials carry no error estimate
    assert N.mdc95_from_trials([[7.0, 7.0, 7.0]]) == 0.0


def test_better_than_last_time_only_when_the_change_exceeds_the_mdc():
    mdc = N.PUBLISHED_MDC["hold_s"].mdc95
    assert mdc == 24.1 and N.PUBLISHED_MDC["hold_s"].source_key == "goldberg2011"
    assert N.change_verdict(10.0, 30.0, mdc, higher_is_better=True)["verdict"] == (
        "no detectable change"
    )
    assert N.change_verdict(10.0, 40.0, mdc, higher_is_better=True)["verdict"] == "better"
    assert N.change_verdict(9.0, 6.0, 2.0, higher_is_better=False)["verdict"] == "better"
    assert N.change_verdict(6.0, 9.0, 2.0, higher_is_better=False)["verdict"] == "worse"
    unknown = N.change_verdict(6.0, 9.0, None, higher_is_better=False)
    assert unknown["verdict"] == "unknown (no MDC)" and "no trend" in unknown["text"]


# --- spread and the age-range verdict (issue 13) ------------------------------------------------


def _with(norm, **spread):
    from dataclasses import replace

    return replace(norm, **spread)


def test_with_an_sd_a_hold_under_mean_minus_1_96_sd_is_below_the_age_range():
    norm = _with(N.SPRINGER_2007[3], sd_s=10.0)  # 60-69, mean 32.1 s; an SD for the test
    lower = 32.1 - 19.6
    assert N.range_verdict(lower + 0.1, norm)["verdict"] == "within the age range"
    below = N.range_verdict(lower - 0.1, norm)
    assert below["verdict"] == "below the age range" and below["lower_s"] == pytest.approx(lower)
    assert below["percentile"] == pytest.approx(2.5, abs=0.1)  # Φ(-1.96)
    assert N.range_verdict(32.1, norm)["percentile"] == pytest.approx(50.0)
    # at the 45 s ceiling times pile up: no percentile is claimed
    assert N.range_verdict(45.0, norm)["percentile"] is None


def test_with_only_a_ci_of_the_mean_its_lower_limit_is_the_bound_and_no_percentile():
    norm = _with(N.BOHANNON_2006_NORMS[0], ci95_s=(24.0, 30.0))  # illustrative limits
    got = N.range_verdict(23.9, norm)
    assert got["verdict"] == "below the age range" and got["percentile"] is None
    assert "confidence limit" in got["basis"]
    assert N.range_verdict(24.0, norm)["verdict"] == "within the age range"


def test_no_listed_norm_claims_a_range_it_was_not_published_with():
    for norm in (*N.SPRINGER_2007, *N.BOHANNON_2006_NORMS):
        assert norm.sd_s is None and norm.ci95_s is None
    out = N.compare_hold(12.0, 65)
    assert out["range_verdict"] == "age range not known"
    assert all(e["range"]["verdict"] == "age range not known" for e in out["norms"])
    assert "compared with the mean only" in out["norms"][0]["range"]["text"]


def test_the_stance_table_says_the_age_range_is_not_known(tmp_path, capsys):
    from balance_trainer.cli import main

    args = ["test", "single-leg-stance", "--fast", "--age", "65", "--trials", "1"]
    assert main([*args, "--scenario", "single-leg", "--data-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "age range (Springer et al. 2007): range not known" in out
