"""The person's calendar: the programme's last weeks at a glance, for kids and older adults.

A square per day, a row per week (Monday first), today ringed. Each day shows what the core's
:func:`~balance_trainer.adherence.adherence` made of it, by colour *and* shape so it reads
without colour vision too:

- ``done`` (every set) and ``extra`` (a session on a rest day): a filled green square;
- ``partial`` (some sets): the lower half filled;
- ``skipped`` (begun, no set done): an outline crossed by a bar;
- ``missed`` (a training day without a session): a thin outline, in a neutral colour (this is
  the person's screen: it encourages, the clinician's page counts);
- ``rest`` days and days still to come: the date alone.

The streak is the headline. Reached from the menu ("My calendar") and from the session's finish
screen; it is hands-free like the menu (leaning moves, a held lean on both feet chooses,
standing still never does; see :mod:`games.rules.lean_hold`), a button or a tap works too.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pygame

from ..widgets import Choice, icon_back
from .base import ChoiceScreen
from .session import programme_store_for, today_for

WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
LEGEND = {
    "done": "done",
    "partial": "partly",
    "skipped": "skipped",
    "missed": "not done",
}
"""The words under the calendar for the marks shown in it (``extra`` is drawn as ``done``)."""
WEEKS = 4
"""Weeks shown (fewer when the screen has no room, e.g. in easy mode's larger type)."""


def icon_calendar(s: pygame.Surface, ui: Any, r: pygame.Rect) -> None:
    """A little calendar: two weeks of squares, most of them filled (the menu's tile)."""
    t = ui.theme
    side = min(r.w, r.h * 1.4)
    box = pygame.Rect(0, 0, int(side), int(side / 1.4))
    box.center = r.center
    pygame.draw.rect(s, t.panel_edge, box, max(2, ui.px(3)), border_radius=ui.px(6))
    cols, rows = 4, 2
    gap = max(2, box.w // 18)
    cw = (box.w - gap * (cols + 1)) // cols
    chh = (box.h - gap * (rows + 1)) // rows
    for i in range(cols * rows):
        rr, cc = divmod(i, cols)
        cell = pygame.Rect(
            box.left + gap + cc * (cw + gap), box.top + gap + rr * (chh + gap), cw, chh
        )
        if i in (2, 7):
            pygame.draw.rect(s, t.panel_edge, cell, max(1, ui.px(2)), border_radius=ui.px(3))
        else:
            pygame.draw.rect(s, t.good, cell, border_radius=ui.px(3))


def calendar_weeks(
    marks: list[tuple[date, str]], today: date, weeks: int
) -> list[list[tuple[date, str]]]:
    """The last ``weeks`` Monday-to-Sunday weeks up to ``today``'s, each day with its status.

    Days before the programme's first day and after today are ``""``; ``marks`` are the
    adherence calendar's (day, status) pairs.
    """
    status = dict(marks)
    monday = today - timedelta(days=today.weekday())
    first = monday - timedelta(weeks=weeks - 1)
    return [
        [
            (d, status.get(d, "") if d <= today else "")
            for d in (first + timedelta(days=7 * w + k) for k in range(7))
        ]
        for w in range(weeks)
    ]


class CalendarScreen(ChoiceScreen):
    """Sessions done, partly done and skipped over the last weeks, and the streak."""

    name = "calendar"
    title = "My calendar"
    label_size = 28
    easy_page = 0

    def __init__(self, app: Any, back_to: str = "menu") -> None:
        super().__init__(app)
        self.back_to = back_to
        self.message = ""
        self.marks: list[tuple[date, str]] = []
        self.streak = 0
        self.best = 0
        self.today = today_for(app)

    def build(self) -> list[Choice]:
        self.today = today_for(self.app)
        ps = programme_store_for(self.app)
        self.title, self.subtitle = "My calendar", ""
        if ps is None:
            self.message = "Choose your name first: the calendar is kept for each person."
        else:
            try:
                from balance_trainer.adherence import adherence

                pid = self.app.person.id
                versions = ps.versions(pid)
                if not versions:
                    self.message = "No programme yet: your physiotherapist sets it in Settings."
                else:
                    a = adherence(versions, ps.sessions(pid), self.today)
                    self.marks = [(m.day, m.status) for m in a.calendar]
                    self.streak, self.best = a.streak, a.best_streak
            except Exception as exc:  # noqa: BLE001 - shown, never a crash
                self.message = f"The calendar cannot be read: {exc}"
        if not self.message:
            if self.streak:
                days = "day" if self.streak == 1 else "days"
                self.title = f"{self.streak} {days} in a row!"
                self.subtitle = f"Your best: {self.best} days" if self.best > self.streak else ""
            else:
                self.subtitle = "Do today's exercises to start a streak"
        return [Choice("Menu", icon_back, self.back)]

    def back(self) -> None:
        self.app.show(self.back_to)

    # -- layout ------------------------------------------------------------------------------
    def _layout(self) -> dict[str, Any]:
        """Pixel rectangles from the type as drawn: the grid, the legend column, the tile."""
        ui = self.ui
        top = self.title_bottom(self.title, self.shown_subtitle()) + ui.px(10)
        bar_h = ui.px(64 if self.app.easy else 52)
        bottom = ui.h - bar_h - ui.px(10)
        side = ui.px(20)
        legend_w = max(ui.font(24).size(w)[0] for w in (*LEGEND.values(), "today"))
        col_w = legend_w + ui.line_h(24) + ui.px(30)
        col = pygame.Rect(ui.w - side - col_w, top, col_w, bottom - top)
        grid = pygame.Rect(side, top, col.left - ui.px(16) - side, bottom - top)
        head_h = ui.line_h(24) + ui.px(4)
        min_cell = ui.line_h(24) + ui.px(12)
        gap = ui.px(8)
        weeks = max(1, min(WEEKS, (grid.h - head_h) // (min_cell + gap)))
        cell_h = min((grid.h - head_h) // weeks - gap, ui.px(80))
        cell_w = min((grid.w - 6 * gap) // 7, int(cell_h * 1.6))
        width = 7 * cell_w + 6 * gap
        grid.left += (grid.w - width) // 2
        grid.width = width
        # Easy mode's tile is its word alone: the legend needs the room more than the icon.
        tile_h = ui.line_h(28) + ui.px(24) if self.app.easy else min(ui.px(110), col.h // 3)
        tile = pygame.Rect(col.left, col.bottom - tile_h, col.w, tile_h)
        return {
            "grid": grid,
            "col": col,
            "tile": tile,
            "weeks": weeks,
            "cell": (cell_w, cell_h),
            "gap": gap,
            "head_h": head_h,
        }

    def rects(self) -> list[pygame.Rect]:
        return [self._layout()["tile"]] if self.choices else []

    # -- drawing -----------------------------------------------------------------------------
    def draw(self, surface: pygame.Surface) -> None:
        super().draw(surface)  # the title, the Menu tile, the footer
        if self.message:
            self._draw_message(surface)
        else:
            self._draw_grid(surface)
        self.draw_person(surface)

    def _draw_message(self, surface: pygame.Surface) -> None:
        ui = self.ui
        lay = self._layout()
        box = lay["grid"].union(lay["col"]).clip(pygame.Rect(0, 0, lay["tile"].left, ui.h))
        box.width -= ui.px(16)
        size, lines = ui.fit(self.message, 30, box.w - ui.px(20), 4)
        y = box.top + ui.px(10)
        for line in lines:
            ui.blit_text(surface, line, size, (box.left + ui.px(10), y), ui.theme.text, "topleft")
            y += ui.line_h(size)

    def _draw_grid(self, surface: pygame.Surface) -> None:
        ui = self.ui
        t = ui.theme
        lay = self._layout()
        grid, cw, gap = lay["grid"], lay["cell"][0], lay["gap"]
        short = any(ui.font(24).size(n)[0] > cw for n in WEEKDAY_NAMES)
        for k, name in enumerate(WEEKDAY_NAMES):
            head = pygame.Rect(grid.left + k * (cw + gap), grid.top, cw, lay["head_h"])
            # Today's column is named in the accent colour: "today" reads even without the
            # legend's last line.
            colour = t.accent if k == self.today.weekday() else t.dim
            ui.blit_text(surface, name[:2] if short else name, 24, head.midtop, colour, "midtop")
        shown: set[str] = set()
        for day, (cell, st) in self.day_cells().items():
            self._draw_day(surface, cell, day, st)
            shown.add("done" if st == "extra" else st)
        self._draw_legend(surface, lay["col"], lay["tile"], shown)

    def day_cells(self) -> dict[date, tuple[pygame.Rect, str]]:
        """Each shown day's square (pixels) and status, oldest first."""
        lay = self._layout()
        grid, (cw, ch), gap = lay["grid"], lay["cell"], lay["gap"]
        y0 = grid.top + lay["head_h"]
        out: dict[date, tuple[pygame.Rect, str]] = {}
        for w, week in enumerate(calendar_weeks(self.marks, self.today, lay["weeks"])):
            for k, (day, st) in enumerate(week):
                cell = pygame.Rect(grid.left + k * (cw + gap), y0 + w * (ch + gap), cw, ch)
                out[day] = (cell, st)
        return out

    def _draw_day(self, surface: pygame.Surface, cell: pygame.Rect, day: date, st: str) -> None:
        ui = self.ui
        t = ui.theme
        rad = ui.px(10)
        number = t.dim
        if st in ("done", "extra"):
            pygame.draw.rect(surface, t.good, cell, border_radius=rad)
            number = (20, 20, 30)
        elif st == "partial":
            pygame.draw.rect(surface, t.panel, cell, border_radius=rad)
            half = pygame.Rect(cell.left, cell.centery, cell.w, cell.bottom - cell.centery)
            pygame.draw.rect(
                surface,
                t.accent,
                half,
                border_bottom_left_radius=rad,
                border_bottom_right_radius=rad,
            )
            pygame.draw.rect(surface, t.accent, cell, max(2, ui.px(3)), border_radius=rad)
            number = t.text
        elif st == "skipped":
            pygame.draw.rect(surface, t.warn, cell, max(2, ui.px(3)), border_radius=rad)
            a = (cell.left + ui.px(8), cell.bottom - ui.px(8))
            b = (cell.right - ui.px(8), cell.top + ui.px(8))
            pygame.draw.line(surface, t.warn, a, b, max(2, ui.px(3)))
            number = t.text
        elif st in ("missed", "due"):
            pygame.draw.rect(surface, t.panel_edge, cell, max(1, ui.px(2)), border_radius=rad)
            number = t.text
        if day == self.today:
            ring = cell.inflate(ui.px(6), ui.px(6))
            pygame.draw.rect(surface, t.text, ring, max(3, ui.px(4)), border_radius=rad + 3)
        label = str(day.day)
        size, lines = ui.fit(label, 26, cell.w - ui.px(6), 1)
        ui.blit_text(surface, lines[0], size, cell.center, number, shadow=st == "partial", box=cell)

    def _draw_legend(
        self, surface: pygame.Surface, col: pygame.Rect, tile: pygame.Rect, shown: set[str]
    ) -> None:
        """The marks used above, with their words, then today's ring; as many as fit."""
        ui = self.ui
        t = ui.theme
        lh = ui.line_h(24) + ui.px(8)
        mark = ui.line_h(24) - ui.px(4)
        y = col.top + ui.px(4)
        items = [k for k in LEGEND if k in shown] + ["today"]
        for k in items:
            if y + lh > tile.top - ui.px(8):
                break
            box = pygame.Rect(col.left + ui.px(6), y + (lh - mark) // 2, mark, mark)
            if k == "today":
                pygame.draw.rect(surface, t.text, box, max(3, ui.px(4)), border_radius=ui.px(6))
            else:
                self._draw_mark(surface, box, k)
            word = LEGEND.get(k, "today")
            ui.blit_text(surface, word, 24, (box.right + ui.px(12), y + lh // 2), t.text, "midleft")
            y += lh

    def _draw_mark(self, surface: pygame.Surface, box: pygame.Rect, st: str) -> None:
        """A small day square without its number (the legend's)."""
        ui = self.ui
        t = ui.theme
        r = ui.px(6)
        if st == "done":
            pygame.draw.rect(surface, t.good, box, border_radius=r)
        elif st == "partial":
            half = pygame.Rect(box.left, box.centery, box.w, box.bottom - box.centery)
            pygame.draw.rect(
                surface, t.accent, half, border_bottom_left_radius=r, border_bottom_right_radius=r
            )
            pygame.draw.rect(surface, t.accent, box, max(2, ui.px(3)), border_radius=r)
        elif st == "skipped":
            pygame.draw.rect(surface, t.warn, box, max(2, ui.px(3)), border_radius=r)
            pygame.draw.line(surface, t.warn, box.bottomleft, box.topright, max(2, ui.px(3)))
        else:
            pygame.draw.rect(surface, t.panel_edge, box, max(1, ui.px(2)), border_radius=r)
