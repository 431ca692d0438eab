"""Today's session run by the simulated person: sets counted by the board, stored as it goes,
and nothing already done lost when the process is killed."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from programme_helpers import SMALL_PLAN, Person, make_runner, open_sim, small_plan

from balance_trainer.programme_session import LEAN_MM, Phase, RepRecord, set_feedback
from balance_trainer.programme_store import ProgrammeStore
from balance_trainer.store import Store

HERE = Path(__file__).resolve().parent


@pytest.fixture
def pstore(tmp_path):
    s = Store(tmp_path / "db.sqlite", clock=lambda: datetime(2026, 12, 2, 9, tzinfo=UTC))
    s.add_person("p01")
    ps = ProgrammeStore(s)
    ps.set_programme("p01", small_plan())
    yield ps
    s.close()


def test_the_simulated_person_completes_a_session_counted_by_the_board(pstore):
    runner = make_runner(pstore)
    Person(open_sim(), runner).run(300, until=Phase.CHECKIN)
    assert runner.phase is Phase.CHECKIN
    runner.check_in(effort=6, pain=1)
    assert runner.phase is Phase.DONE
    (sess,) = pstore.sessions("p01")
    assert sess.status == "complete" and (sess.effort, sess.pain) == (6, 1)
    assert [s.status for s in sess.sets] == ["done"] * 6
    by = {(s.exercise, s.side, s.set_no): s for s in sess.sets}
    for side in ("left", "right"):
        for n in (1, 2):
            hold = by[("step-up-hold", side, n)]
            (rep,) = hold.reps
            assert rep["held_s"] == pytest.approx(5.0, abs=0.6)  # lift-off to touchdown
            assert rep["full"] is True and rep["ml_rms_mm"] > 0
    squats = by[("single-leg-squat", "right", 1)]
    assert squats.reps_done == 3 and all(r["depth_mm"] >= 20 for r in squats.reps)
    clam = by[("side-lying-clam", "left", 1)]
    assert clam.reps_done == 3 and all(r["confirmed"] for r in clam.reps)


def test_holds_are_timed_from_lift_off_to_touchdown_not_by_the_clock():
    runner = make_runner(None)
    person = Person(open_sim(), runner)
    person.run(60, until=Phase.ACTIVE)  # the clam: confirm it at once
    runner.confirm()
    person.run(60, until=Phase.ACTIVE)
    assert runner.plan.exercise.name == "step-up-hold"
    # The person stays on both feet: a clock alone would run out, the board sees no hold.
    for _ in range(20 * 60):
        person.now += person.dt
        runner.feed(person.conv.block(person._frames_until(person.now))[0])
        runner.tick(person.dt)
    assert runner.phase is Phase.ACTIVE and runner.reps_done == 0


def test_a_skipped_set_is_stored_as_skipped_and_the_session_goes_on(pstore):
    runner = make_runner(pstore)
    runner.skip()  # the clam, from its instruction
    assert runner.plan.exercise.name == "step-up-hold"
    (sess,) = pstore.sessions("p01")
    assert [s.status for s in sess.sets] == ["skipped"]


def test_pause_stops_the_timers():
    runner = make_runner(None)
    runner.pause()
    runner.tick(100.0)
    assert runner.phase is Phase.READY
    runner.resume()
    runner.tick(runner.ready_s)
    assert runner.phase is Phase.ACTIVE


def test_easy_mode_gives_longer_timers():
    assert make_runner(None, easy=True).ready_s == pytest.approx(1.5 * make_runner(None).ready_s)


def test_squat_feedback_says_how_many_leaned_toward_the_lifted_side():
    plan = small_plan().steps()[-1]
    reps = [RepRecord(i + 1, lean_mm=LEAN_MM + (5 if i < 3 else -5)) for i in range(3)]
    for r in reps:
        r.leaned = (r.lean_mm or 0) > LEAN_MM
    text, steady = set_feedback(plan, reps)
    assert text == "3 of 3 squats. You leaned toward the lifted side on 3 of 3."
    assert steady is False
    assert "pelvis" not in text and "hip" not in text  # a scale does not see the pelvis


def test_two_steady_sessions_propose_a_longer_hold(pstore):
    # The healthy simulated person (seeds 0 and 1) holds every step-up with a stance-foot ML
    # sway RMS of 4-7 mm, under STEADY_RMS_MM (9 mm): every hold is steady, so the rule
    # "hold +5 s after two steady sessions" must propose 5 -> 10 s after the second session,
    # and not after the first.
    pending_after: list[list[tuple[str, float, float]]] = []
    for k in range(2):
        runner = make_runner(pstore)
        Person(open_sim(seed=k), runner).run(300, until=Phase.CHECKIN)
        runner.check_in(effort=4, pain=0)
        pending_after.append(
            [(p.proposal.field, p.proposal.old, p.proposal.new) for p in pstore.proposals("p01")]
        )
    holds = [
        (s.steady, s.reps[0]["ml_rms_mm"])
        for sess in pstore.sessions("p01")
        for s in sess.sets
        if s.exercise == "step-up-hold"
    ]
    assert len(holds) == 8 and all(steady for steady, _ in holds), holds
    assert pending_after == [[], [("hold_s", 5.0, 10.0)]]
    (row,) = pstore.proposals("p01", "proposed")
    assert row.proposal.reason == "Step-up hold: all sets steady on the last 2 sessions"
    # apply = "propose": the programme is unchanged until a clinician applies it.
    assert pstore.current("p01").version == 1


CHILD = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, {here!r})
    from datetime import UTC, datetime
    from programme_helpers import Person, make_runner, open_sim
    from balance_trainer.programme_session import Phase
    from balance_trainer.programme_store import ProgrammeStore
    from balance_trainer.store import Store
    store = Store({db!r}, clock=lambda: datetime(2026, 12, 2, 9, tzinfo=UTC))
    runner = make_runner(ProgrammeStore(store))
    person = Person(open_sim(), runner)
    person.run(300, until=Phase.CHECKIN)
    print("finished", flush=True)
    """
)


def test_a_kill_mid_session_loses_nothing_already_done_and_it_resumes(tmp_path):
    db = tmp_path / "db.sqlite"
    with Store(db) as s:
        s.add_person("p01")
        ProgrammeStore(s).set_programme("p01", small_plan())
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD.format(here=str(HERE), db=str(db))],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    seen: list[tuple[int, str, int]] = []
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
            try:
                seen = con.execute(
                    "SELECT step, status, reps_done FROM programme_sets ORDER BY step"
                ).fetchall()
            except sqlite3.OperationalError:
                seen = []
            finally:
                con.close()
            if sum(1 for _, st, _ in seen if st == "done") >= 3:
                break
            time.sleep(0.05)
        assert proc.poll() is None, proc.stderr.read().decode()
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(10)
    assert proc.returncode == -signal.SIGKILL
    with Store(db, clock=lambda: datetime(2026, 12, 2, 10, tzinfo=UTC)) as s:
        ps = ProgrammeStore(s)
        (sess,) = ps.sessions("p01")
        assert sess.status == "interrupted"
        kept = {x.step: (x.status, x.reps_done) for x in sess.sets}
        for step, status, reps in seen:
            if status == "done":
                assert kept[step] == ("done", reps)  # nothing already done lost
        resume = ps.resumable("p01", date(2026, 12, 2))
        assert resume is not None and resume.id == sess.id
        runner = make_runner(ps, resume=resume)
        first = runner.index
        assert first == sum(1 for st, _ in kept.values() if st == "done")
        Person(open_sim(seed=3), runner).run(300, until=Phase.CHECKIN)
        runner.check_in(effort=5, pain=2)
        (sess,) = ps.sessions("p01")
        assert sess.status == "complete"
        assert [x.step for x in sess.sets] == list(range(6))
        assert all(x.status == "done" for x in sess.sets)
        assert SMALL_PLAN  # the child ran the same plan


def test_with_a_pelvis_sensor_the_squat_feedback_says_when_the_hip_dropped():
    plan = small_plan().steps()[-1]
    reps = [
        RepRecord(i + 1, lean_mm=0.0, leaned=False, pelvic_drop_deg=9.0 if i else 1.0)
        for i in range(3)
    ]
    text, steady = set_feedback(plan, reps)
    lifted = "right" if plan.side == "left" else "left"
    assert text.endswith(f"Your {lifted} hip dropped on 2 of 3 (pelvis sensor).")
    assert steady is False
    level = [RepRecord(i + 1, lean_mm=0.0, leaned=False, pelvic_drop_deg=1.0) for i in range(3)]
    assert set_feedback(plan, level)[0].endswith("squats, steady.")
    assert RepRecord(1, pelvic_drop_deg=9.0).to_dict()["pelvic_drop_deg"] == 9.0
