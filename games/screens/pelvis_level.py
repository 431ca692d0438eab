"""Stand level: the pelvis sensor is zeroed on the person before a pelvis game or test.

"Stand on both feet, level, and hold still": a ring fills over the sensor's 2 s zeroing
(:meth:`balance_trainer.pelvis.PelvisFeed.start_zero`; the real sensor zeroes in its reader
process, the simulated one through the fake chip and the same code). The sensor refuses a
zeroing while the pelvis moves; the screen then says so and tries again by itself, so nothing
needs pressing. A sensor that stops is said in one sentence and the game or test goes on
without it (the board's load-based feedback). The middle button skips (the zero from the start
of the session stays).
"""

from __future__ import annotations

from enum import Enum
from typing import Any

import pygame

from balance_trainer.frames import ZeroState

from ..ui import ring
from ..widgets import icon_both_feet
from .base import Screen

RETRY_S = 1.5
"""After a refused zeroing, the message stays this long before the next try."""
DONE_S = 0.8
"""The "level" tick stays this long before the game or test starts."""
FAILED_S = 4.0
"""A stopped sensor's message stays this long before going on without it."""

PELVIS_TESTS = ("hip-stability", "single-leg-stance", "single-leg-squat")
"""Tests that measure the pelvis (and so zero it first)."""
PELVIS_GAMES = ("spirit-level", "squat-builder")
"""Games that play on the pelvis when a sensor is fitted."""


class LevelPhase(Enum):
    """Where the stand-level step is."""

    STEP_ON = "step on"
    ZEROING = "zeroing"
    RETRY = "retry"
    LEVEL = "level"
    FAILED = "failed"


def uses_pelvis(name: str, options: dict[str, Any]) -> bool:
    """True when the screen ``name`` (with its options) plays or measures on the pelvis."""
    if name == "test-run":
        return options.get("test") in PELVIS_TESTS
    return name in PELVIS_GAMES


def show_leveled(app: Any, name: str, **options: Any) -> None:
    """Show ``name``, first zeroing the pelvis sensor on the person when one is fitted and the
    screen uses it; otherwise show it at once."""
    pelvis = getattr(getattr(app.feed, "conn", None), "pelvis", None)
    if pelvis is not None and pelvis.can_zero and uses_pelvis(name, options):
        app.show("pelvis-level", next_screen=name, next_options=options)
    else:
        app.show(name, **options)


class PelvisLevelScreen(Screen):
    """Stand level and still on both feet while the pelvis sensor zeroes, then go on."""

    name = "pelvis-level"
    needs_board = True
    hands_free = False  # nothing to choose: it goes on by itself

    def __init__(
        self, app: Any, next_screen: str = "menu", next_options: dict[str, Any] | None = None
    ) -> None:
        super().__init__(app)
        self.next_screen = next_screen
        self.next_options = dict(next_options or {})
        self.sim_stance = "both"
        self.phase = LevelPhase.STEP_ON
        self.progress = 0.0
        self.message = ""
        self.tries = 0
        self._since = 0.0

    @property
    def _pelvis(self) -> Any:
        return getattr(getattr(self.app.feed, "conn", None), "pelvis", None)

    def enter(self) -> None:
        if self._pelvis is None or not self._pelvis.can_zero:
            self._go_on()

    def _start(self) -> None:
        self._pelvis.start_zero()
        self.tries += 1
        self.phase = LevelPhase.ZEROING
        self.progress = 0.0
        self._since = self.t

    def _go_on(self) -> None:
        self.app.show(self.next_screen, **self.next_options)

    def autopilot(self, t_s: float) -> float | None:
        return 0.0  # the simulated person stands still in the middle

    def update(self, dt: float) -> None:
        super().update(dt)
        pelvis = self._pelvis
        if pelvis is None:
            return
        phase = self.phase
        if phase is LevelPhase.STEP_ON:
            if self.app.feed.on_board:
                self._start()
            return
        if phase is LevelPhase.RETRY:
            if self.t - self._since >= RETRY_S and self.app.feed.on_board:
                self._start()
            return
        if phase in (LevelPhase.LEVEL, LevelPhase.FAILED):
            wait = DONE_S if phase is LevelPhase.LEVEL else FAILED_S
            if self.t - self._since >= wait:
                self._go_on()
            return
        status = pelvis.zero_status()
        self.progress = status.progress
        if status.state is ZeroState.ZEROED:
            self.phase, self._since, self.message = LevelPhase.LEVEL, self.t, ""
            self.app.play("good")
        elif status.state is ZeroState.REFUSED:
            self.phase, self._since = LevelPhase.RETRY, self.t
            self.message = "You moved. Hold still: trying again."
            self.app.say(self.message)
        elif status.state is ZeroState.FAILED:
            self.phase, self._since = LevelPhase.FAILED, self.t
            self.message = f"Pelvis sensor: {status.message}. Going on without it."

    def intent(self, name: str) -> None:
        if name == "select":
            self._go_on()
        elif name == "back":
            self.app.show("menu")

    def handle_event(self, event: pygame.event.Event) -> None:
        if event.type == pygame.MOUSEBUTTONDOWN and event.button == 1:
            self.intent("select")

    def draw(self, surface: pygame.Surface) -> None:
        super().draw(surface)
        ui = self.ui
        t = ui.theme
        self.draw_person(surface)
        if self.phase is LevelPhase.STEP_ON:
            sub = "Step on the board with both feet"
        else:
            sub = "Stand on both feet, level, and hold still"
        top = self.draw_title(surface, "Stand level", sub)
        hint = "Press the middle button (or tap) to skip"
        hsize, hlines = ui.fit(hint, 24, ui.w - ui.px(20), 2)
        hint_top = ui.h - ui.px(6) - ui.line_h(hsize) * len(hlines)
        msg = (
            self.message
            or {
                LevelPhase.STEP_ON: "",
                LevelPhase.ZEROING: "Setting the pelvis sensor to level...",
                LevelPhase.RETRY: "",
                LevelPhase.LEVEL: "Pelvis level set",
                LevelPhase.FAILED: "",
            }[self.phase]
        )
        colour = {
            LevelPhase.LEVEL: t.good,
            LevelPhase.RETRY: t.warn,
            LevelPhase.FAILED: t.bad,
        }.get(self.phase, t.dim)
        msize, mlines = ui.fit(msg, 28, ui.w - ui.px(40), 2) if msg else (28, [])
        msg_h = ui.line_h(msize) * len(mlines)
        # The ring fills the room between the title and the message.
        room_top = top + ui.px(8)
        room_bottom = hint_top - msg_h - ui.px(10)
        radius = max(ui.px(30), min(ui.px(95), (room_bottom - room_top) // 2))
        c = (ui.w // 2, (room_top + room_bottom) // 2)
        done = self.phase is LevelPhase.LEVEL
        pygame.draw.circle(surface, t.good if done else t.panel, c, radius)
        fill = 1.0 if done else (self.progress if self.phase is LevelPhase.ZEROING else 0.0)
        ring(surface, t.good, c, radius, ui.px(14), fill)
        side = int(radius * 1.25)
        icon_both_feet(surface, ui, pygame.Rect(c[0] - side // 2, c[1] - side // 2, side, side))
        y = c[1] + radius + ui.px(10)
        for line in mlines:
            ui.blit_text(surface, line, msize, (ui.w // 2, y), colour, "midtop")
            y += ui.line_h(msize)
        y = hint_top
        for line in hlines:
            ui.blit_text(surface, line, hsize, (ui.w // 2, y), t.dim, "midtop")
            y += ui.line_h(hsize)
