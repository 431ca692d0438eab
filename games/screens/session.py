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
        self.done_sel = 1  # the finish screen's Menu (the button's middle press goes there)

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
            if name in ("left", "right"):
                self.done_sel = 0 if name == "left" else 1
                self.app.play("move")
            elif name == "select":
                self._done_choose(self.done_sel)
            elif name == "back":
                self.app.show("menu")
            return
        if name == "select":
            self.app.play("select")
            r.confirm()
        elif name == "back":
            self.open_menu()

    DONE_CHOICES = ("My calendar", "Menu")

    def _done_choose(self, i: int) -> None:
        self.app.play("select")
        self.app.show("calendar" if i == 0 else "menu")

    def lean_choose(self, side: int) -> None:
        """A lean held to the end: at the finish, left is the calendar and right the menu
        (like the confirm step); elsewhere it takes what is highlighted."""
        r = self.runner
        if r is not None and r.phase is Phase.DONE and not self.menu_open:
            self.done_sel = 0 if side < 0 else 1
            self._done_choose(self.done_sel)
        else:
            self.intent("select")

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
    # Positions come from the text as drawn (draw_title's bottom, line heights), so the same
    # layout holds at every screen size and in easy mode's larger type.
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
        fsize, lines = ui.fit(label, size, rect.w - ui.px(12), 1)
        ui.blit_text(
            surface, lines[0], fsize, rect.center, (20, 20, 30) if selected else t.text, box=rect
        )
        self.buttons.append((rect, action))
        hold = self.app.choose_progress if selected and self.hands_free else 0.0
        if hold > 0:  # how far a held lean has got toward taking this button
            rad = min(ui.px(16), rect.h // 4)
            c = (rect.right - rad - ui.px(6), rect.top + rad + ui.px(6))
            pygame.draw.circle(surface, t.bg_top, c, rad + ui.px(3))
            ring(surface, t.good, c, rad, max(3, ui.px(6)), hold)

    def _choose_hint(self) -> str:
        """How to choose on the pause menu and the finish screen (fewer words in easy mode,
        whose larger type would not fit the whole sentence on a line)."""
        lean = self.app.nav.enabled and self.app.feed.on_board
        if self.app.easy:
            return "Lean and hold to choose" if lean else "Press a button or tap"
        if lean:
            return "Lean toward one and hold it, or press a button"
        return "Press a button, or tap one"

    def _lines(
        self,
        surface: pygame.Surface,
        text: str,
        box: pygame.Rect,
        y: int,
        bottom: int,
        color: Any,
        size: float = 26,
    ) -> int:
        """Wrapped text from ``y`` down to at most ``bottom``; returns the y below it."""
        ui = self.ui
        width = box.w - ui.px(28)
        max_lines = max(1, (bottom - y) // max(1, ui.line_h(size)))
        fsize, lines = ui.fit(text, size, width, max_lines)
        for line in lines:
            if y + ui.line_h(fsize) > bottom:
                break
            ui.blit_text(surface, line, fsize, (box.left + ui.px(14), y), color, "topleft", box=box)
            y += ui.line_h(fsize)
        return y

    def _note(
        self, surface: pygame.Surface, text: str, box: pygame.Rect, y: int, bottom: int
    ) -> int:
        """The physio's note from ``y`` to at most ``bottom``, in the accent colour; a note
        longer than the room ends in "..." (it was read out in full before the first set)."""
        ui = self.ui
        width = box.w - ui.px(28)
        lines = ui.wrap(text, 24, width)
        room = max(1, (bottom - y) // max(1, ui.line_h(24)))
        if len(lines) > room:
            lines = lines[:room]
            f = ui.font(24)
            words = lines[-1].split()
            while len(words) > 1 and f.size(" ".join(words) + " ...")[0] > width:
                words.pop()
            lines[-1] = " ".join(words) + " ..."
        for line in lines:
            ui.blit_text(
                surface, line, 24, (box.left + ui.px(14), y), ui.theme.accent, "topleft", box=box
            )
            y += ui.line_h(24)
        return y

    def draw(self, surface: pygame.Surface) -> None:
        super().draw(surface)
        self.buttons = []
        ui = self.ui
        r = self.runner
        if r is None:
            top = self.draw_title(surface, "Today's exercises")
            box = ui.rect(40, 0, 720, 0)
            box.top, box.bottom = top + ui.px(20), ui.y(360)
            self._lines(surface, self.error, box, box.top, box.bottom, ui.theme.text, 28)
            self._button(
                surface,
                ui.rect(300, 380, 200, 80),
                "Menu",
                lambda: self.app.show("menu"),
                selected=True,
            )
            return
        if self.menu_open:
            self._draw_menu(surface)
        elif r.phase is Phase.CHECKIN:
            self._draw_checkin(surface)
        elif r.phase is Phase.DONE:
            self._draw_done(surface)
        else:
            self._draw_set(surface)
        self.draw_person(surface)

    def _draw_set(self, surface: pygame.Surface) -> None:
        ui = self.ui
        t = ui.theme
        r = self.runner
        assert r is not None
        plan = r.plan
        assert plan is not None
        resting = r.phase is Phase.REST
        sub = f"{plan.side} side, set {plan.set_no} of {plan.exercise.sets}"
        if resting:
            title, sub = "Rest", f"next: {plan.info.title}, {sub}"
        else:
            title = plan.info.title
        top = self.draw_title(surface, title, sub)
        # progress dots: one per set of the session
        n = len(r.steps)
        w = min(ui.px(14), (ui.w - ui.px(120)) // max(n, 1))
        x0 = ui.w // 2 - n * w // 2
        status = {res.plan.step: res.status for res in r.results}
        dot_y = top + ui.px(8)
        for i in range(n):
            st = status.get(i)
            col = (
                t.good
                if st == "done"
                else t.warn
                if st == "skipped"
                else t.accent
                if i == plan.step
                else t.panel_edge
            )
            pygame.draw.circle(surface, col, (x0 + i * w + w // 2, dot_y), max(2, w // 3))
        content_top = dot_y + ui.px(12)
        footer_top = ui.h - ui.px(68)
        pic_w = ui.px(220 if self.app.easy else 270)
        pic = pygame.Rect(ui.px(16), content_top, pic_w, footer_top - content_top - ui.px(8))
        draw_exercise(surface, ui, pic, plan.exercise.name, plan.side, self.t)
        box = pygame.Rect(pic.right + ui.px(14), content_top, 0, pic.h)
        box.width = ui.w - ui.px(16) - box.left
        panel(surface, ui, box)
        # What to read: the whole instruction before the set, a short prompt during it, the
        # feedback while resting. The spoken words carry the rest.
        if resting:
            last_steady = r.results[-1].steady if r.results else None
            text = f"Last set: {r.last_feedback}"
            color = t.accent if last_steady is False else t.good
        elif r.phase is Phase.READY:
            text, color = r.instruction, t.text
        else:
            text, color = r.prompt, t.text
        min_ring = ui.px(46)
        ring_top = box.bottom - 2 * min_ring - ui.px(16)
        notes = plan.exercise.notes if r.phase is Phase.READY else ""
        # The physio's own words keep at least a line under the instruction (which shrinks
        # to make room); the catalogue's check line only gets what is left.
        note_h = ui.line_h(24) + ui.px(4) if notes else 0
        y = self._lines(surface, text, box, box.top + ui.px(10), ring_top - note_h, color)
        if notes:
            y = self._note(surface, f"Your physio: {notes}", box, y + ui.px(4), ring_top)
        if r.phase is Phase.READY and y + ui.line_h(24) < box.bottom - 2 * ui.px(60) - ui.px(16):
            y = self._lines(
                surface,
                plan.info.check,
                box,
                y + ui.px(4),
                y + ui.px(4) + ui.line_h(24) * 2,
                t.dim,
                24,
            )
        room = box.bottom - y - ui.px(12)
        rad = max(min_ring, min(ui.px(80), room // 2))
        centre = (box.centerx, box.bottom - ui.px(8) - rad)
        if r.phase is Phase.READY:
            self._ring(
                surface,
                centre,
                rad,
                r.time_left_s / max(r.ready_s, 1e-9),
                t.accent,
                f"{math.ceil(r.time_left_s)}",
            )
        elif resting:
            self._ring(
                surface,
                centre,
                rad,
                r.time_left_s / max(r.rest_s_prev, 1e-9),
                t.good,
                f"{math.ceil(r.time_left_s)}",
            )
        elif plan.info.on_board:
            self._draw_board_set(surface, centre, rad)
        else:
            self._draw_guided(surface, centre, rad)
        self._footer(surface, footer_top)

    def _ring(
        self,
        surface: pygame.Surface,
        centre: tuple[int, int],
        rad: int,
        frac: float,
        color: Any,
        label: str,
    ) -> None:
        ui = self.ui
        width = max(4, rad // 6)
        ring(surface, ui.theme.panel_edge, centre, rad, width, 1.0)
        ring(surface, color, centre, rad, width, frac)
        inner = int((rad - width) * 1.3)
        size, lines = ui.fit(label, 56, inner, 1, min_size=24)
        ui.blit_text(surface, lines[0], size, centre, color)

    def _draw_board_set(self, surface: pygame.Surface, centre: tuple[int, int], rad: int) -> None:
        t = self.ui.theme
        r = self.runner
        assert r is not None
        plan = r.plan
        assert plan is not None
        want = plan.exercise.reps
        if plan.exercise.hold_s is not None:
            left = r.hold_left_s
            if left is None:
                self._ring(surface, centre, rad, 0.0, t.accent, "lift")
            else:
                self._ring(
                    surface,
                    centre,
                    rad,
                    left / plan.exercise.hold_s,
                    t.good if left == 0 else t.accent,
                    f"{math.ceil(left)}",
                )
        else:
            self._ring(
                surface, centre, rad, r.reps_done / max(want, 1), t.accent, f"{r.reps_done}/{want}"
            )

    def _draw_guided(self, surface: pygame.Surface, centre: tuple[int, int], rad: int) -> None:
        ui = self.ui
        r = self.runner
        assert r is not None
        plan = r.plan
        assert plan is not None
        if r.awaiting_confirm:
            rect = pygame.Rect(0, 0, rad * 3, int(rad * 1.4))
            rect.center = centre
            self._button(surface, rect, "Done!", r.confirm, selected=True, size=44)
            return
        frac = (r.phase_t % r.rep_s) / r.rep_s
        self._ring(
            surface, centre, rad, frac, ui.theme.water, f"{r.guided_rep}/{plan.exercise.reps}"
        )

    def _footer(self, surface: pygame.Surface, top: int) -> None:
        ui = self.ui
        r = self.runner
        assert r is not None
        h = ui.h - ui.px(8) - top
        w = ui.px(200)
        self._button(surface, pygame.Rect(ui.px(16), top, w, h), "Pause", self.open_menu)
        # Resting, the set shown is the next one: say so beside "Skip rest".
        skip = "Skip next set" if r.phase is Phase.REST else "Skip set"
        self._button(surface, pygame.Rect(ui.px(32) + w, top, w, h), skip, r.skip)
        right = pygame.Rect(ui.w - ui.px(16) - w, top, w, h)
        if r.phase in (Phase.READY, Phase.REST):
            label = "Start now" if r.phase is Phase.READY else "Skip rest"
            self._button(surface, right, label, r.confirm)
        elif r.plan is not None and not r.plan.info.on_board and not r.awaiting_confirm:
            self._button(surface, right, "Done", r.confirm, selected=True)

    def _draw_menu(self, surface: pygame.Surface) -> None:
        ui = self.ui
        t = ui.theme
        top = self.draw_title(surface, "Paused", "Everything done so far is saved.")
        hint = self._choose_hint()
        hsize, hlines = ui.fit(hint, 26, ui.w - ui.px(40), 2)
        hy = ui.h - ui.px(16) - ui.line_h(hsize) * len(hlines)
        for line in hlines:
            ui.blit_text(surface, line, hsize, (ui.w // 2, hy), t.dim, "midtop")
            hy += ui.line_h(hsize)
        n = len(self.MENU)
        gap = ui.px(20)
        w = (ui.w - ui.px(40) - gap * (n - 1)) // n
        y = max(top + ui.px(30), ui.y(200))
        for i, label in enumerate(self.MENU):
            rect = pygame.Rect(ui.px(20) + i * (w + gap), y, w, ui.px(120))
            self._button(
                surface,
                rect,
                label,
                lambda i=i: self._menu_choose(i),
                selected=i == self.menu_sel,
                size=30,
            )
        del t

    def _draw_checkin(self, surface: pygame.Surface) -> None:
        ui = self.ui
        t = ui.theme
        q = "How hard was it?" if self.check_stage == 0 else "Any pain?"
        ends = ("0 easy", "10 very hard") if self.check_stage == 0 else ("0 none", "10 worst")
        top = self.draw_title(surface, q, "Tap a number, or lean toward it and hold")
        gap = ui.px(6)
        w = (ui.w - ui.px(28) - gap * 10) // 11
        y = top + ui.px(24)
        h = ui.px(120)
        for v in range(11):
            rect = pygame.Rect(ui.px(14) + v * (w + gap), y, w, h)
            self._button(
                surface,
                rect,
                str(v),
                lambda v=v: self._check(v),
                selected=v == self.check_sel,
                size=40,
            )
        ly = y + h + ui.px(10)
        ui.blit_text(surface, ends[0], 24, (ui.px(16), ly), t.dim, anchor="topleft")
        ui.blit_text(surface, ends[1], 24, (ui.w - ui.px(16), ly), t.dim, anchor="topright")
        bottom = ui.h - ui.px(10)
        self._button(
            surface,
            pygame.Rect(ui.w // 2 - ui.px(110), bottom - ui.px(70), ui.px(220), ui.px(70)),
            "Skip",
            lambda: self._check(None),
        )

    def _draw_done(self, surface: pygame.Surface) -> None:
        ui = self.ui
        t = ui.theme
        r = self.runner
        assert r is not None
        c = r.counts()
        sub = f"{c['done']} of {len(r.steps)} sets done" + (
            f", {c['skipped']} skipped" if c["skipped"] else ""
        )
        y = self.draw_title(surface, "Well done!", sub) + ui.px(8)
        days = "day" if self.streak == 1 else "days"
        rr = ui.blit_text(
            surface, f"Streak: {self.streak} {days} in a row", 32, (ui.w // 2, y), t.good, "midtop"
        )
        y = rr.bottom + ui.px(34)
        n = len(self.recent)
        step = min(ui.px(54), (ui.w - ui.px(40)) // max(n, 1))
        for i, (_d, st) in enumerate(self.recent):
            cx = ui.w // 2 + int((i - (n - 1) / 2) * step)
            col = {
                "done": t.good,
                "extra": t.good,
                "partial": t.accent,
                "skipped": t.warn,
                "missed": t.panel_edge,  # the person's screen encourages (as the calendar)
            }.get(st, t.panel_edge)
            rad = min(ui.px(20), step // 2 - 2)
            if st in ("done", "extra", "partial"):
                pygame.draw.circle(surface, col, (cx, y), rad)
            else:
                pygame.draw.circle(surface, col, (cx, y), rad, max(2, ui.px(3)))
        if self.recent:
            first, last = self.recent[0][0], self.recent[-1][0]
            y += ui.px(26)
            span = f"{first:%d %b} to {last:%d %b}" if first != last else f"{last:%d %b}"
            rr = ui.blit_text(surface, span, 24, (ui.w // 2, y), t.dim, "midtop")
            y = rr.bottom + ui.px(8)
        what = r.applied or r.proposals
        menu = pygame.Rect(ui.w // 2 + ui.px(15), ui.h - ui.px(90), ui.px(240), ui.px(80))
        cal = menu.move(-menu.w - ui.px(30), 0)
        hsize, hlines = ui.fit(self._choose_hint(), 24, ui.w - ui.px(40), 1)
        hy = menu.top - ui.px(6) - ui.line_h(hsize)
        ui.blit_text(surface, hlines[0], hsize, (ui.w // 2, hy), t.dim, "midtop")
        menu_top = hy - ui.px(4)
        if what:
            p = what[0]
            head = "Next time: " if r.applied else "Your physio may make it harder: "
            what_s = p.field.replace("_s", "")
            msg = f"{head}{p.reason.split(':')[0]}, {what_s} {p.old:g} to {p.new:g}"
            box = pygame.Rect(ui.px(30), y, ui.w - ui.px(60), menu_top - y - ui.px(6))
            self._lines(surface, msg, box, y, box.bottom, t.text, 24)
        for i, rect in enumerate((cal, menu)):
            self._button(
                surface,
                rect,
                self.DONE_CHOICES[i],
                lambda i=i: self._done_choose(i),
                selected=i == self.done_sel,
                size=30,
            )


def _other(side: str) -> str:
    return "right" if side == "left" else "left"
