"""Zeroing: the board is weighed empty, so the person's weight and balance start from true zero.

The person is asked to step off; once the board has read nearly nothing and held steady for
:data:`ZERO_S`, the small remaining load (drift of the load cells) is taken off. Someone still on
the board, or a bag left on it, is caught (more than a few kg) and asked to step off. Then the
person steps on and goes to the menu. ``select`` skips zeroing (a clinician at a keyboard).
"""

from __future__ import annotations

import math
from enum import StrEnum

import numpy as np
import pygame

from balance_trainer.constants import STANDARD_GRAVITY

from ..feed import MAX_TARE_KG, FeedUpdate
from ..ui import ring
from ..widgets import icon_both_feet
from .base import Screen

ZERO_S = 1.5
"""Seconds of empty board averaged for the zero."""
STEADY_N = 15.0
"""Total-load range (N) over the zeroing window that counts as steady."""
ON_S = 1.0
"""Seconds on the board before moving on to the menu."""


class ZeroPhase(StrEnum):
    """Zeroing the board: waiting for it to be empty, zeroed (waiting for the person), done."""

    OFF = "off"
    ZEROED = "zeroed"
    DONE = "done"


class ZeroScreen(Screen):
    """Step off → zero → step on → menu."""

    name = "zero"
    hands_free = False
    needs_board = True

    def __init__(self, app, next_screen: str = "menu") -> None:
        super().__init__(app)
        self.next_screen = next_screen
        self.phase = ZeroPhase.OFF
        self.sim_stance = "off"
        self._forces: list[np.ndarray] = []
        self._n = 0
        self.message = ""
        self.residual_kg = math.nan
        self._on_since: float | None = None

    @property
    def progress(self) -> float:
        return min(1.0, self._n / max(1, ZERO_S * self.app.feed.fs_hz))

    def feed(self, update: FeedUpdate) -> None:
        if self.phase is not ZeroPhase.OFF or len(update) == 0:
            return
        # Nearly nothing on the board: collect; a clear load empties the window again.
        total = update.block.total_n
        if np.any(total > MAX_TARE_KG * STANDARD_GRAVITY):
            self._forces.clear()
            self._n = 0
            self.message = "Please step off the board"
            return
        self._forces.append(update.forces_n)
        self._n += len(update)
        f = np.concatenate(self._forces)
        tot = f.sum(axis=1)
        if np.ptp(tot) > STEADY_N:
            # Someone stepping off is still settling: start the window after the movement.
            keep = max(1, int(0.3 * self.app.feed.fs_hz))
            self._forces = [f[-keep:]]
            self._n = keep
            return
        if self._n >= ZERO_S * self.app.feed.fs_hz:
            try:
                self.residual_kg = self.app.feed.tare(f)
            except ValueError as exc:
                self.message = str(exc)
                self._forces.clear()
                self._n = 0
                return
            self.phase = ZeroPhase.ZEROED
            self.sim_stance = "both"
            self.app.play("good")

    def update(self, dt: float) -> None:
        super().update(dt)
        if self.phase is ZeroPhase.ZEROED:
            if self.app.feed.on_board:
                if self._on_since is None:
                    self._on_since = self.t
                elif self.t - self._on_since >= ON_S:
                    self.phase = ZeroPhase.DONE
                    self.app.show(self.next_screen)
            else:
                self._on_since = None

    def intent(self, name: str) -> None:
        if name == "select":
            self.app.show(self.next_screen)
        elif name == "back":
            self.app.show("people")

    def handle_event(self, event: pygame.event.Event) -> None:
        if event.type == pygame.MOUSEBUTTONDOWN and event.button == 1:
            self.intent("select")

    def draw(self, surface: pygame.Surface) -> None:
        super().draw(surface)
        ui = self.ui
        t = ui.theme
        self.draw_person(surface)
        c = (ui.w // 2, ui.y(240))
        if self.phase is ZeroPhase.OFF:
            self.draw_title(surface, "Step off the board", "so it can be set to zero")
            pygame.draw.circle(surface, t.panel, c, ui.px(95))
            ring(surface, t.good, c, ui.px(95), ui.px(14), self.progress)
            icon_both_feet(surface, ui, ui.rect(400 - 60, 240 - 60, 120, 110))
            if self.message:
                ui.blit_text(surface, self.message, 28, (ui.w // 2, ui.y(372)), t.warn)
            elif self._n:
                ui.blit_text(surface, "Keep off the board...", 28, (ui.w // 2, ui.y(372)), t.dim)
        else:
            self.draw_title(surface, "Now step on", "Stand on both feet, feet apart")
            pygame.draw.circle(surface, t.good, c, ui.px(95))
            pygame.draw.lines(
                surface,
                (255, 255, 255),
                False,
                [
                    (c[0] - ui.px(45), c[1]),
                    (c[0] - ui.px(12), c[1] + ui.px(35)),
                    (c[0] + ui.px(50), c[1] - ui.px(38)),
                ],
                ui.px(16),
            )
            ui.blit_text(surface, "Board zeroed", 28, (ui.w // 2, ui.y(372)), t.good)
        size, lines = ui.fit("Press the middle button (or tap) to skip", 24, ui.w - ui.px(20), 2)
        y = ui.h - ui.px(6) - ui.line_h(size) * len(lines)
        for line in lines:
            ui.blit_text(surface, line, size, (ui.w // 2, y), t.dim, "midtop")
            y += ui.line_h(size)
