"""Weeks of a person's programme sessions written through the real ProgrammeStore (for the
calendar's tests and screenshots)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from balance_trainer.programme import parse_programme
from balance_trainer.programme_store import ProgrammeStore

WEEKDAY_PLAN = """days_per_week = 5
days = ["mon", "tue", "wed", "thu", "fri"]
start = {start}

[[exercise]]
name = "side-lying-clam"
sides = ["left", "right"]
sets = 1
reps = 10
rest_s = 20

[[exercise]]
name = "step-up-hold"
sides = ["left", "right"]
sets = 2
hold_s = 20
rest_s = 30
"""
"""Mondays to Fridays, 6 sets a session."""


def fill_history(store: Any, pid: str, today: date, days: str) -> Any:
    """Give ``pid`` the weekday programme from ``len(days) - 1`` days before ``today`` and one
    letter of ``days`` per day up to today: ``D`` every set done, ``P`` half of them, ``S``
    a session begun with every set skipped, ``-`` no session. Returns the ProgrammeStore."""
    ps = ProgrammeStore(store)
    start = today - timedelta(days=len(days) - 1)
    prog = parse_programme(WEEKDAY_PLAN.format(start=start.isoformat()), "weekday plan")
    ps.set_programme(pid, prog)
    steps = prog.steps()
    for k, mark in enumerate(days):
        if mark == "-":
            continue
        sid = ps.start_session(pid, start + timedelta(days=k))
        for i, plan in enumerate(steps):
            row = ps.begin_set(sid, plan)
            done = mark == "D" or (mark == "P" and i < len(steps) // 2)
            if plan.info.on_board and done:
                ps.add_rep(row.id, {"n": 1, "held_s": 20.0, "ml_rms_mm": 6.0})
            ps.finish_set(row.id, "done" if done else "skipped", steady=True if done else None)
        ps.finish_session(sid)
    return ps
