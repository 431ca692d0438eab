"""The programme model, its TOML file, its storage with history, adherence and the CLI."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from balance_trainer.adherence import adherence, programme_overview
from balance_trainer.cli import main
from balance_trainer.programme import (
    EXERCISES,
    Measure,
    Programme,
    ProgrammeError,
    SetOutcome,
    apply_proposal,
    default_days,
    load_programme,
    parse_programme,
    propose,
)
from balance_trainer.programme_store import ProgrammeStore
from balance_trainer.store import Store

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "glute-med-programme.toml"

MINI = """days_per_week = 7
start = 2026-12-01

[[exercise]]
name = "step-up-hold"
sides = ["left", "right"]
sets = 2
hold_s = 20
rest_s = 30
"""


def test_the_example_plan_carries_all_six_exercises_and_says_which_the_board_measures():
    p = load_programme(str(EXAMPLE))
    assert {e.name for e in p.exercises} == set(EXERCISES)
    board = {e.name for e in p.exercises if e.info.on_board}
    assert board == {"step-up-hold", "single-leg-squat", "mirror-check"}
    assert EXERCISES["single-leg-squat"].measure is Measure.SQUAT
    assert p.training_days == (0, 1, 2, 3, 4)
    assert p.review == date(2027, 1, 12)
    assert len(p.steps()) == 24  # 2x2 + 2x2 + 3x2 + 2x2 + 2x2 + 1x2


def test_programme_round_trips_through_its_stored_form():
    p = load_programme(str(EXAMPLE))
    assert Programme.from_dict(json.loads(json.dumps(p.to_dict()))) == p


def test_steps_go_set_by_set_with_the_sides_in_turn():
    steps = parse_programme(MINI).steps()
    assert [(s.side, s.set_no) for s in steps] == [
        ("left", 1),
        ("right", 1),
        ("left", 2),
        ("right", 2),
    ]


def test_default_days_spread_over_the_week():
    assert default_days(7) == tuple(range(7))
    assert default_days(3) == (0, 2, 5)
    assert len(default_days(5)) == 5


@pytest.mark.parametrize(
    "change, needle",
    [
        (("hold_s = 20", "hold_s = -3"), "small.toml:8: [[exercise]] 1: hold_s: -3"),
        (("hold_s = 20", "hold_s = 20\nwobble = 1"), "unknown key 'wobble'"),
        (('name = "step-up-hold"', 'name = "clam"'), "'clam' is not an exercise; use one of"),
        (("days_per_week = 7", "days_per_week = 8"), "small.toml:1: days_per_week: 8"),
        (("start = 2026-12-01", 'start = "1st of May"'), "write it as 2026-12-01"),
        (('sides = ["left", "right"]', 'sides = ["middle"]'), "sides: ['middle']"),
        (("hold_s = 20\n", ""), "is a hold; add hold_s"),
        (("[[exercise]]", "[[exercise]"), "small.toml:4:"),
    ],
)
def test_a_bad_file_gets_one_line_naming_the_place_and_the_fix(change, needle):
    text = MINI.replace(*change)
    with pytest.raises(ProgrammeError) as info:
        parse_programme(text, "small.toml")
    msg = str(info.value)
    assert needle in msg
    assert "\n" not in msg


def test_a_rule_must_fit_its_exercise():
    bad = MINI + '\n[[rule]]\nexercise = "step-up-hold"\nadd_reps = 2\nadd_hold_s = 5\n'
    with pytest.raises(ProgrammeError, match=r"\[\[rule\]\] 1: add_hold_s: a rule changes one"):
        parse_programme(bad, "r.toml")
    guided = MINI.replace("step-up-hold", "crab-walk").replace("hold_s = 20", "reps = 10")
    guided += '\n[[rule]]\nexercise = "crab-walk"\nadd_reps = 2\n'
    with pytest.raises(ProgrammeError, match="cannot see whether crab-walk was steady"):
        parse_programme(guided, "r.toml")


def test_hold_grows_only_after_the_asked_number_of_steady_sessions():
    p = parse_programme(
        MINI + '\n[[rule]]\nexercise = "step-up-hold"\nsessions = 2\nadd_hold_s = 5\n'
        "max_hold_s = 22\n"
    )
    steady = [SetOutcome("step-up-hold", s, True, True) for s in ("left", "right") * 2]
    wobbly = steady[:3] + [SetOutcome("step-up-hold", "right", True, False)]
    assert propose(p, [steady]) == []
    assert propose(p, [wobbly, steady]) == []
    assert propose(p, [steady[:3], steady]) == []  # one set missing
    (prop,) = propose(p, [wobbly, steady, steady])
    assert (prop.field, prop.old, prop.new) == ("hold_s", 20.0, 22.0)  # capped
    assert apply_proposal(p, prop).exercises[0].hold_s == 22.0
    assert p.exercises[0].hold_s == 20.0


# --- storage ----------------------------------------------------------------------------------


class Clock:
    def __init__(self, t: datetime) -> None:
        self.t = t

    def __call__(self) -> datetime:
        return self.t


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "db.sqlite", clock=Clock(datetime(2026, 12, 1, 9, tzinfo=UTC)))
    s.add_person("p01")
    yield s
    s.close()


def test_every_change_is_kept_as_a_new_version(store):
    ps = ProgrammeStore(store)
    first = ps.set_programme("p01", parse_programme(MINI))
    second = ps.set_programme("p01", parse_programme(MINI.replace("hold_s = 20", "hold_s = 25")))
    assert (first.version, second.version) == (1, 2)
    assert [v.programme.exercises[0].hold_s for v in ps.versions("p01")] == [20.0, 25.0]
    assert ps.current("p01").version == 2


def test_deleting_a_person_deletes_their_programme_and_sessions(store):
    ps = ProgrammeStore(store)
    ps.set_programme("p01", parse_programme(MINI))
    sid = ps.start_session("p01", date(2026, 12, 1))
    row = ps.begin_set(sid, parse_programme(MINI).steps()[0])
    ps.add_rep(row.id, {"n": 1, "held_s": 20.0})
    store.delete_person("p01")
    for table in ("programmes", "programme_sessions", "programme_sets"):
        assert store.query(f"SELECT COUNT(*) FROM {table}") == [(0,)]


def _fake_session(ps, day, *, done=True, pain=2, steady=True):
    prog = ps.current("p01").programme
    sid = ps.start_session("p01", day)
    for plan in prog.steps():
        row = ps.begin_set(sid, plan)
        if done:
            ps.add_rep(row.id, {"n": 1, "held_s": 20.2, "full": True, "ml_rms_mm": 6.0})
        ps.finish_set(row.id, "done" if done else "skipped", steady=steady if done else None)
    ps.check_in(sid, effort=5, pain=pain)
    ps.finish_session(sid)
    return sid


def test_adherence_counts_sets_days_and_streaks(store):
    ps = ProgrammeStore(store)
    ps.set_programme("p01", parse_programme(MINI))
    d0 = date(2026, 12, 1)
    for k in (0, 1, 3, 4, 5):  # day 2 missed, day 6 (today) not yet
        _fake_session(ps, d0 + timedelta(days=k), pain=k)
    a = adherence(ps.versions("p01"), ps.sessions("p01"), d0 + timedelta(days=6))
    assert [m.status for m in a.calendar] == [
        "done",
        "done",
        "missed",
        "done",
        "done",
        "done",
        "due",
    ]
    assert (a.sets_done, a.sets_prescribed) == (20, 24)
    assert a.pct == pytest.approx(100 * 20 / 24)
    assert (a.streak, a.best_streak) == (3, 3)
    assert a.per_exercise["step-up-hold"] == {"prescribed": 24, "done": 20, "skipped": 0}
    assert [v for _, v in a.pain] == [0, 1, 3, 4, 5]
    assert a.holds["left"][0][1] == pytest.approx(20.2)


def test_a_session_of_skipped_sets_is_skipped_not_done(store):
    ps = ProgrammeStore(store)
    ps.set_programme("p01", parse_programme(MINI))
    _fake_session(ps, date(2026, 12, 1), done=False)
    a = adherence(ps.versions("p01"), ps.sessions("p01"), date(2026, 12, 2))
    assert a.calendar[0].status == "skipped"
    assert a.per_exercise["step-up-hold"]["skipped"] == 4
    assert a.streak == 0


def test_proposals_are_applied_as_a_new_version_by_the_clinician(store):
    ps = ProgrammeStore(store)
    text = MINI + '\n[[rule]]\nexercise = "step-up-hold"\nsessions = 1\nadd_hold_s = 5\n'
    cur = ps.set_programme("p01", parse_programme(text))
    (pid,) = ps.add_proposals(
        "p01",
        cur.id,
        propose(
            cur.programme,
            [[SetOutcome("step-up-hold", s, True, True) for s in ("left", "right") * 2]],
        ),
    )
    assert ps.add_proposals("p01", cur.id, [ps.proposals("p01")[0].proposal]) == []  # no repeat
    new = ps.decide(pid, apply=True, by="clinician")
    assert new.version == 2 and new.programme.exercises[0].hold_s == 25.0
    assert ps.proposals("p01")[0].status == "applied"


# --- the command line -------------------------------------------------------------------------


def test_programme_set_and_show_from_the_command_line(tmp_path, capsys):
    d = str(tmp_path)
    assert main(["people", "add", "p01", "--data-dir", d]) == 0
    assert main(["programme", "set", "p01", str(EXAMPLE), "--data-dir", d]) == 0
    capsys.readouterr()
    assert main(["programme", "show", "p01", "--json", "--data-dir", d]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["version"] == 1 and len(data["programme"]["exercise"]) == 6
    assert data["adherence"]["training_days"] == 0 or data["adherence"] is not None
    assert main(["programme", "show", "p01", "--data-dir", d]) == 0
    assert "Step-up hold: 3 x 20 s hold" in capsys.readouterr().out


def test_a_bad_programme_file_exits_2_with_one_line(tmp_path, capsys):
    bad = tmp_path / "plan.toml"
    bad.write_text(MINI.replace("sets = 2", "sets = 0"))
    assert main(["people", "add", "p01", "--data-dir", str(tmp_path)]) == 0
    capsys.readouterr()
    assert main(["programme", "set", "p01", str(bad), "--data-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0
    assert f"{bad}:7: [[exercise]] 1: sets: 0 is not a number of sets" in err


def test_overview_without_a_programme_says_so(store):
    assert programme_overview(store, "p01")["programme"] is None


def test_history_json_and_the_report_carry_adherence(store, tmp_path, capsys, monkeypatch):
    ps = ProgrammeStore(store)
    ps.set_programme("p01", parse_programme(MINI))
    _fake_session(ps, date(2026, 12, 1), pain=3)
    from balance_trainer.adherence import history_lines
    from balance_trainer.report import write_report

    lines = history_lines(store, "p01", date(2026, 12, 2))
    assert [x["kind"] for x in lines] == ["programme", "adherence"]
    assert lines[-1]["adherence_pct"] == 100.0 and lines[-1]["streak"] == 1
    assert lines[0]["sets"][0]["reps"][0]["held_s"] == 20.2
    out = write_report(store, "p01", tmp_path / "r.html", now=datetime(2026, 12, 2, tzinfo=UTC))
    html = out.read_text()
    assert "Home programme: adherence" in html
    no_prog = tmp_path / "other.html"
    store.add_person("p02")
    write_report(store, "p02", no_prog)
    assert "Home programme" not in no_prog.read_text()


def test_history_command_prints_the_adherence_line(tmp_path, capsys):
    d = str(tmp_path)
    main(["people", "add", "p01", "--data-dir", d])
    main(["programme", "set", "p01", str(EXAMPLE), "--data-dir", d])
    capsys.readouterr()
    assert main(["history", "p01", "--json", "--data-dir", d]) == 0
    last = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert last["kind"] == "adherence" and "calendar" in last
