"""River raft: the screen for :mod:`games.rules.river`.

The river flows down the screen between grassy banks; gates of red and white buoys come down
with it; the raft near the bottom goes where the person leans. Passing a gate flashes it green
with the points; missing it makes a splash and nothing worse.
"""

from __future__ import annotations

import math
import random
from typing import Any

import pygame

from .records import GameResult
from .rules.adaptive import level_from_sway
from .rules.river import River, RiverConfig
from .screens.game import GameScreen
from .ui import lerp_color

RIVER_X0, RIVER_X1 = 150, 650  # design units: the water between the banks
RAFT_Y = 392
UNIT = 330.0  # design units per screen height of river distance
TREE_SPACING = 0.45


class RiverScreen(GameScreen):
    """Lean to steer the raft through the gates."""

    name = "river"
    game = "river"

    def __init__(self, app: Any, side: str = "both") -> None:
        super().__init__(app, "both")
        self.rules: River | None = None
        self.config = RiverConfig.easy() if app.easy else RiverConfig()
        if not app.easy:
            self.config.duration_s = float(app.settings.round_s)
        # Every round gets its own river; headless runs stay repeatable (virtual time).
        self.seed = app.frame
        self._pops: list[tuple[float, float, str, tuple[int, int, int]]] = []

    def ready_text(self) -> str:
        return "Stand still on both feet - then lean to steer"

    def start_rules(self) -> None:
        c = self.config
        prev = self.app.records.results(self.app.person, self.game)
        levels = [r.details.get("level") for r in prev[-3:] if r.details]
        levels = [v for v in levels if isinstance(v, (int, float))]
        sway = self.ready_sway.rms_mm
        if levels:
            # Start a little below where the last rounds ended, so each round warms up.
            c.start_level = max(0.0, min(0.7, levels[-1] - 0.1))
        elif not self.app.easy:
            c.start_level = level_from_sway(sway if math.isfinite(sway) else None)
        self.rules = River(c, seed=self.seed)

    def play_update(self, dt: float) -> None:
        r = self.rules
        assert r is not None
        ml = self.app.feed.ml_mm
        r.steer(ml - self.centre_mm if math.isfinite(ml) else math.nan)
        for ev in r.update(self.t):
            if ev in ("pass", "perfect"):
                self.app.play("perfect" if ev == "perfect" else "good")
                col = self.ui.theme.good
                self._pops.append((self.t, r.raft_x, "Perfect!" if ev == "perfect" else "+10", col))
            elif ev == "miss":
                self.app.play("splash")
                self._pops.append((self.t, r.raft_x, "Splash!", (120, 200, 255)))
            elif ev == "faster":
                self.say("Faster river!", 1.5)
            elif ev == "done":
                self.finish()
        self._pops = [p for p in self._pops if self.t - p[0] < 1.2]

    def autopilot(self, t_s: float) -> float | None:
        r = self.rules
        if r is None:
            return 0.0
        ahead = [g for g in r.gates if not g.result]
        if not ahead:
            return 0.0
        # Aim a little off-centre, like a child would, so demo runs miss now and then.
        aim = ahead[0].x + 0.25 * math.sin(t_s * 0.7)
        base = self.centre_mm if math.isfinite(self.centre_mm) else 0.0
        return aim * self.config.range_mm + base

    def hud(self) -> tuple[str, str]:
        r = self.rules
        if r is None:
            return "", ""
        right = ""
        if r.remaining_s is not None:
            right = f"{math.ceil(r.remaining_s)} s"
        elif r.gates_left is not None:
            right = f"{r.gates_left} gates to go"
        return f"{r.score} points", right

    # -- picture -----------------------------------------------------------------------------
    def _x(self, x: float) -> int:
        return self.ui.x(RIVER_X0 + (x + 1) / 2 * (RIVER_X1 - RIVER_X0))

    def draw_static(self, s: pygame.Surface) -> None:
        """Grass, water and banks."""
        ui = self.ui
        t = ui.theme
        grass = (70, 150, 60) if t.name == "normal" else (0, 90, 0)
        s.fill(grass)
        water = pygame.Rect(ui.x(RIVER_X0), 0, ui.x(RIVER_X1) - ui.x(RIVER_X0), ui.h)
        pygame.draw.rect(s, t.water, water)
        for edge in (water.left, water.right):
            pygame.draw.line(s, (222, 200, 140), (edge, 0), (edge, ui.h), ui.px(10))

    def draw_world(self, surface: pygame.Surface) -> None:
        ui = self.ui
        t = ui.theme
        surface.blit(self.static_layer(), (0, 0))
        r = self.rules
        dist = r.distance if r is not None else 0.0
        unit = ui.px(UNIT)
        raft_y = ui.y(RAFT_Y)
        # Ripples and trees scroll with the river: positions come from the distance only.
        for k in range(-1, int(ui.h / (unit * 0.25)) + 2):
            d = math.floor(dist / 0.25) + k
            y = raft_y - int((d * 0.25 - dist) * unit)
            rng = random.Random(d)
            x = self._x(rng.uniform(-0.9, 0.9))
            pygame.draw.arc(
                surface,
                lerp_color(t.water, (255, 255, 255), 0.35),
                pygame.Rect(x - ui.px(18), y, ui.px(36), ui.px(12)),
                0.3,
                2.8,
                max(1, ui.px(3)),
            )
        for k in range(-1, int(ui.h / (unit * TREE_SPACING)) + 3):
            d = math.floor(dist / TREE_SPACING) + k
            y = raft_y - int((d * TREE_SPACING - dist) * unit)
            rng = random.Random(1000 + d)
            for side in (-1, 1):
                bank_x = ui.x(RIVER_X0 / 2) if side < 0 else ui.x((RIVER_X1 + 800) / 2)
                x = bank_x + int(rng.uniform(-40, 40) * ui.u)
                rad = ui.px(rng.uniform(18, 30))
                pygame.draw.circle(surface, (40, 110, 45), (x, y), rad)
                pygame.draw.circle(
                    surface, (60, 140, 60), (x - rad // 4, y - rad // 4), rad * 2 // 3
                )
        if r is not None:
            for g in r.gates:
                y = raft_y - int((g.distance - dist) * unit)
                if y < -ui.px(40) or y > ui.h + ui.px(40):
                    continue
                self._draw_gate(surface, g, y)
        raft_x = r.raft_x if r is not None else 0.0
        self._draw_raft(surface, self._x(raft_x), raft_y)
        for t0, x, text, col in self._pops:
            age = self.t - t0
            ui.blit_text(
                surface,
                text,
                36,
                (self._x(x), raft_y - ui.px(70) - int(age * 60 * ui.u)),
                col,
                shadow=True,
            )

    def _draw_gate(self, s: pygame.Surface, g: Any, y: int) -> None:
        ui = self.ui
        t = ui.theme
        xl, xr = self._x(g.x - g.width / 2), self._x(g.x + g.width / 2)
        col = t.good if g.result in ("pass", "perfect") else (200, 200, 200) if g.result else None
        rope = col or (250, 240, 200)
        for i in range(10):
            if i % 2 == 0:
                a = xl + (xr - xl) * i // 10
                b = xl + (xr - xl) * (i + 1) // 10
                pygame.draw.line(s, rope, (a, y), (b, y), max(2, ui.px(4)))
        rad = ui.px(15)
        for x in (xl, xr):
            pygame.draw.circle(s, col or (235, 60, 60), (x, y), rad)
            pygame.draw.circle(s, (255, 255, 255), (x, y), rad, max(2, ui.px(5)))
            pygame.draw.line(
                s, (60, 60, 60), (x, y - rad), (x, y - rad - ui.px(22)), max(2, ui.px(3))
            )
            pygame.draw.polygon(
                s,
                t.accent,
                [
                    (x, y - rad - ui.px(22)),
                    (x + ui.px(16), y - rad - ui.px(16)),
                    (x, y - rad - ui.px(10)),
                ],
            )

    def _draw_raft(self, s: pygame.Surface, x: int, y: int) -> None:
        ui = self.ui
        w, h = ui.px(70), ui.px(44)
        deck = pygame.Rect(0, 0, w, h)
        deck.center = (x, y)
        wake = deck.inflate(ui.px(14), ui.px(10)).move(0, ui.px(6))
        pygame.draw.ellipse(s, lerp_color(ui.theme.water, (255, 255, 255), 0.45), wake)
        pygame.draw.rect(s, (160, 105, 55), deck, border_radius=ui.px(8))
        for i in range(1, 4):
            lx = deck.left + w * i // 4
            pygame.draw.line(
                s, (115, 72, 36), (lx, deck.top + 2), (lx, deck.bottom - 2), max(1, ui.px(3))
            )
        pygame.draw.rect(s, (100, 60, 30), deck, max(2, ui.px(3)), border_radius=ui.px(8))
        # A child on the raft: body, head, and arms out for balance.
        pygame.draw.circle(s, (255, 205, 160), (x, y - ui.px(30)), ui.px(11))
        pygame.draw.rect(
            s,
            (255, 90, 95),
            pygame.Rect(x - ui.px(9), y - ui.px(20), ui.px(18), ui.px(22)),
            border_radius=ui.px(5),
        )
        pygame.draw.line(
            s,
            (255, 205, 160),
            (x - ui.px(26), y - ui.px(18)),
            (x + ui.px(26), y - ui.px(18)),
            max(2, ui.px(5)),
        )

    # -- the end -----------------------------------------------------------------------------
    def result(self) -> tuple[GameResult, int, list[str]]:
        r = self.rules or River(self.config, seed=self.seed)
        d: dict[str, Any] = r.details()
        rms = self.ready_sway.rms_mm
        d["ml_rms_mm"] = round(rms, 2) if math.isfinite(rms) else None
        res = GameResult(
            self.game,
            r.score,
            level=int(round(r.level * 10)),
            duration_s=round(r.elapsed_s, 2),
            details=d,
        )
        lines = [
            f"Gates: {r.passed} of {r.passed + r.missed}",
            f"Perfect gates: {r.perfect}",
            f"Best run: {r.best_streak} in a row",
            f"River speed level {int(round(r.level * 10))} of 10",
        ]
        return res, r.stars, lines
