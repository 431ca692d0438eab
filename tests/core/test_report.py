"""Progress reports: what is read from results, what is drawn, and the PDF and HTML files."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from balance_trainer import report as rp
from balance_trainer.config import load_board
from balance_trainer.errors import UnknownPersonError, UsageError
from balance_trainer.metrics import ellipse_area_mm2
from balance_trainer.store import Store, TrialRow

DAY0 = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
NAME = "Ann <script>alert(1)</script> & Co"


def cop_forces(board, ml_mm, ap_mm, weight_n=700.0):
    """Cell forces giving exactly the COP (ml, ap) on ``board`` (least-norm weights)."""
    rows = [np.ones(board.n_cells), board.x_mm]
    targets = [np.ones_like(ml_mm), ml_mm]
    if board.has_ap_spacing:
        rows.append(board.y_mm)
        targets.append(ap_mm)
    a = np.vstack(rows)
    w = a.T @ np.linalg.solve(a @ a.T, np.vstack(targets))
    return np.round(weight_n * w.T, 3)


def sway(board, seconds=20.0, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * 80)) / 80.0
    ml = 8 * np.sin(2 * np.pi * 0.4 * t) + rng.normal(0, 1, t.size)
    ap = 12 * np.sin(2 * np.pi * 0.25 * t + 1) + rng.normal(0, 1, t.size)
    return t, cop_forces(board, ml, ap)


def stance_result(hold_l, hold_r, sway_l=4.0, sway_r=6.0):
    return {
        "trials": [
            {
                "stance_side": "left",
                "start_s": 2.0,
                "end_s": 2.0 + hold_l,
                "hold_s": hold_l,
                "stop_reason": "touchdown",
                "metrics": {"ml_rms_mm": sway_l},
            },
            {
                "stance_side": "left",
                "hold_s": hold_l - 3,
                "stop_reason": "touchdown",
                "metrics": {"ml_rms_mm": sway_l + 2},
            },
            {
                "stance_side": "right",
                "hold_s": hold_r,
                "stop_reason": "max_time",
                "metrics": {"ml_rms_mm": sway_r},
            },
        ],
        # as balance_trainer.norms.compare_hold writes it
        "norm": {
            "mean_s": 17.2,
            "age_band": "70-79",
            "eyes": "open",
            "source": "Bohannon 2006",
            "best_hold_s": hold_r,
            "comparison": "at or above mean",
        },
    }


@pytest.fixture
def filled(tmp_path):
    """A person with four stance tests, a squat test, an AP-capable recording and games."""
    clock = {"now": DAY0}
    s = Store(tmp_path / "r.db", clock=lambda: clock["now"])
    s.add_person("p01", name=NAME, birth_year=1950, sex="female", dominant_side="right")
    two = load_board("two-plate-4")
    corners = load_board("corners-4")
    for day in range(4):
        clock["now"] = DAY0 + timedelta(days=7 * day)
        sid = s.start_session("p01", "test", board=two)
        rec = s.start_trial(sid, "single-leg-stance", {"max_s": 45}, two)
        rec.add_frames(*sway(two, 10.0, seed=day))
        rec.finish(result=stance_result(10.0 + 2 * day, 20.0 + day, 5.0 - day, 6.0))
    clock["now"] = DAY0 + timedelta(days=22)
    sid = s.start_session("p01", "test", board=two)
    s.start_trial(sid, "single-leg-squat", {"reps": 2}, two).finish(
        result={
            "reps": [
                {
                    "stance_side": "left",
                    "metrics": {"ml_range_mm": 30.0, "pelvic_control_index": 0.5},
                },
                {
                    "stance_side": "left",
                    "metrics": {"ml_range_mm": 34.0, "pelvic_control_index": 0.7},
                },
                {
                    "stance_side": "right",
                    "metrics": {"ml_range_mm": 45.0, "pelvic_control_index": 1.0},
                },
            ]
        }
    )
    # a 30 s hip-stability hold is not a stance-test hold: it must stay out of that trend
    s.start_trial(sid, "hip-stability", {}, two).finish(result=stance_result(30.0, 30.0))
    rec = s.start_trial(sid, "single-leg-stance", {}, two)  # broken off: not a trend point
    rec.finish(result=stance_result(99.0, 99.0), status="interrupted")
    clock["now"] = DAY0 + timedelta(days=23)
    sid = s.start_session("p01", "record", board=corners)
    rec = s.start_trial(sid, "record", {}, corners)
    rec.add_frames(*sway(corners, 20.0))
    rec.finish(metrics={"ml_rms_mm": 6.1, "ml_mean_velocity_mm_s": 12.0})
    sid = s.start_session("p01", "game")
    for k, score in enumerate((10.0, 14.0)):
        clock["now"] = DAY0 + timedelta(days=23, minutes=k)
        s.add_game_result(sid, "pelvis-pilot", score, level=1)
    clock["now"] = DAY0 + timedelta(days=30)
    yield s
    s.close()


def _trial(result=None, metrics=None, status="complete") -> TrialRow:
    return TrialRow(1, 1, "x", {}, {}, status, DAY0, None, 0, None, result, metrics)


# --- reading results -------------------------------------------------------------------------


def test_hold_is_the_best_trial_and_sway_the_mean_per_side():
    t = _trial(stance_result(12.0, 20.0, 4.0, 6.0))
    assert rp.measure_by_side(t, rp.MEASURES["hold"]) == {"left": 12.0, "right": 20.0}
    assert rp.measure_by_side(t, rp.MEASURES["sway"]) == {"left": 5.0, "right": 6.0}
    assert rp.measure_by_side(t, rp.MEASURES["squat"]) == {}
    sq = _trial(
        {
            "reps": [
                {"stance_side": "right", "metrics": {"ml_range_mm": 40.0}},
                {"stance_side": "right", "metrics": {"ml_range_mm": 60.0}},
            ]
        }
    )
    assert rp.measure_by_side(sq, rp.MEASURES["squat"]) == {"right": pytest.approx(50.0)}


@pytest.mark.parametrize(
    "result",
    [
        None,
        "text",
        [],
        {"trials": "x"},
        {"trials": [{"stance_side": "up", "hold_s": 3}]},
        {"reps": [{"stance_side": "left", "metrics": None}]},
        {"trials": [{"hold_s": None}]},
        {"score": 3, "deep": {"a": [1, 2]}, "norm": [1, 2]},
        {"trials": [{"side": "right", "hold_s": float("nan")}]},
    ],
)
def test_summaries_survive_whatever_a_result_holds(result):
    text = rp.summarize_trial(_trial(result))
    assert isinstance(text, str) and text and "nan" not in text.lower()
    assert isinstance(rp.norm_text(result), str)


def test_summary_falls_back_to_the_sway_metrics_and_names_the_status():
    t = _trial(None, {"ml_rms_mm": 3.21, "left_share": 0.47}, status="aborted")
    assert rp.summarize_trial(t) == "aborted: ML RMS 3.2 mm; left 47 %"


def test_norm_is_shown_as_stored_with_a_verdict_per_side(filled):
    data = rp.gather(filled, "p01")
    (stance,) = [r for r in data.latest if r.protocol == "single-leg-stance"]
    assert stance.norm == "mean hold 17.2 s for 70-79, eyes open (Bohannon 2006)"
    # the latest complete stance test: left 16 s, right 23 s against 17.2 s
    assert stance.verdict == "L below the mean, R at or above the mean"


def test_a_norm_in_another_shape_is_shown_as_it_is():
    assert (
        rp.norm_text({"norm": {"hold_s": 27, "group": {"age": "60-69"}}})
        == "hold_s 27; group: age 60-69"
    )
    assert (
        rp.verdict_for(
            _trial({"norm": {"hold_s": 27}, "trials": [{"stance_side": "left", "hold_s": 30.0}]})
        )
        == "L at or above the mean"
    )


def test_latest_result_per_test_prefers_the_latest_complete_trial(filled):
    data = rp.gather(filled, "p01")
    assert [r.protocol for r in data.latest] == [
        "hip-stability",
        "record",
        "single-leg-squat",
        "single-leg-stance",
    ]
    stance = data.latest[3]
    assert stance.summary.startswith("L: best hold 16.0 s, ML RMS 3.0 mm; R: best hold 23.0 s")
    assert "99" not in stance.summary
    assert data.latest[2].summary == "L: ML range 32.0 mm; R: ML range 45.0 mm"


def test_trends_follow_completed_tests_per_side_in_time_order(filled):
    data = rp.gather(filled, "p01")
    hold = data.trends["hold"]
    assert [v for _, v in hold["left"]] == [10.0, 12.0, 14.0, 16.0]
    assert [v for _, v in hold["right"]] == [20.0, 21.0, 22.0, 23.0]
    assert [d for d, _ in hold["left"]] == sorted(d for d, _ in hold["left"])
    assert data.trends["squat"] == {
        "left": [(DAY0 + timedelta(days=22), pytest.approx(32.0))],
        "right": [(DAY0 + timedelta(days=22), 45.0)],
    }
    assert [v for _, v in data.games["pelvis-pilot"]] == [10.0, 14.0]
    assert data.latest_by_side["sway"] == {"left": (2.0 + 4.0) / 2, "right": 6.0}


def test_asymmetry_is_the_signed_difference_over_the_larger_side():
    assert rp.asymmetry_pct(15.0, 20.0) == pytest.approx(-25.0)
    assert rp.asymmetry_pct(20.0, 15.0) == pytest.approx(25.0)
    assert rp.asymmetry_pct(0.0, 0.0) is None


# --- plots -----------------------------------------------------------------------------------


def test_drawn_ellipse_has_the_area_the_metrics_report():
    rng = np.random.default_rng(1)
    xy = rng.multivariate_normal([3, -2], [[30, 12], [12, 10]], size=500)
    cx, cy, w, h, angle, area = rp.ellipse_geometry(xy[:, 0], xy[:, 1])
    assert area == pytest.approx(ellipse_area_mm2(xy[:, 0], xy[:, 1]), rel=1e-9)
    assert np.pi * w * h / 4 == pytest.approx(area, rel=1e-9)
    assert (cx, cy) == pytest.approx(tuple(xy.mean(axis=0)))


def test_drawn_ellipse_holds_about_95_percent_of_new_samples():
    rng = np.random.default_rng(2)
    cov = [[40, -15], [-15, 12]]
    fit = rng.multivariate_normal([0, 0], cov, size=400)
    cx, cy, w, h, angle, _ = rp.ellipse_geometry(fit[:, 0], fit[:, 1])
    new = rng.multivariate_normal([0, 0], cov, size=20000) - [cx, cy]
    a = np.radians(angle)
    u = new[:, 0] * np.cos(a) + new[:, 1] * np.sin(a)
    v = -new[:, 0] * np.sin(a) + new[:, 1] * np.cos(a)
    inside = (u / (w / 2)) ** 2 + (v / (h / 2)) ** 2 <= 1
    assert inside.mean() == pytest.approx(0.95, abs=0.015)


def test_stabilogram_leaves_ap_out_when_the_board_cannot_measure_it(filled):
    data = rp.gather(filled, "p01", n_traces=5)
    framed = [t for t in data.trials if t.n_frames > 1]
    by_board = {t.board["name"]: rp._trace(filled, t) for t in framed}
    flat, full = by_board["two-plate-4"], by_board["corners-4"]
    assert flat.ap_mm is None and full.ap_mm is not None
    fig = rp.trace_figure(flat)
    assert [ln.get_label() for ln in fig.axes[0].get_lines()] == ["ML (+ = right)"]
    assert "no statokinesigram" in fig.axes[1].get_title(loc="left")
    fig2 = rp.trace_figure(full)
    assert len(fig2.axes[0].get_lines()) == 2
    ellipses = [p for p in fig2.axes[1].patches if type(p).__name__ == "Ellipse"]
    assert len(ellipses) == 1


def test_the_stabilograms_are_the_latest_one_leg_trials_per_side_labelled(filled):
    data = rp.gather(filled, "p01", n_traces=3)
    # The latest stance test held both legs (the newer record and squat carry no frames of
    # one-leg stance), so it is the one stabilogram, labelled with its legs.
    assert [tr.trial.protocol for tr in data.traces] == ["single-leg-stance"]
    label = rp.trace_label(data.traces[0].trial)
    assert "left and right legs" in label and f"trial {data.traces[0].trial.id}" in label
    assert rp.trace_figure(data.traces[0])._suptitle.get_text() == label


def test_left_and_right_are_told_apart_without_colour(filled):
    data = rp.gather(filled, "p01")
    fig = rp.trends_figure(data)
    both = 0
    for ax in fig.axes:
        lines = {ln.get_label(): ln for ln in ax.get_lines()}
        if {"standing on left", "standing on right"} <= set(lines):
            both += 1
            left, right = lines["standing on left"], lines["standing on right"]
            assert left.get_linestyle() != right.get_linestyle()
            assert left.get_marker() != right.get_marker()
    assert both >= 1, "no panel showed both legs"
    comp = rp.comparison_figure(data)
    hatches = {b.get_hatch() for ax in comp.axes for b in ax.patches}
    assert len(hatches) == 2  # plain and hatched bars


def test_the_pelvic_drop_panel_marks_the_2_and_4_degree_lines_and_names_the_standing_leg(filled):
    data = rp.gather(filled, "p01")
    day = datetime(2026, 11, 3, tzinfo=UTC)
    data.trends["pelvic_drop"] = {
        "left": [(day, 0.5), (day + timedelta(days=7), 0.8)],
        "right": [(day, 7.2), (day + timedelta(days=7), 3.1)],
    }
    fig = rp.trends_figure(data)
    (ax,) = [a for a in fig.axes if "Pelvic drop" in a.get_title(loc="left")]
    labels = {ln.get_label(): ln for ln in ax.get_lines()}
    assert {"standing on left", "standing on right", "2° drop", "4° clear drop"} <= set(labels)
    assert list(labels["2° drop"].get_ydata()) == [2.0, 2.0]
    assert list(labels["4° clear drop"].get_ydata()) == [4.0, 4.0]
    # A panel in millimetres gets no degree lines.
    for a in fig.axes:
        if a is not ax:
            assert not any("drop" in ln.get_label() for ln in a.get_lines())


# --- files -----------------------------------------------------------------------------------


def test_html_report_is_self_contained_and_escapes_what_was_typed(filled, tmp_path):
    out = rp.write_report(filled, "p01", tmp_path / "r.html")
    text = out.read_text(encoding="utf-8")
    assert "<script>" not in text and "Ann &lt;script&gt;" in text
    assert not re.search(r"(src|href)=\"(https?:|//|file:)", text)
    # trends, left/right, and one stabilogram: the latest one-leg trial (it held both legs)
    assert text.count("data:image/png;base64,") == 2 + 1
    assert "Birth year" in text and "Height" not in text  # only what was entered
    assert "single-leg-squat" in text and "Bohannon 2006" in text
    assert (out.stat().st_mode & 0o777) == 0o600


def test_pdf_report_has_a_cover_and_a_page_per_figure(filled, tmp_path):
    seen = []
    out = rp.write_report(
        filled, "p01", tmp_path / "r.pdf", progress=lambda i, n, what: seen.append((i, n))
    )
    raw = out.read_bytes()
    assert raw.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page[^s]", raw)) == 1 + 2 + 1
    assert seen[-1] == (3, 3)


def test_a_person_without_sessions_still_gets_a_report(tmp_path):
    with Store(tmp_path / "e.db") as s:
        s.add_person("new")
        html = rp.write_report(s, "new", tmp_path / "e.html").read_text()
    assert "No sessions recorded yet." in html and "No trials yet." in html


def test_typed_text_with_tex_characters_prints_as_typed(tmp_path):
    with Store(tmp_path / "t.db") as s:
        s.add_person("t1", name="Jo $x^{$ O_Brien", notes="50% better \\ $")
        out = rp.write_report(s, "t1", tmp_path / "t.pdf")
    assert out.read_bytes().startswith(b"%PDF")


def test_report_refuses_unknown_formats_and_people(filled, tmp_path):
    with pytest.raises(UsageError, match="FILE.pdf or FILE.html"):
        rp.write_report(filled, "p01", tmp_path / "r.docx")
    with pytest.raises(UnknownPersonError):
        rp.write_report(filled, "ghost", tmp_path / "r.pdf")
    assert not list(tmp_path.glob("*.pdf")) and not list(tmp_path.glob(".*part*"))


def test_plots_are_drawn_without_a_display(filled, tmp_path):
    import matplotlib

    rp.write_report(filled, "p01", tmp_path / "r.pdf")
    assert matplotlib.get_backend().lower() == "agg"
