"""Screens are mode objects; the choice screen is the one most of them are built on.

A screen has ``enter``/``leave`` (called on a switch), ``handle_event`` (raw pygame events: taps
and clicks), ``intent`` (``left``/``right``/``select``/``back`` from keys, buttons or leaning),
``feed`` (the board samples that arrived this frame), ``update(dt)`` and ``draw(surface)``.

Class attributes tell the app how to treat it:

``needs_person``
    pause (with a friendly message) while nobody is on the board or the board is lost;
``hands_free``
    leaning moves the selection and standing still chooses;
``sim_stance``
    what the simulated person should do here (``both``, ``left``, ``right``, ``off``);
``steer_sim``
    arrow keys and the mouse steer the simulated person instead of moving the selection.
"""

from __future__ import annotations

import math
from typing import Any

import pygame

from ..feed import FeedUpdate
from ..ui import Ui, panel
from ..widgets import Choice, draw_lean_gauge, draw_tile, tile_rects


class Screen:
    """Base screen: does nothing, draws the background."""

    name = "screen"
    needs_person = False
    hands_free = True
    sim_stance: str | None = "both"
    steer_sim = False
    dwell_grace_s: float | None = None
    """Seconds before standing still starts choosing here (None: the usual grace)."""
    result_summary: dict[str, Any] | None = None

    def __init__(self, app: Any) -> None:
        self.app = app
        self.t = 0.0

    @property
    def ui(self) -> Ui:
        return self.app.ui

    def enter(self) -> None:
        """Called when the screen becomes current."""

    def leave(self) -> None:
        """Called when another screen replaces this one."""

    def handle_event(self, event: pygame.event.Event) -> None:
        """A raw pygame event the app did not turn into an intent (clicks, taps, digits)."""

    def intent(self, name: str) -> None:
        """``left``, ``right``, ``select`` or ``back``."""

    def feed(self, update: FeedUpdate) -> None:
        """The board frames that arrived for this frame (for detectors and protocols)."""

    def update(self, dt: float) -> None:
        self.t += dt

    def draw(self, surface: pygame.Surface) -> None:
        surface.blit(self.ui.background(), (0, 0))

    def autopilot(self, t_s: float) -> float | None:
        """Headless demo runs: where the simulated person should lean, mm (None: stay)."""
        return 0.0

    def abandon(self) -> None:
        """Nobody came back on the board: wrap up (games show their result)."""

    # -- shared drawing ----------------------------------------------------------------------
    def draw_title(self, surface: pygame.Surface, title: str, sub: str = "") -> None:
        ui = self.ui
        ui.blit_text(surface, title, 46, (ui.w // 2, ui.y(44)), ui.theme.text, shadow=True)
        if sub:
            ui.blit_text(surface, sub, 24, (ui.w // 2, ui.y(84)), ui.theme.dim)

    def draw_person(self, surface: pygame.Surface) -> None:
        """Who is training, top left."""
        ui = self.ui
        label = self.app.person.label
        img = ui.text(label, 20, ui.theme.text)
        box = img.get_rect().inflate(ui.px(44), ui.px(10))
        box.topleft = (ui.px(8), ui.px(8))
        pygame.draw.rect(surface, ui.theme.panel, box, border_radius=box.h // 2)
        pygame.draw.circle(surface, ui.theme.good, (box.left + ui.px(16), box.centery), ui.px(7))
        surface.blit(img, img.get_rect(midleft=(box.left + ui.px(30), box.centery)))


class ChoiceScreen(Screen):
    """Tiles in a grid; left/right move through them, select takes one.

    Subclasses fill :attr:`choices` in :meth:`build` and set :attr:`title`/:attr:`subtitle`.
    A tap or click on a tile takes it at once.
    """

    name = "choice"
    title = ""
    subtitle = ""
    columns: int | None = None
    tile_w = 190.0
    tile_h = 250.0
    label_size = 26.0
    area = (40, 110, 720, 290)

    def __init__(self, app: Any) -> None:
        super().__init__(app)
        self.choices: list[Choice] = []
        self.selected = 0
        self._rects: list[pygame.Rect] = []
        self._rect_key: tuple = ()

    def enter(self) -> None:
        self.choices = self.build()
        self.selected = min(self.selected, max(0, len(self.choices) - 1))

    def build(self) -> list[Choice]:
        return []

    def intent(self, name: str) -> None:
        n = len(self.choices)
        if not n:
            return
        if name in ("left", "right"):
            self.selected = (self.selected + (1 if name == "right" else -1)) % n
            self.app.play("move")
        elif name == "select":
            self.choose(self.selected)
        elif name == "back":
            self.back()

    def back(self) -> None:
        """The back button; default: to the menu."""
        self.app.show("menu")

    def choose(self, i: int) -> None:
        c = self.choices[i]
        self.app.play("select")
        if c.action is not None:
            c.action()

    def handle_event(self, event: pygame.event.Event) -> None:
        if event.type == pygame.MOUSEBUTTONDOWN and event.button == 1:
            for i, r in enumerate(self.rects()):
                if r.collidepoint(event.pos):
                    self.selected = i
                    self.choose(i)
                    return
        elif event.type == pygame.MOUSEMOTION and not self.app.feed.on_board:
            for i, r in enumerate(self.rects()):
                if r.collidepoint(event.pos):
                    self.selected = i

    def rects(self) -> list[pygame.Rect]:
        ui = self.ui
        key = (len(self.choices), ui.w, ui.h, ui.theme.name)
        if key != self._rect_key:
            x, y, w, h = self.area
            self._rects = tile_rects(
                ui,
                len(self.choices),
                ui.rect(x, y, w, h),
                columns=self.columns,
                max_w=self.tile_w,
                max_h=self.tile_h,
            )
            self._rect_key = key
        return self._rects

    def draw(self, surface: pygame.Surface) -> None:
        super().draw(surface)
        self.draw_title(surface, self.title, self.subtitle)
        dwell = self.app.nav.dwell_progress if self.app.nav.enabled else 0.0
        rects = self.rects()
        for i, (c, r) in enumerate(zip(self.choices, rects, strict=True)):
            if i != self.selected:
                draw_tile(surface, self.ui, r, c, selected=False, label_size=self.label_size)
        if self.choices:
            draw_tile(
                surface,
                self.ui,
                rects[self.selected],
                self.choices[self.selected],
                selected=True,
                dwell=dwell,
                label_size=self.label_size,
            )
        self.draw_footer(surface)

    def draw_footer(self, surface: pygame.Surface, hint: str | None = None) -> None:
        """The help line at the bottom, with the lean gauge when hands-free is on."""
        ui = self.ui
        t = ui.theme
        bar = pygame.Rect(0, ui.h - ui.px(52), ui.w, ui.px(52))
        panel(surface, ui, bar, color=t.bg_top, edge=t.panel_edge, width=ui.px(1), radius=0)
        nav = self.app.nav
        on = self.app.feed.on_board
        if hint is None:
            if self.hands_free and nav.enabled and on:
                hint = "Lean to move  -  stand still to choose"
            elif self.hands_free and nav.enabled:
                hint = "Step on the board to choose by leaning, or use the buttons"
            else:
                hint = "Use the buttons, the arrow keys or tap a choice"
            if self.app.easy and self.hands_free and nav.enabled:
                hint = "Hand near the rail - lean to move, stand still to choose"
        ui.blit_text(surface, hint, 24, (ui.px(20), bar.centery), t.text, anchor="midleft")
        if self.hands_free and nav.enabled:
            draw_lean_gauge(
                surface,
                ui,
                (ui.w - ui.px(120), bar.centery),
                nav.lean if on else 0.0,
                on and math.isfinite(nav.centre_mm),
            )
