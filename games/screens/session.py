"""Today's session of the person's programme: the first screen a person with a programme sees.

The core's :class:`~balance_trainer.programme_session.SessionRunner` does the work (phases,
what the board counts, storing each repetition as it comes); this screen draws it big and turns
the person's input into its calls:

- a picture of the exercise (:mod:`.programme_art`), the instruction written and spoken;
- standing holds: "lift your foot", then a countdown ring from lift-off; squats: the count;
- guided exercises: a ring pacing the repetitions and a large Done button;
- rest: a ring counting down with the set's feedback in plain words;
- effort and pain, 0-10 on large buttons; then the streak and the last two weeks.

Input: ``select`` is Done / start now / skip the rest; ``back`` opens the pause menu (carry on,
skip this set, stop for today); a tap works on every button. The timers and the board move
the session on by themselves, so it runs hands-free; leaning only chooses in the pause menu,
the check-in and at the end, and is never taken from someone doing a standing exercise.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any

import pygame

from balance_trainer.programme_session import Phase, SessionRunner

from ..feed import FeedUpdate
from ..ui import panel, ring
from .base import Screen
from .programme_art import draw_exercise

CHECKIN_DEFAULT = 5
AUTOPILOT_CHECKIN = (5, 1)
"""Headless demos: the effort and pain the simulated person gives."""


def today_for(app: Any) -> date:
    """The app's calendar day (injected in tests as ``app.today``)."""
    got = getattr(app, "today", None)
    return got if isinstance(got, date) else datetime.now().astimezone().date()


def programme_store_for(app: Any) -> Any:
    """The app's :class:`ProgrammeStore`, or None for a guest or without a store."""
    rec = app.records
    if app.person.guest or rec.store is None:
        return None
    try:
        from balance_trainer.programme_store import ProgrammeStore

        return ProgrammeStore(rec.store)
    except Exception as exc:  # noqa: BLE001 - a store fault leaves the games working
        rec.note = f"programme not available: {exc}"
        return None


def has_programme(app: Any) -> bool:
    """True when the person has a programme (the menu shows "Today's exercises")."""
    ps = programme_store_for(app)
    try:
        return ps is not None and ps.current(app.person.id) is not None
    except Exception:  # noqa: BLE001
        return False


def first_screen_for(app: Any) -> str:
    """``session`` when the person has a programme with something to do today, else ``menu``."""
    ps = programme_store_for(app)
    if ps is None:
        return "menu"
    try:
        cur = ps.current(app.person.id)
        if cur is None:
            return "menu"
        day = today_for(app)
        if ps.resumable(app.person.id, day) is not None:
            return "session"
        if not cur.programme.is_training_day(day):
            return "menu"
        done = [s for s in ps.sessions(app.person.id) if s.day == day and s.status == "complete"]
        return "menu" if done else "session"
    except Exception as exc:  # noqa: BLE001
        app.records.note = f"programme not available: {exc}"
        return "menu"


class SessionScreen(Screen):
    """Today's exercises, one set at a time."""

    name = "session"
    needs_person = False  # the side-lying exercises are done off the board

    def __init__(self, app: Any) -> None:
        super().__init__(app)
        self.runner: SessionRunner | None = None
        self.error = ""
        self.said: list[str] = []
        self.menu_open = False
        self.menu_sel = 0
        self.check_stage = 0  # 0 effort, 1 pain
        self.check_sel = CHECKIN_DEFAULT
        self.effort: int | None = None
        self.buttons: list[tuple[pygame.Rect, Any]] = []
        self._next_squat = 0.0
        self._phase_seen: Any = None
        self._autopilot_t = 0.0
        self._await_t: float | None = None
        self.streak = 0
        self.recent: list[tuple[date, str]] = []

    # -- life --------------------------------------------------------------------------------
    def enter(self) -> None:
        ps = programme_store_for(self.app)
        if ps is None:
            self.error = "Choose your name first: programmes are kept for each person."
            return
        try:
            cur = ps.current(self.app.person.id)
            if cur is None:
                self.error = "No programme yet: your physiotherapist sets it in Settings."
                return
            day = today_for(self.app)
            resume = ps.resumable(self.app.person.id, day)
            self.runner = SessionRunner(
                cur.programme,
                ps,
                self.app.person.id,
                day,
                easy=self.app.easy,
                fs_hz=float(self.app.feed.board.sample_rate_hz),
                resume=resume,
                on_say=self._say,
            )
        except Exception as exc:  # noqa: BLE001 - shown on screen, never a crash
            self.error = f"The programme cannot start: {exc}"
            self.runner = None

    def leave(self) -> None:
        if self.runner is not None:
            try:
                self.runner.close()
            except Exception:  # noqa: BLE001
                pass

    def _say(self, text: str) -> None:
        self.said.append(text)
        speak = getattr(self.app, "say", None)
        if callable(speak):
            try:
                speak(text)
            except Exception:  # noqa: BLE001 - no voice is not a reason to stop
                pass

    # -- what the app asks -------------------------------------------------------------------
    @property
    def sim_stance(self) -> str:  # type: ignore[override]
        r = self.runner
        if r is None or self.menu_open:
            return "both"
        return r.wants_stance

    @property
    def hands_free(self) -> bool:  # type: ignore[override]
        r = self.runner
        if r is None or self.menu_open:
            return True
        return r.phase in (Phase.CHECKIN, Phase.DONE) or r.awaiting_confirm

    def autopilot(self, t_s: float) -> float | None:
        return None

    # -- input -------------------------------------------------------------------------------
    def intent(self, name: str) -> None:
        r = self.runner
        if r is None:
            if name in ("select", "back"):
                self.app.show("menu")
            return
        if self.menu_open:
            if name in ("left", "right"):
                self.menu_sel = (self.menu_sel + (1 if name == "right" else -1)) % 3
                self.app.play("move")
            elif name == "select":
                self._menu_choose(self.menu_sel)
            elif name == "back":
                self._menu_choose(0)
            return
        if r.phase is Phase.CHECKIN:
            if name in ("left", "right"):
                self.check_sel = max(0, min(10, self.check_sel + (1 if name == "right" else -1)))
                self.app.play("move")
            elif name == "select":
                self._check(self.check_sel)
            elif name == "back":
                self._check(None)
            return
        if r.phase is Phase.DONE:
            if name in ("select", "back"):
                self.app.show("menu")
            return
        if name == "select":
            self.app.play("select")
            r.confirm()
        elif name == "back":
            self.open_menu()

    def open_menu(self) -> None:
        if self.runner is None:
            return
        self.menu_open = True
        self.menu_sel = 0
        self.runner.pause()
        self.app.nav.reset(self.app.now, 3.0)

    MENU = ("Carry on", "Skip this set", "Stop for today")

    def _menu_choose(self, i: int) -> None:
        r = self.runner
        assert r is not None
        self.menu_open = False
        r.resume()
        self.app.play("select")
        if i == 1:
            r.skip()
        elif i == 2:
            r.close()  # resumable later today; what was done is kept
            self.app.show("menu")

    def _check(self, value: int | None) -> None:
        r = self.runner
        assert r is not None
        self.app.play("select")
        if self.check_stage == 0:
            self.effort = value
            self.check_stage = 1
            self.check_sel = 0
            self._say("And any pain, from 0 for none to 10 for the worst?")
            self.app.nav.reset(self.app.now, 3.0)
            return
        r.check_in(self.effort, value)
        self._finish_summary()
        self.result_summary = {
            "programme_session": r.session_id,
            "sets": r.counts(),
            "effort": self.effort,
            "pain": value,
        }
        self.app.nav.reset(self.app.now, 10.0)

    def _finish_summary(self) -> None:
        ps = programme_store_for(self.app)
        if ps is None:
            return
        try:
            from balance_trainer.adherence import adherence

            pid = self.app.person.id
            a = adherence(ps.versions(pid), ps.sessions(pid), today_for(self.app))
            self.streak = a.streak
            self.recent = [(m.day, m.status) for m in a.calendar[-14:]]
        except Exception as exc:  # noqa: BLE001
            self.app.records.note = f"adherence not shown: {exc}"

    def handle_event(self, event: pygame.event.Event) -> None:
        if event.type == pygame.MOUSEBUTTONDOWN and event.button == 1:
            for rect, action in list(self.buttons):
                if rect.collidepoint(event.pos):
                    action()
                    return

    # -- time --------------------------------------------------------------------------------
    def feed(self, update: FeedUpdate) -> None:
        r = self.runner
        if r is None or len(update) == 0:
            return
        try:
            for ev in r.feed(update.block):
                if ev.kind in ("lift_off", "squat"):
                    self.app.play("block" if ev.kind == "squat" else "tick")
        except Exception as exc:  # noqa: BLE001 - a store fault must not stop the session
            self.app.records.note = f"session not saved: {exc}"

    def update(self, dt: float) -> None:
        super().update(dt)
        r = self.runner
        if r is None:
            return
        if not self.menu_open:
            r.tick(dt)
        if r.phase is not self._phase_seen:
            self._phase_seen = r.phase
            self._autopilot_t = self.t
            if r.phase is Phase.REST:
                self.app.play("done")
            elif r.phase is Phase.ACTIVE:
                self.app.play("go")
            elif r.phase is Phase.CHECKIN:
                self.app.nav.reset(self.app.now, 3.0)
        if self.app.autopilot:
            self._autopilot()

    def _autopilot(self) -> None:
        """Headless demos: the simulated person squats, says done and checks in."""
        r = self.runner
        assert r is not None
        sim = self.app.feed.sim
        plan = r.plan
        if (
            r.phase is Phase.ACTIVE
            and plan is not None
            and plan.exercise.name == "single-leg-squat"
            and sim is not None
            and hasattr(sim, "squat")
            and getattr(sim, "stance", None) == plan.side
            and self.t >= self._next_squat
        ):
            sim.squat()
            self._next_squat = self.t + 4.0 * r.factor
        if not r.awaiting_confirm:
            self._await_t = None
        elif self._await_t is None:
            self._await_t = self.t
        elif self.t - self._await_t > 1.5:  # reads "Done!", then presses the button
            r.confirm()
        if r.phase is Phase.CHECKIN and self.t - self._autopilot_t > 2.0:
            self._autopilot_t = self.t
            self._check(AUTOPILOT_CHECKIN[self.check_stage])

    # -- drawing -----------------------------------------------------------------------------
    def _size(self, v: float) -> float:
        return v * (1.15 if self.app.easy else 1.0)

    def _button(
        self,
        surface: pygame.Surface,
        rect: pygame.Rect,
        label: str,
        action: Any,
        *,
        selected: bool = False,
        size: float = 28,
    ) -> None:
        ui = self.ui
        t = ui.theme
        panel(
            surface,
            ui,
            rect,
            color=t.accent if selected else t.panel,
            edge=t.text if selected else t.panel_edge,
        )
        ui.blit_text(
            surface, label, self._size(size), rect.center, (20, 20, 30) if selected else t.text
        )
        self.buttons.append((rect, action))

    def draw(self, surface: pygame.Surface) -> None:
        super().draw(surface)
        self.buttons = []
        ui = self.ui
        r = self.runner
        if r is None:
            self.draw_title(surface, "Today's exercises")
            for i, line in enumerate(ui.wrap(self.error, self._size(28), ui.px(640))):
                ui.blit_text(surface, line, self._size(28), (ui.w // 2, ui.y(190 + i * 40)))
            self._button(
                surface,
                ui.rect(300, 330, 200, 80),
                "Menu",
                lambda: self.app.show("menu"),
                selected=True,
            )
            return
        if r.phase is Phase.CHECKIN:
            self._draw_checkin(surface)
        elif r.phase is Phase.DONE:
            self._draw_done(surface)
        else:
            self._draw_set(surface)
        if self.menu_open:
            self._draw_menu(surface)
        self.draw_person(surface)

    def _draw_set(self, surface: pygame.Surface) -> None:
        ui = self.ui
        t = ui.theme
        r = self.runner
        assert r is not None
        plan = r.plan
        assert plan is not None
        resting = r.phase is Phase.REST
        title = "Rest" if resting else plan.info.title
        ui.blit_text(surface, title, self._size(38), (ui.w // 2, ui.y(30)), t.text, shadow=True)
        sub = (
            f"{plan.side} side - set {plan.set_no} of {plan.exercise.sets} - "
            f"step {plan.step + 1} of {len(r.steps)}"
        )
        if resting:
            sub = f"next: {plan.info.title}, {sub}"
        ui.blit_text(surface, sub, self._size(22), (ui.w // 2, ui.y(64)), t.dim)
        # progress dots: one per set of the session
        n = len(r.steps)
        w = min(ui.px(14), (ui.w - ui.px(120)) // max(n, 1))
        x0 = ui.w // 2 - n * w // 2
        status = {res.plan.step: res.status for res in r.results}
        for i in range(n):
            col = (
                t.good
                if status.get(i) == "done"
                else t.warn
                if status.get(i) == "skipped"
                else t.accent
                if i == plan.step
                else t.panel_edge
            )
            pygame.draw.circle(surface, col, (x0 + i * w + w // 2, ui.y(84)), max(2, w // 3))
        pic = ui.rect(16, 96, 300, 312)
        draw_exercise(surface, ui, pic, plan.exercise.name, plan.side, self.t)
        box = ui.rect(332, 96, 452, 312)
        panel(surface, ui, box)
        ty = box.top + ui.px(12)
        size = self._size(24)
        text = f"Last set: {r.last_feedback}" if resting else r.instruction
        last_steady = r.results[-1].steady if r.results else None
        color = (t.accent if last_steady is False else t.good) if resting else t.text
        lines = ui.wrap(text, size, box.w - ui.px(28))[:4]
        for line in lines:
            ui.blit_text(surface, line, size, (box.left + ui.px(14), ty), color, anchor="topleft")
            ty += ui.px(30 * (1.15 if self.app.easy else 1.0))
        centre = (box.centerx, box.bottom - ui.px(96))
        rad = ui.px(74)
        # The physio's cue, when it fits above the ring (easy mode's larger type may not).
        if not resting and ty + ui.px(26) < centre[1] - rad:
            ui.blit_text(
                surface,
                plan.info.check,
                self._size(20),
                (box.left + ui.px(14), ty + 4),
                t.dim,
                anchor="topleft",
            )
        big = self._size(54)
        if r.phase is Phase.READY:
            left = r.time_left_s
            ring(surface, t.panel_edge, centre, rad, ui.px(12), 1.0)
            ring(surface, t.accent, centre, rad, ui.px(12), left / max(r.ready_s, 1e-9))
            ui.blit_text(surface, f"{math.ceil(left)}", big, centre, t.accent)
            ui.blit_text(
                surface,
                "get ready",
                self._size(20),
                (centre[0], centre[1] + rad + ui.px(2)),
                t.dim,
                anchor="midtop",
            )
        elif r.phase is Phase.REST:
            left = r.time_left_s
            ring(surface, t.panel_edge, centre, rad, ui.px(12), 1.0)
            ring(surface, t.good, centre, rad, ui.px(12), left / max(r.rest_s_prev, 1e-9))
            ui.blit_text(surface, f"{math.ceil(left)}", big, centre, t.good)
            ui.blit_text(
                surface,
                "rest",
                self._size(20),
                (centre[0] - rad - ui.px(10), centre[1]),
                t.dim,
                anchor="midright",
            )
        elif plan.info.on_board:
            self._draw_board_set(surface, centre, rad, big)
        else:
            self._draw_guided(surface, centre, rad, big)
        self._footer(surface)

    def _draw_board_set(
        self, surface: pygame.Surface, centre: tuple[int, int], rad: int, big: float
    ) -> None:
        ui = self.ui
        t = ui.theme
        r = self.runner
        assert r is not None
        plan = r.plan
        assert plan is not None
        want = plan.exercise.reps
        if plan.exercise.hold_s is not None:
            left = r.hold_left_s
            ring(surface, t.panel_edge, centre, rad, ui.px(12), 1.0)
            if left is None:
                ui.blit_text(
                    surface, f"lift your {_other(plan.side)} foot", self._size(26), centre, t.accent
                )
            else:
                ring(surface, t.accent, centre, rad, ui.px(12), left / plan.exercise.hold_s)
                ui.blit_text(
                    surface, f"{math.ceil(left)}", big, centre, t.good if left == 0 else t.accent
                )
            if want > 1:
                ui.blit_text(
                    surface,
                    f"hold {min(r.reps_done + 1, want)} of {want}",
                    self._size(20),
                    (centre[0], centre[1] + rad + ui.px(2)),
                    t.dim,
                    anchor="midtop",
                )
        else:
            ring(surface, t.panel_edge, centre, rad, ui.px(12), 1.0)
            ring(surface, t.accent, centre, rad, ui.px(12), r.reps_done / max(want, 1))
            ui.blit_text(surface, f"{r.reps_done}/{want}", big, centre, t.accent)
            ui.blit_text(
                surface,
                "squats counted by the board",
                self._size(20),
                (centre[0], centre[1] + rad + ui.px(2)),
                t.dim,
                anchor="midtop",
            )

    def _draw_guided(
        self, surface: pygame.Surface, centre: tuple[int, int], rad: int, big: float
    ) -> None:
        ui = self.ui
        t = ui.theme
        r = self.runner
        assert r is not None
        plan = r.plan
        assert plan is not None
        want = plan.exercise.reps
        if r.awaiting_confirm:
            self._button(
                surface,
                pygame.Rect(0, 0, rad * 3, int(rad * 1.5)).move(
                    centre[0] - int(rad * 1.5), centre[1] - int(rad * 0.75)
                ),
                "Done!",
                r.confirm,
                selected=True,
                size=44,
            )
            return
        frac = (r.phase_t % r.rep_s) / r.rep_s
        ring(surface, t.panel_edge, centre, rad, ui.px(12), 1.0)
        ring(surface, t.water, centre, rad, ui.px(12), frac)
        ui.blit_text(surface, f"{r.guided_rep}/{want}", big, centre, t.text)
        ui.blit_text(
            surface,
            "up... and slowly down" if frac < 0.5 else "and down...",
            self._size(20),
            (centre[0], centre[1] + rad + ui.px(2)),
            t.dim,
            anchor="midtop",
        )

    def _footer(self, surface: pygame.Surface) -> None:
        ui = self.ui
        r = self.runner
        assert r is not None
        y = 416
        self._button(surface, ui.rect(16, y, 170, 56), "Pause", self.open_menu, size=26)
        self._button(surface, ui.rect(196, y, 170, 56), "Skip set", r.skip, size=26)
        if r.phase in (Phase.READY, Phase.REST):
            label = "Start now" if r.phase is Phase.READY else "Skip rest"
            self._button(surface, ui.rect(614, y, 170, 56), label, r.confirm, size=26)
        elif r.plan is not None and not r.plan.info.on_board and not r.awaiting_confirm:
            self._button(
                surface, ui.rect(614, y, 170, 56), "Done", r.confirm, size=26, selected=True
            )
        hint = (
            "the board counts - just do it"
            if r.plan and r.plan.info.on_board
            else ("button or tap when done")
        )
        if r.phase is Phase.ACTIVE:
            ui.blit_text(
                surface,
                hint,
                self._size(20),
                (ui.x(384), ui.y(444)),
                ui.theme.dim,
                anchor="midleft",
            )

    def _draw_menu(self, surface: pygame.Surface) -> None:
        ui = self.ui
        t = ui.theme
        shade = pygame.Surface(surface.get_size(), pygame.SRCALPHA)
        shade.fill((0, 0, 0, 170))
        surface.blit(shade, (0, 0))
        self.buttons = []
        ui.blit_text(surface, "Paused", self._size(44), (ui.w // 2, ui.y(110)), t.text)
        ui.blit_text(
            surface,
            "Everything done so far is saved.",
            self._size(24),
            (ui.w // 2, ui.y(160)),
            t.dim,
        )
        for i, label in enumerate(self.MENU):
            rect = ui.rect(40 + i * 250, 220, 220, 110)
            self._button(
                surface,
                rect,
                label,
                lambda i=i: self._menu_choose(i),
                selected=i == self.menu_sel,
                size=28,
            )

    def _draw_checkin(self, surface: pygame.Surface) -> None:
        ui = self.ui
        t = ui.theme
        q = "How hard was it?" if self.check_stage == 0 else "Any pain?"
        ends = ("0 easy", "10 very hard") if self.check_stage == 0 else ("0 none", "10 worst")
        ui.blit_text(surface, q, self._size(46), (ui.w // 2, ui.y(60)), t.text, shadow=True)
        ui.blit_text(
            surface,
            "Tap a number, or lean and hold still",
            self._size(22),
            (ui.w // 2, ui.y(104)),
            t.dim,
        )
        for v in range(11):
            rect = ui.rect(14 + v * 70.5, 170, 64, 120)
            self._button(
                surface,
                rect,
                str(v),
                lambda v=v: self._check(v),
                selected=v == self.check_sel,
                size=40,
            )
        ui.blit_text(
            surface, ends[0], self._size(22), (ui.x(20), ui.y(310)), t.dim, anchor="topleft"
        )
        ui.blit_text(
            surface, ends[1], self._size(22), (ui.x(780), ui.y(310)), t.dim, anchor="topright"
        )
        self._button(
            surface, ui.rect(300, 380, 200, 70), "Skip", lambda: self._check(None), size=26
        )

    def _draw_done(self, surface: pygame.Surface) -> None:
        ui = self.ui
        t = ui.theme
        r = self.runner
        assert r is not None
        c = r.counts()
        ui.blit_text(
            surface, "Well done!", self._size(52), (ui.w // 2, ui.y(56)), t.accent, shadow=True
        )
        ui.blit_text(
            surface,
            f"{c['done']} of {len(r.steps)} sets done"
            + (f", {c['skipped']} skipped" if c["skipped"] else ""),
            self._size(28),
            (ui.w // 2, ui.y(112)),
            t.text,
        )
        days = "day" if self.streak == 1 else "days"
        ui.blit_text(
            surface,
            f"Streak: {self.streak} {days} in a row",
            self._size(34),
            (ui.w // 2, ui.y(164)),
            t.good,
        )
        n = len(self.recent)
        for i, (d, st) in enumerate(self.recent):
            cx = ui.w // 2 + ui.px((i - (n - 1) / 2) * 52)
            cy = ui.y(240)
            col = {
                "done": t.good,
                "extra": t.good,
                "partial": t.accent,
                "skipped": t.warn,
                "missed": t.bad,
            }.get(st, t.panel_edge)
            if st in ("done", "extra", "partial"):
                pygame.draw.circle(surface, col, (cx, cy), ui.px(20))
            else:
                pygame.draw.circle(surface, col, (cx, cy), ui.px(20), max(2, ui.px(3)))
            ui.blit_text(surface, d.strftime("%a")[:2], self._size(16), (cx, cy + ui.px(34)), t.dim)
        if r.proposals or r.applied:
            what = r.applied or r.proposals
            msg = (
                ("Next time: " if r.applied else "Your physio may make it harder: ")
                + what[0].reason.split(":")[0]
                + f" {what[0].field.replace('_s', '')} "
                f"{what[0].old:g} -> {what[0].new:g}"
            )
            ui.blit_text(surface, msg, self._size(22), (ui.w // 2, ui.y(310)), t.text)
        self._button(
            surface,
            ui.rect(300, 370, 200, 80),
            "Menu",
            lambda: self.app.show("menu"),
            selected=True,
            size=30,
        )


def _other(side: str) -> str:
    return "right" if side == "left" else "left"
