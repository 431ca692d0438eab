"""Screens are mode objects; the choice screen is the one most of them are built on.

A screen has ``enter``/``leave`` (called on a switch), ``handle_event`` (raw pygame events: taps
and clicks), ``intent`` (``left``/``right``/``select``/``back`` from keys, buttons or leaning),
``feed`` (the board samples that arrived this frame), ``update(dt)`` and ``draw(surface)``.

Class attributes tell the app how to treat it:

``needs_person``
    pause (with a friendly message) while nobody is on the board or the board is lost;
``hands_free``
    leaning moves the selection and a clear lean held toward a choice takes it (standing
    still never chooses: see :mod:`games.rules.lean_hold`);
``sim_stance``
    what the simulated person should do here (``both``, ``left``, ``right``, ``off``);
``steer_sim``
    arrow keys and the mouse steer the simulated person (on hands-free screens they do too:
    Up/Down and Tab move the selection directly);
``takes_text``
    printable keys are typed (the PIN, a name) instead of driving the simulated person.

A choice with a ``confirm`` question is never taken at once: a confirm step shows the question
with *Back* and *Yes* (leaning left and holding goes back, right and holding says yes).
"""

from __future__ import annotations

import math
from typing import Any

import pygame

from ..feed import FeedUpdate
from ..ui import Ui, panel
from ..widgets import Choice, draw_lean_gauge, draw_tile, icon_back, icon_play, tile_rects


class Screen:
    """Base screen: does nothing, draws the background."""

    name = "screen"
    needs_person = False
    hands_free = True
    sim_stance: str | None = "both"
    steer_sim = False
    takes_text = False
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

    def type_char(self, ch: str) -> bool:
        """A printable key on a ``takes_text`` screen; True when it was taken."""
        return False

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
    def title_bottom(self, title: str, sub: str = "") -> int:
        """Where :meth:`draw_title` would end, pixels (for laying out below it)."""
        ui = self.ui
        side = max(ui.px(140), self._person_badge().right + ui.px(10))
        size, lines = ui.fit(title, 40, ui.w - 2 * side, 1, min_size=28)
        y = ui.px(10) + ui.font(size).get_height() * len(lines)
        if sub:
            ssize, slines = ui.fit(sub, 26, ui.w - ui.px(60), 2)
            y += ui.px(4) + ui.line_h(ssize) * len(slines)
        return y

    def draw_title(self, surface: pygame.Surface, title: str, sub: str = "") -> int:
        """The title (and a one-line subtitle) at the top; returns the y below them, pixels.

        The title sits between the person's badge (left) and the simulated-board badge
        (right), shrinking to fit, so the three never collide.
        """
        ui = self.ui
        side = max(ui.px(140), self._person_badge().right + ui.px(10))
        width = ui.w - 2 * side
        size, lines = ui.fit(title, 40, width, 1, min_size=28)
        y = ui.px(10)
        for line in lines:
            r = ui.blit_text(surface, line, size, (ui.w // 2, y), ui.theme.text, "midtop", True)
            y = r.bottom
        if sub:
            y += ui.px(4)
            ssize, slines = ui.fit(sub, 26, ui.w - ui.px(60), 2)
            for line in slines:
                r = ui.blit_text(surface, line, ssize, (ui.w // 2, y), ui.theme.dim, "midtop")
                y += ui.line_h(ssize)
        return y

    def _person_badge(self) -> pygame.Rect:
        ui = self.ui
        label = self.app.person.label
        if len(label) > 12:
            label = label[:11] + "."
        img = ui.text(label, 24, ui.theme.text)
        box = img.get_rect().inflate(ui.px(44), ui.px(8))
        box.topleft = (ui.px(8), ui.px(8))
        self._badge_label = label
        return box

    def draw_person(self, surface: pygame.Surface) -> None:
        """Who is training, top left."""
        ui = self.ui
        box = self._person_badge()
        label = self._badge_label
        pygame.draw.rect(surface, ui.theme.panel, box, border_radius=box.h // 2)
        pygame.draw.circle(surface, ui.theme.good, (box.left + ui.px(16), box.centery), ui.px(7))
        ui.blit_text(
            surface, label, 24, (box.left + ui.px(30), box.centery), ui.theme.text, "midleft"
        )


class Confirm:
    """The confirm step: a question, *Back* on the left and *Yes* on the right."""

    def __init__(self, question: str, yes: str, action: Any) -> None:
        self.question = question
        self.yes = yes
        self.action = action
        self.selected = 1  # Yes: two presses of the middle button start; leaning must aim
        self.choices = [Choice("Back", icon_back), Choice(yes, icon_play)]


class ChoiceScreen(Screen):
    """Tiles in a grid; left/right move through them, select takes one.

    Subclasses fill :attr:`choices` in :meth:`build` and set :attr:`title`/:attr:`subtitle`.
    A tap or click on a tile takes it at once (a choice with a ``confirm`` question asks
    it first).
    """

    name = "choice"
    title = ""
    subtitle = ""
    columns: int | None = None
    tile_w = 190.0
    tile_h = 250.0
    label_size = 26.0
    area = (40, 110, 720, 290)
    subs_in_subtitle = False
    """Tiles show only their label; the highlighted one's ``sub`` is the subtitle."""
    gap = 22.0
    """Between tiles, design units."""
    easy_page = 3
    """Easy mode shows this many (bigger) tiles at a time, a page of one row; 0: all."""

    def __init__(self, app: Any) -> None:
        super().__init__(app)
        self.choices: list[Choice] = []
        self.selected = 0
        self.confirming: Confirm | None = None
        self._rects: list[pygame.Rect] = []
        self._rect_key: tuple[Any, ...] = ()

    def enter(self) -> None:
        self.choices = self.build()
        self.selected = min(self.selected, max(0, len(self.choices) - 1))

    def build(self) -> list[Choice]:
        return []

    def intent(self, name: str) -> None:
        if self.confirming is not None:
            self._confirm_intent(name)
            return
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

    def lean_choose(self, side: int) -> None:
        """A lean held to the end: in the confirm step, left is Back and right is Yes; on the
        tiles, the highlighted one (the one leaned toward) is taken."""
        if self.confirming is not None:
            self.confirming.selected = 1 if side > 0 else 0
            self._confirm_intent("select")
        else:
            self.choose(self.selected)

    def _confirm_intent(self, name: str) -> None:
        c = self.confirming
        assert c is not None
        if name in ("left", "right"):
            c.selected = 1 if name == "right" else 0
            self.app.play("move")
        elif name == "back":
            self.confirming = None
            self.app.play("move")
        elif name == "select":
            self.confirming = None
            if c.selected == 1:
                self.app.play("select")
                c.action()
            else:
                self.app.play("move")

    def back(self) -> None:
        """The back button; default: to the menu."""
        self.app.show("menu")

    def choose(self, i: int) -> None:
        c = self.choices[i]
        if c.action is None:
            return
        if c.confirm:
            self.app.play("move")
            self.confirming = Confirm(c.confirm, c.yes, c.action)
            self.app.hold.reset(self.app.now)
            self.app.say(c.confirm)
            return
        self.app.play("select")
        c.action()

    def handle_event(self, event: pygame.event.Event) -> None:
        if self.confirming is not None:
            if event.type == pygame.MOUSEBUTTONDOWN and event.button == 1:
                for i, r in enumerate(self._confirm_rects()):
                    if r.collidepoint(event.pos):
                        self.confirming.selected = i
                        self._confirm_intent("select")
                        return
            return
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

    @property
    def page(self) -> tuple[int, int, int]:
        """(first shown, one past the last shown, number of pages)."""
        n = len(self.choices)
        per = self.easy_page if self.app.easy and self.easy_page else 0
        if not per or n <= per + 1:
            return 0, n, 1
        first = (self.selected // per) * per
        return first, min(n, first + per), math.ceil(n / per)

    def rects(self) -> list[pygame.Rect]:
        """One rectangle per choice, pixels (empty for those not on the shown page)."""
        ui = self.ui
        first, last, pages = self.page
        sub = self.shown_subtitle()
        key = (len(self.choices), ui.w, ui.h, ui.theme.name, first, self.title, sub)
        if key != self._rect_key:
            x, y, w, h = self.area
            # Never under the title: a long subtitle pushes the tiles down (and shrinks them).
            below = (self.title_bottom(self.title, sub) + ui.px(8) - ui.oy) / max(ui.u, 1e-9)
            if below > y:
                h, y = h - (below - y), below
            if pages > 1:
                shown = tile_rects(
                    ui,
                    last - first,
                    ui.rect(x, y, w, h - 24),
                    columns=last - first,
                    max_w=max(self.tile_w, 230),
                    max_h=max(self.tile_h, 230),
                )
            else:
                shown = tile_rects(
                    ui,
                    len(self.choices),
                    ui.rect(x, y, w, h),
                    columns=self.columns,
                    max_w=self.tile_w,
                    max_h=self.tile_h,
                    gap=self.gap,
                )
                first = 0
            self._rects = [pygame.Rect(0, 0, 0, 0)] * first + shown
            self._rects += [pygame.Rect(0, 0, 0, 0)] * (len(self.choices) - len(self._rects))
            self._rect_key = key
        return self._rects

    def draw_page_dots(self, surface: pygame.Surface) -> None:
        """Easy mode's pages: a dot per page, the shown one filled."""
        first, _, pages = self.page
        if pages <= 1:
            return
        ui = self.ui
        x, y, w, h = self.area
        cy = ui.y(y + h - 8)
        per = self.easy_page
        for k in range(pages):
            c = (ui.w // 2 + (2 * k - pages + 1) * ui.px(18), cy)
            on = k == first // per
            pygame.draw.circle(surface, ui.theme.accent if on else ui.theme.panel_edge, c, ui.px(7))

    def shown_subtitle(self) -> str:
        sub = self.subtitle
        if self.subs_in_subtitle and self.choices:
            sub = self.choices[self.selected].sub or sub
        return sub

    def draw(self, surface: pygame.Surface) -> None:
        super().draw(surface)
        self.draw_title(surface, self.title, self.shown_subtitle())
        self.draw_tiles(surface)
        self.draw_footer(surface)
        self.draw_confirm(surface)

    def draw_tiles(self, surface: pygame.Surface) -> None:
        ring = self.app.choose_progress if self.confirming is None else 0.0
        self.draw_page_dots(surface)
        for i, (c, r) in enumerate(zip(self.choices, self.rects(), strict=True)):
            if not r.w:
                continue
            if self.subs_in_subtitle and c.sub:
                c = Choice(c.label, c.icon, c.action, key=c.key)
            draw_tile(
                surface,
                self.ui,
                r,
                c,
                selected=i == self.selected,
                dwell=ring if i == self.selected else 0.0,
                label_size=self.label_size,
            )

    def _confirm_rects(self) -> list[pygame.Rect]:
        ui = self.ui
        return [ui.rect(150, 268, 230, 124), ui.rect(420, 268, 230, 124)]

    def draw_confirm(self, surface: pygame.Surface) -> None:
        """The confirm step over the screen (drawn last; the layout log restarts with it)."""
        c = self.confirming
        if c is None:
            return
        ui = self.ui
        t = ui.theme
        if ui.log is not None:
            ui.log.clear()
        shade = ui.cache.get(("confirm-shade",))
        if shade is None:
            shade = pygame.Surface((ui.w, ui.h), pygame.SRCALPHA)
            shade.fill((0, 0, 0, 190))
            ui.cache_put(("confirm-shade",), shade)
        surface.blit(shade, (0, 0))
        box = ui.rect(70, 56, 660, 356)
        panel(surface, ui, box, color=t.bg_top, edge=t.accent, width=ui.px(4), radius=22)
        size, lines = ui.fit(c.question, 34, box.w - ui.px(48), 3)
        y = box.top + ui.px(22)
        for line in lines:
            ui.blit_text(surface, line, size, (box.centerx, y), t.text, "midtop", box=box)
            y += ui.line_h(size)
        hint = "Lean and hold: left for Back, right for Yes"
        if not (self.app.nav.enabled and self.app.feed.on_board):
            hint = "Press the middle button again, or tap"
        hsize, hlines = ui.fit(hint, 24, box.w - ui.px(48), 1)
        ui.blit_text(
            surface, hlines[0], hsize, (box.centerx, y + ui.px(6)), t.dim, "midtop", box=box
        )
        hold = self.app.choose_progress
        side = self.app.hold.side
        for i, (ch, r) in enumerate(zip(c.choices, self._confirm_rects(), strict=True)):
            leaning = (side > 0) == (i == 1) and side != 0
            draw_tile(
                surface,
                ui,
                r,
                ch,
                selected=i == c.selected,
                dwell=hold if leaning else 0.0,
                label_size=30,
            )
        del box

    def footer_hint(self) -> str:
        """The help line: how to move and how to choose here."""
        nav = self.app.nav
        on = self.app.feed.on_board
        if self.hands_free and nav.enabled and on:
            hint = "Lean to move. Lean and hold to choose."
        elif self.hands_free and nav.enabled:
            hint = "Step on to choose by leaning, or press a button"
        else:
            hint = "Press a button, use the arrow keys or tap"
        if self.app.easy:  # bigger letters, fewer words
            if self.hands_free and nav.enabled and on:
                hint = "Lean and hold to choose"
            elif self.hands_free and nav.enabled:
                hint = "Step on, or press a button"
            else:
                hint = "Press a button or tap"
        return hint

    def draw_footer(self, surface: pygame.Surface, hint: str | None = None) -> None:
        """The help line at the bottom, with the lean gauge when hands-free is on."""
        ui = self.ui
        t = ui.theme
        nav = self.app.nav
        on = self.app.feed.on_board
        gauge = self.hands_free and nav.enabled
        bar_h = ui.px(52) if not self.app.easy else ui.px(64)
        bar = pygame.Rect(0, ui.h - bar_h, ui.w, bar_h)
        panel(surface, ui, bar, color=t.bg_top, edge=t.panel_edge, width=ui.px(1), radius=0)
        hint = self.footer_hint() if hint is None else hint
        room = ui.w - ui.px(40) - (ui.px(230) if gauge else 0)
        size, lines = ui.fit(hint, 26, room, 1)
        ui.blit_text(surface, lines[0], size, (ui.px(20), bar.centery), t.text, "midleft", box=bar)
        if gauge:
            draw_lean_gauge(
                surface,
                ui,
                (ui.w - ui.px(120), bar.centery),
                nav.lean if on else 0.0,
                on and math.isfinite(nav.centre_mm),
            )
