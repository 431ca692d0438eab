"""The simulated person sways like HBEDB's young and older adults, per condition.

The targets are computed here from the published trials in ``tests/data/hbedb`` (Santos &
Duarte 2016) with the project's own measures; ``benchmarks/bench_simulator_fit.py`` prints the
same comparison as a table. The simulated people are the six the fit was made with (seeds
1-6), so this pins the fit down: a change to the model or its settings that moves a median out
of its HBEDB range fails here.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from itertools import islice
from pathlib import Path

import numpy as np
import pytest

from balance_trainer.analysis import analyze_file, analyze_trial
from balance_trainer.balance import BalanceModel
from balance_trainer.calibration import Calibration
from balance_trainer.config import load_board
from hardware.simulated import SimulatedBoard
from hardware.sway_calibration import controls_for, old_weight

HBEDB = Path(__file__).resolve().parent.parent / "data" / "hbedb"
MEASURES = ("ellipse_area_mm2", "mean_velocity_mm_s", "ml_rms_mm", "ap_rms_mm")
SINGLE = ("ml_mean_velocity_mm_s", "ap_mean_velocity_mm_s")
AGES = {"young": 30.0, "old": 70.0}
CONDITIONS = [(g, e, s) for g in AGES for e in ("open", "closed") for s in ("firm", "foam")]


@pytest.fixture(scope="module")
def hbedb_ranges() -> dict[tuple[str, str, str], dict[str, tuple[float, float]]]:
    values: dict = defaultdict(lambda: defaultdict(list))
    with open(HBEDB / "reference.tsv", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            m = analyze_file(HBEDB / f"{row['Trial']}.txt", filter=False)["metrics"]
            key = (row["AgeGroup"].lower(), row["Vision"].lower(), row["Surface"].lower())
            for name in MEASURES:
                values[key][name].append(m[name])
    return {k: {n: (min(v), max(v)) for n, v in d.items()} for k, d in values.items()}


def simulated(age: float, eyes: str, surface: str, seed: int, scenario: str = "quiet") -> dict:
    sim = SimulatedBoard(
        load_board("two-plate-8"),
        scenario,
        seed=seed,
        realtime=False,
        spike_rate=0.0,
        age_years=age,
        eyes=eyes,
        surface=surface,
    )
    if scenario == "quiet":
        start, stop = 0.0, 60.0
    else:
        lift = next(e.t_s for e in sim.events if e.name == "lift_off")
        down = next(e.t_s for e in sim.events if e.name == "touchdown")
        start, stop = lift + 3.0, down - 0.5
    frames = list(islice(sim.frames(), int(stop * sim.fs) + 1))
    t = np.array([f.t for f in frames])
    off, scale = sim.builtin_calibration()
    counts = np.array([f.counts for f in frames], dtype=float)
    bal = BalanceModel(sim.board).compute(
        t, Calibration(sim.board.cell_names, off, scale).forces(counts)
    )
    k = t >= start
    return analyze_trial(t[k], bal.cop_ml_mm[k], bal.cop_ap_mm[k], load_n=bal.total_n[k])


@pytest.mark.parametrize(("group", "eyes", "surface"), CONDITIONS)
def test_quiet_stance_sways_within_the_hbedb_range_of_its_age_group(
    hbedb_ranges, group, eyes, surface
):
    runs = [simulated(AGES[group], eyes, surface, seed) for seed in range(1, 7)]
    for name in MEASURES:
        lo, hi = hbedb_ranges[(group, eyes, surface)][name]
        median = float(np.median([r[name] for r in runs]))
        assert lo <= median <= hi, f"{group} {eyes} {surface} {name}: {median:.2f}"


def test_older_adults_sway_more_than_young_ones_in_every_condition():
    for eyes in ("open", "closed"):
        for surface in ("firm", "foam"):
            young, old = controls_for(30, eyes, surface), controls_for(70, eyes, surface)
            assert old.both_ml.ramble_mm > young.both_ml.ramble_mm
            assert old.both_ap.noise_mm > young.both_ap.noise_mm


def test_age_blends_from_the_young_fit_to_the_older_fit_between_55_and_65():
    assert old_weight(40) == 0.0 and old_weight(80) == 1.0
    assert 0.0 < old_weight(60) < 1.0
    mid = controls_for(60).both_ml.ramble_mm
    assert controls_for(30).both_ml.ramble_mm < mid < controls_for(70).both_ml.ramble_mm


def test_one_leg_sway_stays_below_the_older_fallers_cut_offs_and_young_sway_less():
    # Oliveira et al. 2018: older fallers lie above 1030 mm², ML 34 mm/s, AP 29 mm/s.
    runs = {g: [simulated(a, "open", "firm", s, "single-leg-left") for s in (1, 2, 3)]
            for g, a in AGES.items()}  # fmt: skip
    med = {g: {n: np.median([r[n] for r in rs]) for n in MEASURES + SINGLE}
           for g, rs in runs.items()}  # fmt: skip
    assert med["old"]["ellipse_area_mm2"] < 1030.0
    assert med["old"]["ml_mean_velocity_mm_s"] < 34.0
    assert med["old"]["ap_mean_velocity_mm_s"] < 29.0
    assert med["young"]["ml_mean_velocity_mm_s"] < med["old"]["ml_mean_velocity_mm_s"]
    # and one leg is far less steady than both feet
    quiet = simulated(30, "open", "firm", 1)
    assert med["young"]["ml_mean_velocity_mm_s"] > 3 * quiet["ml_mean_velocity_mm_s"]
