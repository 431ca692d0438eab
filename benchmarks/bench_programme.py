"""Programme benchmark: the report's adherence page for a year of daily sessions.

Run: ``python benchmarks/bench_programme.py`` (under a minute). It fills a store with the
example programme (24 sets a day) done every day for a year (365 sessions, 8,760 sets, every
hold and squat stored as a repetition), for a quarter (91) and for one week, then times, each
best of 3:

- ``gather``: reading the versions and sessions from the store and computing adherence;
- ``page``: drawing the clinician page (matplotlib, Agg) and writing it as a PDF page.

It prints each time, the ratios year / week and, for the gather, year / quarter, all measured
in this run. A year is 52 times a week's data, so a ratio well under 52 means the page's fixed
cost dominates; a ratio above it would mean something grows faster than the data, unless the
week's time is so small (a gather of 1-2 ms) that fixed costs and a busy machine set it: the
year / quarter ratio (4.0 times the data) is the check on that.

``--calibrate`` instead runs the simulated person (healthy and weak hip, 3 seeds) through
20 s step-up holds and 5 single-leg squats per side and prints the stance-foot ML sway RMS of
each hold and the lean toward the lifted side of each squat: the figures behind
``STEADY_RMS_MM`` and ``LEAN_MM`` in balance_trainer/programme_session.py.
"""

from __future__ import annotations

import io
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from balance_trainer.adherence import adherence  # noqa: E402
from balance_trainer.programme import load_programme  # noqa: E402
from balance_trainer.programme_store import ProgrammeStore  # noqa: E402
from balance_trainer.report_programme import programme_page  # noqa: E402
from balance_trainer.store import Store  # noqa: E402

EXAMPLE = ROOT / "examples" / "glute-med-programme.toml"
START = date(2026, 1, 5)


def fill(path: Path, days: int) -> tuple[Store, date]:
    """A store with ``days`` daily sessions of the example programme; returns it and today."""
    import dataclasses

    clock = [datetime(2026, 1, 5, 8, tzinfo=UTC)]
    store = Store(path, clock=lambda: clock[0])
    # Filling a year one committed repetition at a time at FULL sync takes minutes of fsync;
    # the timed part only reads, so the fill may skip the syncs.
    store._conn.execute("PRAGMA synchronous = OFF")  # type: ignore[union-attr]
    store.add_person("p01")
    ps = ProgrammeStore(store)
    prog = load_programme(str(EXAMPLE))
    prog = dataclasses.replace(prog, start=START, days_per_week=7, days=(), review=None)
    ps.set_programme("p01", prog)
    for k in range(days):
        day = START + timedelta(days=k)
        clock[0] = datetime(day.year, day.month, day.day, 8, tzinfo=UTC)
        sid = ps.start_session("p01", day)
        for plan in prog.steps():
            row = ps.begin_set(sid, plan)
            for n in range(plan.exercise.reps if plan.info.on_board else 0):
                if plan.exercise.hold_s is not None:
                    rep = {"n": n + 1, "held_s": plan.exercise.hold_s, "ml_rms_mm": 7.0}
                else:
                    rep = {"n": n + 1, "lean_mm": 12.0, "depth_mm": 60.0, "leaned": False}
                ps.add_rep(row.id, rep)
            ps.finish_set(row.id, "done", steady=k % 3 != 0 if plan.info.on_board else None)
        ps.check_in(sid, effort=5, pain=k % 4)
        ps.finish_session(sid)
    return store, START + timedelta(days=days)


def best_of(n: int, fn: object) -> float:
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - t0)
    return min(times)


def bench(days: int, folder: Path) -> dict[str, float]:
    t0 = time.perf_counter()
    store, today = fill(folder / f"p{days}.db", days)
    fill_s = time.perf_counter() - t0
    ps = ProgrammeStore(store)

    def gather() -> object:
        return adherence(ps.versions("p01"), ps.sessions("p01"), today)

    a = gather()
    cur = ps.current("p01")
    assert cur is not None

    def page() -> None:
        from matplotlib.backends.backend_pdf import PdfPages

        from balance_trainer.plotstyle import pyplot as _plt

        fig = programme_page(a, cur.programme, cur.version, "p01")  # type: ignore[arg-type]
        with PdfPages(io.BytesIO()) as pdf:
            pdf.savefig(fig)
        _plt().close(fig)

    out = {"fill_s": fill_s, "gather_s": best_of(3, gather), "page_s": best_of(3, page)}
    store.close()
    return out


def calibrate() -> None:
    import numpy as np

    sys.path.insert(0, str(ROOT / "tests" / "core"))
    from programme_helpers import Person, open_sim

    from balance_trainer.programme import parse_programme
    from balance_trainer.programme_session import Phase, SessionRunner

    plan = parse_programme(
        'days_per_week = 7\nstart = 2026-12-01\n[[exercise]]\nname = "step-up-hold"\n'
        'sides = ["left", "right"]\nsets = 1\nhold_s = 20\nrest_s = 2\n[[exercise]]\n'
        'name = "single-leg-squat"\nsides = ["left", "right"]\nsets = 1\nreps = 5\nrest_s = 2\n'
    )
    for weak in (False, True):
        rms: list[float] = []
        lean: list[float] = []
        for seed in range(3):
            r = SessionRunner(plan, None, "p", date(2026, 12, 2))
            Person(open_sim(seed=seed, weak_hip=weak), r).run(300, until=Phase.CHECKIN)
            for res in r.results:
                rms += [x.ml_rms_mm for x in res.reps if x.ml_rms_mm is not None]
                lean += [x.lean_mm for x in res.reps if x.lean_mm is not None]
        who = "weak hip" if weak else "healthy "
        print(
            f"{who}: hold ML RMS mm n={len(rms)} min {min(rms):.1f} median "
            f"{np.median(rms):.1f} max {max(rms):.1f}; squat lean mm n={len(lean)} median "
            f"{np.median(lean):.1f}"
        )


def main() -> None:
    if "--calibrate" in sys.argv:
        calibrate()
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        week = bench(7, folder)
        quarter = bench(91, folder)
        year = bench(365, folder)
    rows = (("week (7 sessions)", week), ("quarter (91)", quarter), ("year (365 sessions)", year))
    for name, r in rows:
        print(
            f"{name:<20} fill {r['fill_s']:7.2f} s   gather {r['gather_s'] * 1000:8.1f} ms   "
            f"page {r['page_s'] * 1000:8.1f} ms   "
            f"total {(r['gather_s'] + r['page_s']) * 1000:8.1f} ms"
        )
    for k in ("gather_s", "page_s"):
        print(f"ratio year/week {k[:-2]:<7} {year[k] / week[k]:6.2f} x (data ratio 52.1 x)")
    tot = (year["gather_s"] + year["page_s"]) / (week["gather_s"] + week["page_s"])
    print(f"ratio year/week total   {tot:6.2f} x")
    # A week's gather is a millisecond or two, where fixed costs and a busy machine weigh most;
    # the year against a quarter says whether the work grows with the data.
    g = year["gather_s"] / quarter["gather_s"]
    print(f"ratio year/quarter gather {g:6.2f} x (data ratio {365 / 91:.1f} x)")


if __name__ == "__main__":
    main()
