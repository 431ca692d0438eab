"""What every game shares: the intro (pick a leg), the countdown, the heads-up line, the end.

A game screen runs ``ready`` (a 3-2-1 countdown on both feet while the person's quiet sway and
resting centre are measured) → ``play`` (the game's own rules) → ``over`` (a moment to enjoy the
finish) → the result screen, which saves the score. ``back`` during play ends the round early;
the app ends it too when nobody has been on the board for a while.
"""

from __future__ import annotations

import math
from enum import StrEnum
from typing import Any

import pygame

from ..catalog import GAMES, GameInfo
from ..records import GameResult
from ..rules.stats import RunningSway
from ..ui import panel, ring
from ..widgets import (
    Choice,
    draw_stars,
    icon_back,
    icon_both_feet,
    icon_foot,
    icon_home,
    icon_play,
)
from .base import ChoiceScreen, Screen
from .pelvis_level import show_leveled

COUNTDOWN_S = 3.0
OVER_S = 2.0


class GamePhase(StrEnum):
    """Where a game round is: counting down, playing, showing the result, left."""

    READY = "ready"
    PLAY = "play"
    OVER = "over"
    DONE = "done"


class GameScreen(Screen):
    """Base for the three games. Subclasses implement ``start_rules``, ``play_update``,
    ``draw_world`` and ``result``."""

    game = ""
    steer_sim = True
    needs_board = True
    banner_y = 150.0

    def __init__(self, app: Any, side: str = "left") -> None:
        super().__init__(app)
        self.info: GameInfo = GAMES[self.game]
        self.side = side
        self.phase = GamePhase.READY
        self.phase_t = 0.0
        self.centre_mm = math.nan
        self.ready_sway = RunningSway()
        self._ready_ml: list[float] = []
        self._count_shown = 4
        self.finished = False
        self.banner = ""
        self.banner_until = 0.0
        self.result_summary = None
        self._static: pygame.Surface | None = None
        self._static_key: tuple = ()

    # -- app hooks ---------------------------------------------------------------------------
    @property
    def needs_person(self) -> bool:  # type: ignore[override]
        return self.phase in (GamePhase.READY, GamePhase.PLAY)

    @property
    def sim_stance(self) -> str:  # type: ignore[override]
        return "both"

    @property
    def hands_free(self) -> bool:  # type: ignore[override]
        return False  # leaning is the game here, not a menu gesture

    def enter(self) -> None:
        self.phase = GamePhase.READY
        self.phase_t = 0.0

    def intent(self, name: str) -> None:
        if name == "back":
            if self.phase in (GamePhase.READY, GamePhase.PLAY):
                self.finish()
            elif self.phase is GamePhase.OVER:
                self.to_results()
        elif name == "select" and self.phase is GamePhase.OVER:
            self.to_results()

    def abandon(self) -> None:
        self.finish()

    def say(self, text: str, seconds: float = 2.0) -> None:
        """A short message over the game (e.g. 'Perfect!')."""
        self.banner = text
        self.banner_until = self.t + seconds

    # -- the round ---------------------------------------------------------------------------
    def update(self, dt: float) -> None:
        super().update(dt)
        self.phase_t += dt
        if self.phase is GamePhase.READY:
            ml = self.app.feed.ml_mm
            if math.isfinite(ml):
                self._ready_ml.append(ml)
                self.ready_sway.add(ml)
            left = COUNTDOWN_S - self.phase_t
            shown = max(0, math.ceil(left))
            if shown < self._count_shown:
                self._count_shown = shown
                self.app.play("go" if shown == 0 else "tick")
            if left <= 0:
                vals = sorted(self._ready_ml)
                self.centre_mm = vals[len(vals) // 2] if vals else 0.0
                self.phase = GamePhase.PLAY
                self.phase_t = 0.0
                self.start_rules()
        elif self.phase is GamePhase.PLAY:
            self.play_update(dt)
        elif self.phase is GamePhase.OVER and self.phase_t >= OVER_S:
            self.to_results()

    def finish(self) -> None:
        """The round is over (finished, stopped early, or abandoned)."""
        if self.phase in (GamePhase.OVER, GamePhase.DONE):
            return
        if self.phase is GamePhase.READY:
            self.app.show("menu")
            self.phase = GamePhase.DONE
            return
        self.phase = GamePhase.OVER
        self.phase_t = 0.0
        self.app.play("done")

    def to_results(self) -> None:
        if self.phase is GamePhase.DONE:
            return
        self.phase = GamePhase.DONE
        res, stars, lines = self.result()
        best = self.app.records.best(self.app.person, self.game)
        saved = self.app.records.save_game(self.app.person, res)
        self.result_summary = {
            "game": self.game,
            "score": res.score,
            "stars": stars,
            "saved": saved,
        }
        self.app.show(
            "result",
            game=self.game,
            result=res,
            stars=stars,
            lines=lines,
            best_before=best,
            side=self.side,
        )

    # -- subclass hooks ----------------------------------------------------------------------
    def start_rules(self) -> None:
        raise NotImplementedError

    def play_update(self, dt: float) -> None:
        raise NotImplementedError

    def static_key(self) -> tuple:
        """What the static layer depends on; it is drawn again when this changes."""
        return (self.ui.w, self.ui.h, self.ui.theme.name)

    def draw_static(self, s: pygame.Surface) -> None:
        """Draw the parts of the picture that never move onto ``s`` (screen-sized)."""

    def static_layer(self) -> pygame.Surface:
        """The :meth:`draw_static` picture, drawn once per :meth:`static_key` and reused."""
        key = self.static_key()
        if self._static is None or self._static_key != key:
            s = pygame.Surface((self.ui.w, self.ui.h))
            self.draw_static(s)
            self._static = s.convert() if pygame.display.get_surface() else s
            self._static_key = key
        return self._static

    def draw_world(self, surface: pygame.Surface) -> None:
        raise NotImplementedError

    def result(self) -> tuple[GameResult, int, list[str]]:
        raise NotImplementedError

    def hud(self) -> tuple[str, str]:
        """Left and right text of the heads-up line."""
        return "", ""

    # -- drawing -----------------------------------------------------------------------------
    def hud_top(self) -> int:
        """Top of the heads-up line, pixels: just below the person's badge."""
        return self._person_badge().bottom + self.ui.px(4)

    def draw(self, surface: pygame.Surface) -> None:
        self.draw_world(surface)
        ui = self.ui
        t = ui.theme
        left, right = self.hud()
        # The heads-up line starts under the person's badge (which grows with the name and
        # the type scale), so the score never hides behind it at any screen size.
        top = self.hud_top()
        if left:
            ui.blit_text(surface, left, 34, (ui.px(16), top), t.text, anchor="topleft", shadow=True)
        if right:
            ui.blit_text(
                surface,
                right,
                34,
                (ui.w - ui.px(16), top),
                t.text,
                anchor="topright",
                shadow=True,
            )
        self.draw_person(surface)
        if self.app.easy and self.phase in (GamePhase.READY, GamePhase.PLAY):
            ui.blit_text(
                surface,
                "Keep a hand near the rail",
                22,
                (ui.w // 2, ui.h - ui.px(18)),
                t.accent,
                shadow=True,
            )
        if self.phase is GamePhase.READY:
            self.draw_countdown(surface)
        elif self.phase is GamePhase.OVER:
            ui.blit_text(surface, "Finished!", 80, (ui.w // 2, ui.h // 2), t.accent, shadow=True)
        if self.banner and self.t < self.banner_until:
            ui.blit_text(
                surface, self.banner, 44, (ui.w // 2, ui.y(self.banner_y)), t.accent, shadow=True
            )

    def draw_countdown(self, surface: pygame.Surface) -> None:
        ui = self.ui
        t = ui.theme
        left = COUNTDOWN_S - self.phase_t
        n = max(1, math.ceil(left))
        frac = n - left  # 0 → 1 within each second: the number grows then settles
        size = 130 + 30 * (1 - min(1.0, frac * 3))
        shade = ui.cache.get(("shade",))
        if shade is None:
            shade = pygame.Surface((ui.w, ui.h), pygame.SRCALPHA)
            shade.fill((0, 0, 0, 120))
            ui.cache_put(("shade",), shade)
        surface.blit(shade, (0, 0))
        c = (ui.w // 2, ui.y(215))
        pygame.draw.circle(surface, t.bg_top, c, ui.px(95))
        ring(surface, t.accent, c, ui.px(95), ui.px(12), 1.0 - frac)
        ui.blit_text(surface, str(n), size, (c[0], c[1] + ui.px(6)), t.accent)
        box = ui.rect(80, 338, 640, 64)
        panel(surface, ui, box, color=t.bg_top, edge=t.accent, width=ui.px(3))
        ui.blit_text(surface, self.ready_text(), 30, box.center, t.text)

    def ready_text(self) -> str:
        return "Get ready - stand still on both feet"


# -- before and after ----------------------------------------------------------------------------


class IntroScreen(ChoiceScreen):
    """How to play, and which leg to stand on."""

    name = "intro"
    tile_w = 190
    tile_h = 200
    area = (40, 150, 720, 250)

    def __init__(self, app: Any, game: str) -> None:
        super().__init__(app)
        self.info = GAMES[game]
        self.title = self.info.title
        self.subtitle = self.info.blurb

    def build(self) -> list[Choice]:
        g = self.info.name
        one_leg = self.info.one_leg and not (g == "squat-builder" and self.app.easy)
        title = self.info.title
        if one_leg:
            out = [
                Choice(
                    f"{side.capitalize()} leg",
                    icon_foot(side),
                    lambda side=side: show_leveled(self.app, g, side=side),
                    sub="stand on it",
                    confirm=f"Play {title} standing on your {side} leg?",
                    yes="Play",
                )
                for side in ("left", "right")
            ]
        else:
            out = [
                Choice(
                    "Start",
                    icon_both_feet if g == "squat-builder" else icon_play,
                    lambda: show_leveled(self.app, g, side="both"),
                    sub="both feet",
                    confirm=f"Play {title} on both feet?",
                    yes="Play",
                )
            ]
        out.append(Choice("Back", icon_back, lambda: self.app.show("menu")))
        return out

    def footer_hint(self) -> str:
        if self.app.easy:
            return "Keep a hand near the rail"
        return super().footer_hint()

    def draw(self, surface: pygame.Surface) -> None:
        super().draw(surface)
        self.draw_person(surface)


class ResultScreen(ChoiceScreen):
    """The score, the stars, how it went, and play again or back to the menu."""

    name = "result"
    tile_w = 170
    tile_h = 96
    label_size = 26
    area = (200, 344, 400, 96)
    easy_page = 0

    def __init__(
        self,
        app: Any,
        game: str,
        result: GameResult,
        stars: int,
        lines: list[str],
        best_before: float | None,
        side: str = "left",
    ) -> None:
        super().__init__(app)
        self.game = game
        self.res = result
        self.stars = stars
        self.lines = lines
        self.side = side
        self.best_before = best_before
        self.new_best = best_before is not None and result.score > best_before
        self.title = "Well done!" if stars >= 2 else "Good effort!" if stars else "Nice try!"
        self.result_summary = {
            "game": game,
            "score": result.score,
            "stars": stars,
            "details": result.details,
        }

    def enter(self) -> None:
        super().enter()
        if self.stars:
            self.app.play("star")

    def build(self) -> list[Choice]:
        self.selected = 1  # standing still goes back to the menu, never round after round
        return [
            Choice(
                "Play again",
                icon_play,
                lambda: show_leveled(self.app, self.game, side=self.side),
                confirm=f"Play {GAMES[self.game].title} again?",
                yes="Play",
            ),
            Choice("Menu", icon_home, lambda: self.app.show("menu")),
        ]

    def draw(self, surface: pygame.Surface) -> None:
        ui = self.ui
        t = ui.theme
        surface.blit(ui.background(), (0, 0))
        self.draw_person(surface)
        y = self.draw_title(surface, self.title)
        draw_stars(surface, ui, (ui.w // 2, y + ui.px(34)), self.stars, size=26)
        top = y + ui.px(72)
        box = pygame.Rect(ui.x(110), top, ui.px(580), self.rects()[0].top - ui.px(12) - top)
        panel(surface, ui, box)
        left = pygame.Rect(box.left, box.top, ui.px(170), box.h)
        score = f"{int(round(self.res.score))}"
        r = ui.blit_text(
            surface, score, 60, (left.centerx, box.top + ui.px(8)), t.accent, "midtop", box=box
        )
        r = ui.blit_text(surface, "points", 24, (left.centerx, r.bottom), t.dim, "midtop", box=box)
        if self.new_best:
            ui.blit_text(
                surface, "New best!", 26, (left.centerx, r.bottom), t.good, "midtop", box=box
            )
        yy = box.top + ui.px(12)
        width = box.right - left.right - ui.px(16)
        for line in self.lines[:4]:
            size, parts = ui.fit(line, 26, width, 2)
            for part in parts:
                if yy + ui.line_h(size) > box.bottom:
                    break
                ui.blit_text(surface, part, size, (left.right, yy), t.text, "topleft", box=box)
                yy += ui.line_h(size)
        self.draw_tiles(surface)
        if self.app.records.note:
            size, lines = ui.fit(self.app.records.note, 24, ui.w - ui.px(20), 1)
            ui.blit_text(surface, lines[0], size, (ui.w // 2, ui.h - ui.px(2)), t.warn, "midbottom")
        self.draw_confirm(surface)

    def back(self) -> None:
        self.app.show("menu")
