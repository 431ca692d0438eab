"""The clinical tests on screen: pick a test and a side, then the board runs it.

The protocol engine (:func:`balance_trainer.protocols.make_protocol`) does the timing from the
load signal; this screen shows what it says, big: the prompt as a spoken-style sentence, a
large countdown with a beep per second, the elapsed time of the trial, and at the end the
result with its norm. Frames of the test are stored as a trial for a person from the store.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pygame

from balance_trainer.protocols import PROTOCOLS, Protocol, ProtocolEvent, make_protocol
from balance_trainer.results import TestResult
from balance_trainer.run import LiveRun, Sink, StoreSink

from ..feed import FeedUpdate
from ..ui import panel, ring
from ..widgets import Choice, icon_back, icon_clock, icon_foot, icon_home, icon_play
from .base import ChoiceScreen, Screen


def _title(name: str) -> str:
    cls = PROTOCOLS.get(name)
    return cls.short_title if cls is not None else name.replace("-", " ").capitalize()


class TestsScreen(ChoiceScreen):
    """Which test?"""

    name = "tests"
    title = "Balance tests"
    subtitle = "The board times the test by itself"
    columns = 3
    tile_w = 200
    tile_h = 140
    label_size = 24
    area = (40, 104, 720, 316)

    def build(self) -> list[Choice]:
        out = [
            Choice(
                cls.short_title,
                icon_clock,
                lambda n=name: self._pick(n),
                sub=cls.blurb[:28],
                key=name,
            )
            for name, cls in PROTOCOLS.items()
        ]
        out.append(Choice("Back", icon_back, lambda: self.app.show("menu")))
        return out

    def _pick(self, name: str) -> None:
        if "side" in PROTOCOLS[name].options:
            self.app.show("test-setup", test=name)
        else:
            self.app.show("test-run", test=name, side=None, eyes="open")


class TestSetupScreen(ChoiceScreen):
    """Which leg (and eyes open or closed)?"""

    name = "test-setup"
    tile_w = 180
    tile_h = 210
    area = (40, 140, 720, 260)

    def __init__(self, app: Any, test: str, side: str | None = None) -> None:
        super().__init__(app)
        self.test = test
        self.side = side
        self.title = _title(test)

    def build(self) -> list[Choice]:
        asks_eyes = "eyes" in PROTOCOLS[self.test].options
        if self.side is None:
            self.subtitle = "Which leg will you stand on?"
            out = [
                Choice("Left leg", icon_foot("left"), lambda: self._side("left")),
                Choice("Right leg", icon_foot("right"), lambda: self._side("right")),
            ]
        else:
            self.subtitle = f"Standing on the {self.side} leg"
            out = [Choice("Eyes open", icon_play, lambda: self._go("open"))]
            if asks_eyes:
                out.append(
                    Choice(
                        "Eyes closed", icon_play, lambda: self._go("closed"), sub="someone close by"
                    )
                )
        out.append(Choice("Back", icon_back, lambda: self.app.show("tests")))
        return out

    def _side(self, side: str) -> None:
        if "eyes" in PROTOCOLS[self.test].options:
            self.app.show("test-setup", test=self.test, side=side)
        else:
            self.app.show("test-run", test=self.test, side=side, eyes="open")

    def _go(self, eyes: str) -> None:
        self.app.show("test-run", test=self.test, side=self.side, eyes=eyes)

    def back(self) -> None:
        self.app.show("tests")


class TestRunScreen(Screen):
    """The test running: prompt, countdown, elapsed time, then the result."""

    name = "test-run"
    needs_board = True

    def __init__(self, app: Any, test: str, side: str | None, eyes: str = "open") -> None:
        super().__init__(app)
        self.test = test
        self.side = side
        self.eyes = eyes
        self.proto: Protocol | None = None
        self.run: LiveRun | None = None
        self.result: TestResult | None = None
        self.error = ""
        self.prompt = "Stand still on both feet"
        self.countdown: int | None = None
        self.countdown_t = -10.0
        self.in_trial = False
        self.trial_t0 = 0.0
        self.lines: list[str] = []
        self.friendly: list[str] = []
        self.finished = False
        self._stance = "both"
        self._next_squat = 0.0
        self.choices = [
            Choice("Again", icon_play, self._again),
            Choice("Menu", icon_home, lambda: self.app.show("menu")),
        ]
        self.selected = 0

    @property
    def sim_stance(self) -> str:  # type: ignore[override]
        return self._stance

    @property
    def hands_free(self) -> bool:  # type: ignore[override]
        return self.finished

    def enter(self) -> None:
        kwargs: dict[str, Any] = {}
        if self.side:
            kwargs["side"] = self.side
        if "eyes" in PROTOCOLS[self.test].options:
            kwargs["eyes"] = self.eyes
        age = self._age()
        if age is not None:
            kwargs["age"] = age  # for the published norms
        try:
            self.proto = make_protocol(self.test, **kwargs)
        except Exception as exc:  # noqa: BLE001 - shown on screen, never a crash
            self.error = f"This test cannot start: {exc}"
            return
        self.run = LiveRun(self.proto, self._sinks(kwargs), on_sink_error=self._sink_failed)

    def _age(self) -> int | None:
        rec = self.app.records
        person = self.app.person
        if person.guest or rec.store is None:
            return None
        try:
            p = rec.store.get_person(person.id)
            return p.age_in(datetime.now().year)
        except Exception:  # noqa: BLE001 - no age, no norm: the test still runs
            return None

    def _sinks(self, params: dict[str, Any]) -> list[Sink]:
        """The store's trial for a chosen person (a guest's test is not kept)."""
        rec = self.app.records
        person = self.app.person
        if person.guest or rec.store is None:
            return []
        sid = rec.session(person, "test")
        if sid is None:
            return []
        try:
            return [StoreSink(rec.store.start_trial(sid, self.test, params, self.app.feed.board))]
        except Exception as exc:  # noqa: BLE001
            rec.note = f"test not saved: {exc}"
            return []

    def _sink_failed(self, sink: Sink, exc: BaseException) -> None:
        # The test goes on without the store; the person is told it was not saved.
        self.app.records.note = f"test not saved: {exc}"

    def leave(self) -> None:
        if self.run is not None and not self.run.done:
            self.run.abort()

    def feed(self, update: FeedUpdate) -> None:
        if self.run is None or self.proto is None or self.finished or len(update) == 0:
            return
        try:
            events = self.run.feed(update.block, update.forces_n)
        except Exception as exc:  # noqa: BLE001
            self.error = f"The test stopped: {exc}"
            self.finished = True
            self.run.abort()
            return
        for ev in events:
            self._event(ev)
        if self.proto.prompt:
            self.prompt = self.proto.prompt
        if self.run.done and not self.finished:
            self._done()

    def _event(self, ev: ProtocolEvent) -> None:
        kind = ev.kind
        data = ev.data
        if kind == "prompt":
            self.prompt = str(data["text"])
            wants = data.get("stance")  # only prompts that ask for a stance carry one
            if wants in ("both", "left", "right", "off"):
                self._stance = wants
        elif kind == "countdown":
            self.countdown = int(data["remaining"])
            self.countdown_t = self.t
            self.app.play("go" if self.countdown == 0 else "tick")
        elif kind == "trial_started":
            self.in_trial = True
            self.trial_t0 = self.t
            self.app.play("go")
        elif kind == "trial_ended":
            self.in_trial = False
            self.app.play("alert")
        elif kind == "rep":
            self.app.play("block")
        elif kind == "done":
            self._done()

    def _done(self) -> None:
        if self.finished:
            return
        self.finished = True
        self.in_trial = False
        self._stance = "both"
        self.selected = 1  # standing still goes to the menu, not into another test
        self.app.nav.reset(self.app.now, 10.0)  # time to read the result first
        self.app.play("done")
        assert self.run is not None
        try:
            self.result = self.run.finish().result
        except Exception as exc:  # noqa: BLE001 - shown on screen, never a crash
            self.lines = [f"(no summary: {exc})"]
            return
        assert self.result is not None
        self.lines = self.result.table()
        self.friendly = self.result.sentences(guest=self.app.person.guest)
        self.result_summary = {"test": self.test, "lines": self.lines}

    def update(self, dt: float) -> None:
        super().update(dt)
        # A simulated person that can squat does so during the squat test (headless demos;
        # with a keyboard, S squats).
        sim = self.app.feed.sim
        if (
            self.app.autopilot
            and sim is not None
            and hasattr(sim, "squat")
            and self.in_trial
            and self.test == "single-leg-squat"
            and self.t >= self._next_squat
        ):
            self._next_squat = self.t + 4.5
            sim.squat()

    def autopilot(self, t_s: float) -> float | None:
        return 0.0

    # -- input -------------------------------------------------------------------------------
    def intent(self, name: str) -> None:
        if name == "back":
            self.app.show("tests")
        elif self.finished or self.error:
            if name in ("left", "right"):
                self.selected = 1 - self.selected
                self.app.play("move")
            elif name == "select":
                self.choices[self.selected].action()

    def handle_event(self, event: pygame.event.Event) -> None:
        if (
            event.type == pygame.MOUSEBUTTONDOWN
            and event.button == 1
            and (self.finished or self.error)
        ):
            for i, r in enumerate(self._choice_rects()):
                if r.collidepoint(event.pos):
                    self.selected = i
                    self.choices[i].action()

    def _again(self) -> None:
        self.app.show("test-run", test=self.test, side=self.side, eyes=self.eyes)

    # -- picture -----------------------------------------------------------------------------
    def _choice_rects(self) -> list[pygame.Rect]:
        ui = self.ui
        return [ui.rect(220, 376, 170, 84), ui.rect(410, 376, 170, 84)]

    def draw(self, surface: pygame.Surface) -> None:
        super().draw(surface)
        ui = self.ui
        t = ui.theme
        self.draw_person(surface)
        side = f" - {self.side} leg" if self.side else ""
        eyes = ", eyes closed" if self.eyes == "closed" else ""
        ui.blit_text(surface, f"{_title(self.test)}{side}{eyes}", 30, (ui.w // 2, ui.y(40)), t.dim)
        if self.error:
            self._draw_lines(surface, "Sorry", [self.error])
            self._draw_choices(surface)
            return
        if self.finished:
            self._draw_result(surface)
            self._draw_choices(surface)
            return
        # The prompt, large, as a sentence someone would say.
        for i, line in enumerate(ui.wrap(self.prompt, 44, ui.px(700))[:2]):
            ui.blit_text(surface, line, 44, (ui.w // 2, ui.y(100 + 48 * i)), t.text, shadow=True)
        c = (ui.w // 2, ui.y(290))
        if self.countdown is not None and self.t - self.countdown_t < 1.2:
            frac = min(1.0, (self.t - self.countdown_t))
            pygame.draw.circle(surface, t.panel, c, ui.px(110))
            ring(surface, t.accent, c, ui.px(110), ui.px(16), 1 - frac)
            label = "GO" if self.countdown == 0 else str(self.countdown)
            ui.blit_text(surface, label, 150, c, t.accent, shadow=True)
        else:
            elapsed = self.proto.elapsed_s if self.proto is not None else 0.0
            pygame.draw.circle(surface, t.panel, c, ui.px(110))
            max_s = self.proto.max_time_s if self.proto is not None else None
            if self.in_trial and max_s is not None and max_s > 0:
                ring(surface, t.good, c, ui.px(110), ui.px(16), elapsed / max_s)
            ui.blit_text(
                surface,
                f"{elapsed:4.1f}",
                96,
                (c[0], c[1] - ui.px(8)),
                t.good if self.in_trial else t.text,
            )
            ui.blit_text(surface, "seconds", 26, (c[0], c[1] + ui.px(56)), t.dim)
        phase = str(self.proto.phase) if self.proto is not None else ""
        if phase:
            ui.blit_text(surface, phase.replace("_", " "), 22, (ui.w // 2, ui.h - ui.px(40)), t.dim)
        ui.blit_text(
            surface, "Back button: stop the test", 20, (ui.w // 2, ui.h - ui.px(14)), t.dim
        )

    def _draw_lines(self, surface: pygame.Surface, title: str, lines: list[str]) -> None:
        ui = self.ui
        t = ui.theme
        box = ui.rect(60, 70, 680, 290)
        panel(surface, ui, box)
        ui.blit_text(surface, title, 38, (box.centerx, box.top + ui.px(30)), t.accent)
        y = box.top + ui.px(68)
        size = 24 if len(lines) <= 7 else 20
        for line in lines:
            for part in ui.wrap(line, size, box.w - ui.px(40)):
                if y > box.bottom - ui.px(14):
                    return
                ui.blit_text(
                    surface, part, size, (box.left + ui.px(22), y), t.text, anchor="midleft"
                )
                y += ui.px(size * 1.2)

    def _draw_result(self, surface: pygame.Surface) -> None:
        """Sentences for the person, large; the clinician's table below in a fixed font."""
        ui = self.ui
        t = ui.theme
        box = ui.rect(30, 62, 740, 302)
        panel(surface, ui, box)
        y = box.top + ui.px(22)
        for line in self.friendly or ["Test complete"]:
            for part in ui.wrap(line, 26, box.w - ui.px(36)):
                ui.blit_text(surface, part, 26, (box.left + ui.px(18), y), t.text, anchor="midleft")
                y += ui.px(28)
        y += ui.px(6)
        pygame.draw.line(
            surface,
            t.panel_edge,
            (box.left + ui.px(14), y),
            (box.right - ui.px(14), y),
            max(1, ui.px(1)),
        )
        y += ui.px(8)
        key = ("table", tuple(self.lines), box.w, box.bottom - y)
        table = ui.cache.get(key)
        if table is None:  # rendered once: a dozen lines of text every frame add up
            font = ui.mono(13)
            table = pygame.Surface(
                (box.w - ui.px(36), max(1, box.bottom - y - ui.px(10))), pygame.SRCALPHA
            )
            ty = 0
            width = table.get_width()
            rows: list[str] = []
            for line in self.lines[1:]:
                if font.size(line)[0] <= width:
                    rows.append(line)
                    continue
                cur = ""  # a sentence (the scale's limits): wrap it by words
                for word in line.split():
                    if cur and font.size(f"{cur} {word}")[0] > width:
                        rows.append(cur)
                        cur = word
                    else:
                        cur = f"{cur} {word}".strip()
                rows.append(cur)
            for line in rows:
                if ty + font.get_linesize() > table.get_height():
                    break
                table.blit(font.render(line, True, t.dim), (0, ty))
                ty += font.get_linesize()
            ui.cache_put(key, table)
        surface.blit(table, (box.left + ui.px(18), y))

    def _draw_choices(self, surface: pygame.Surface) -> None:
        from ..widgets import draw_tile

        dwell = self.app.nav.dwell_progress if self.app.nav.enabled else 0.0
        for i, (c, r) in enumerate(zip(self.choices, self._choice_rects(), strict=True)):
            draw_tile(
                surface,
                self.ui,
                r,
                c,
                selected=i == self.selected,
                dwell=dwell if i == self.selected else 0.0,
                label_size=22,
            )
