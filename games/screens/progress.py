"""Results and progress: each game's recent scores as bars, and the latest test results."""

from __future__ import annotations

import pygame

from ..catalog import GAMES
from ..ui import panel
from ..widgets import Choice, icon_back
from .base import ChoiceScreen

BARS = 10


class ProgressScreen(ChoiceScreen):
    """How am I doing?"""

    name = "progress"
    title = "My progress"
    tile_w = 150
    tile_h = 70
    label_size = 24
    area = (325, 404, 150, 60)

    def build(self) -> list[Choice]:
        person = self.app.person
        self.subtitle = (
            f"{person.label}: the last {BARS} rounds of each game"
            if not person.guest
            else "Guest: this session only (choose a name to keep scores)"
        )
        rec = self.app.records
        self.series = {name: [r.score for r in rec.results(person, name)][-BARS:] for name in GAMES}
        self.best = {name: rec.best(person, name) for name in GAMES}
        self.tests = rec.tests(person)[-3:]
        return [Choice("Back", icon_back, lambda: self.app.show("menu"))]

    def draw(self, surface: pygame.Surface) -> None:
        ui = self.ui
        t = ui.theme
        surface.blit(ui.background(), (0, 0))
        self.draw_person(surface)
        self.draw_title(surface, self.title, self.subtitle)
        for i, (name, info) in enumerate(GAMES.items()):
            box = ui.rect(24 + i * 256, 104, 240, 200)
            panel(surface, ui, box)
            ui.blit_text(surface, info.title, 26, (box.centerx, box.top + ui.px(20)), t.text)
            scores = self.series.get(name, [])
            best = self.best.get(name)
            if not scores:
                ui.blit_text(surface, "not played yet", 22, box.center, t.dim)
                continue
            top = max(max(scores), 1.0)
            area = pygame.Rect(
                box.left + ui.px(14), box.top + ui.px(40), box.w - ui.px(28), box.h - ui.px(72)
            )
            bw = area.w // BARS
            for k, sc in enumerate(scores):
                h = max(ui.px(3), int(area.h * sc / top))
                last = k == len(scores) - 1
                r = pygame.Rect(area.left + k * bw + ui.px(2), area.bottom - h, bw - ui.px(4), h)
                pygame.draw.rect(surface, t.accent if last else t.good, r, border_radius=ui.px(3))
            ui.blit_text(
                surface,
                f"last {int(scores[-1])}   best {int(best or 0)}",
                22,
                (box.centerx, box.bottom - ui.px(16)),
                t.dim,
            )
        box = ui.rect(24, 314, 752, 84)
        panel(surface, ui, box)
        if not self.tests:
            ui.blit_text(surface, "No balance tests stored yet", 22, box.center, t.dim)
        else:
            y = box.top + ui.px(18)
            for tr in reversed(self.tests):
                when = tr.started_at.strftime("%d %b") if tr.started_at else ""
                res = tr.test_result
                text = res.headline() if res is not None else tr.status
                title = res.title if res is not None else tr.protocol
                line = f"{when}  {title}: {text}"
                ui.blit_text(
                    surface, line[:80], 20, (box.left + ui.px(16), y), t.text, anchor="midleft"
                )
                y += ui.px(24)
        for i, (c, r) in enumerate(zip(self.choices, self.rects(), strict=True)):
            from ..widgets import draw_tile

            draw_tile(
                surface,
                ui,
                r,
                c,
                selected=i == self.selected,
                dwell=self.app.nav.dwell_progress if self.app.nav.enabled else 0.0,
                label_size=self.label_size,
            )
