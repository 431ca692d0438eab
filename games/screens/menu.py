"""The game menu: three games, the clinical tests, progress, settings."""

from __future__ import annotations

import pygame

from ..catalog import GAMES
from ..widgets import (
    Choice,
    icon_back,
    icon_chart,
    icon_clock,
    icon_gear,
    icon_level,
    icon_play,
    icon_raft,
    icon_rocket,
)
from .base import ChoiceScreen

GAME_ICONS = {"spirit-level": icon_level, "river": icon_raft, "squat-builder": icon_rocket}


class MenuScreen(ChoiceScreen):
    """What would you like to do?"""

    name = "menu"
    title = "What shall we do?"
    columns = 4
    tile_w = 168
    tile_h = 148
    label_size = 24
    area = (30, 104, 740, 314)

    def build(self) -> list[Choice]:
        self.subtitle = f"Hello, {self.app.person.label}!"
        out = [
            Choice(
                g.title,
                GAME_ICONS.get(g.name),
                lambda g=g: self.app.show("intro", game=g.name),
                key=g.name,
            )
            for g in GAMES.values()
        ]
        from .session import has_programme

        if has_programme(self.app):
            from .calendar import icon_calendar

            today = Choice("Today's exercises", icon_play, lambda: self.app.show("session"))
            cal = Choice("My calendar", icon_calendar, lambda: self.app.show("calendar"))
            out[:0] = [today, cal]
        out += [
            Choice("Balance tests", icon_clock, lambda: self.app.show("tests"), key="tests"),
            Choice("My progress", icon_chart, lambda: self.app.show("progress"), key="progress"),
            Choice("Settings", icon_gear, lambda: self.app.show("pin"), key="settings"),
            Choice("Change player", icon_back, lambda: self.app.show("people"), key="people"),
        ]
        # Nine tiles (a programme adds two) stay two rows: five across, on a wider area with
        # narrower gaps so "exercises" still fits a tile unbroken.
        wide = len(out) > 8
        self.columns = 5 if wide else 4
        self.area = (16, 104, 768, 314) if wide else MenuScreen.area
        self.gap = 12.0 if wide else MenuScreen.gap
        return out

    def enter(self) -> None:
        super().enter()
        # Back from a game, the highlight is still on it: one lean fewer to play again.
        self.selected = min(getattr(self.app, "menu_selected", 0), len(self.choices) - 1)

    def leave(self) -> None:
        self.app.menu_selected = self.selected

    def back(self) -> None:
        self.app.show("people")

    def draw(self, surface: pygame.Surface) -> None:
        super().draw(surface)
        self.draw_person(surface)
