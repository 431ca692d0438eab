"""Spirit level: the screen for :mod:`games.rules.spirit_level`.

A big bubble level across the screen; the bubble follows the ML COP under the stance foot.
Above it, a little figure on one leg; on the board alone its hips tilt when the load drifts
toward the lifted side, with a gentle "keep your weight over your foot" (the board sees the
load, not the pelvis: the caption says so); with the pelvis sensor they tilt by the measured
angle, with "keep your hips level". On the right, the score bar fills while the bubble is in
the band, with a star at each third.
"""

from __future__ import annotations

import math
from typing import Any

import pygame

from .records import GameResult
from .rules.adaptive import band_from_sway, recent_sway_mm
from .rules.spirit_level import STAR_FILLS, Phase, SpiritLevel, SpiritLevelConfig
from .screens.game import GamePhase, GameScreen
from .ui import panel, star
from .widgets import draw_fill_bar, icon_foot

TUBE = (90, 236, 560, 92)  # design units: x, y, w, h


class SpiritLevelScreen(GameScreen):
    """Stand on one leg and keep the bubble in the middle."""

    name = "spirit-level"
    game = "spirit-level"
    banner_y = 405.0

    def __init__(self, app: Any, side: str = "left") -> None:
        super().__init__(app, side if side in ("left", "right") else "left")
        self.rules: SpiritLevel | None = None
        self.config = self._config()

    def _config(self) -> SpiritLevelConfig:
        app = self.app
        c = SpiritLevelConfig.easy() if app.easy else SpiritLevelConfig()
        if not app.easy:
            c.duration_s = float(app.settings.round_s)
        sway = recent_sway_mm(app.records.recent_sway(app.person, self.game))
        c.band_mm = band_from_sway(sway, c.band_mm, lo_mm=6.0 if not app.easy else 10.0)
        return c

    @property
    def sim_stance(self) -> str:  # type: ignore[override]
        r = self.rules
        if self.phase is GamePhase.PLAY and r is not None and r.phase is not Phase.DONE:
            return self.side
        return "both"

    def ready_text(self) -> str:
        lifted = "right" if self.side == "left" else "left"
        return f"When it says GO, lift your {lifted} foot"

    def start_rules(self) -> None:
        self.rules = SpiritLevel(self.side, self.config)

    def play_update(self, dt: float) -> None:
        r = self.rules
        assert r is not None
        feed = self.app.feed
        if getattr(feed, "has_pelvis", False):
            # The pelvis sensor sees the pelvis itself: the game is played on its angle.
            events = r.update_pelvis(self.t, feed.pelvis_obliquity_deg, feed.stance)
        else:
            events = r.update(self.t, feed.stance_ml_mm(self.side), feed.stance)
        for ev in events:
            if ev == "star":
                self.app.play("star")
                self.say("Star!", 1.2)
            elif ev == "enter_band":
                self.app.play("move")
            elif ev == "drift_start":
                self.app.play("soft_miss")
            elif ev == "lift_off" and r.phase in (Phase.SETTLING, Phase.PLAYING):
                self.app.play("select")
            elif ev == "done":
                self.finish()

    def autopilot(self, t_s: float) -> float | None:
        # A slow wander so a demo run shows the bubble moving in and out of the band.
        return 6.0 * math.sin(t_s * 0.9)

    def hud(self) -> tuple[str, str]:
        r = self.rules
        if r is None:
            return "", ""
        rem = r.remaining_s
        return f"{r.score} points", "" if rem is None else f"{math.ceil(rem)} s"

    # -- picture -----------------------------------------------------------------------------
    def static_key(self) -> tuple:
        return (*super().static_key(), self.config.band_mm, self.config.band_deg)

    def draw_static(self, s: pygame.Surface) -> None:
        """Background, tube glass and band marks."""
        ui = self.ui
        s.blit(ui.background(), (0, 0))
        # A wooden bench for the level to rest on.
        bench = ui.rect(60, 338, 640, 26)
        pygame.draw.rect(s, (121, 85, 58), bench, border_radius=ui.px(6))
        pygame.draw.rect(s, (92, 62, 40), bench, ui.px(3), border_radius=ui.px(6))
        body = ui.rect(TUBE[0] - 28, TUBE[1] - 22, TUBE[2] + 56, TUBE[3] + 44)
        pygame.draw.rect(s, (230, 180, 40), body, border_radius=ui.px(18))
        pygame.draw.rect(s, (150, 110, 20), body, ui.px(4), border_radius=ui.px(18))
        tube = ui.rect(*TUBE)
        pygame.draw.rect(s, (200, 235, 110), tube, border_radius=tube.h // 2)
        band_px = int(self.config.band_mm / self.config.full_scale_mm * (tube.w / 2 - tube.h / 2))
        band = pygame.Rect(0, tube.top, 2 * band_px, tube.h)
        band.centerx = tube.centerx
        pygame.draw.rect(s, (150, 220, 90), band)
        for x in (band.left, band.right):
            pygame.draw.line(
                s, (30, 50, 20), (x, tube.top + ui.px(4)), (x, tube.bottom - ui.px(4)), ui.px(4)
            )
        pygame.draw.rect(s, (60, 90, 30), tube, ui.px(4), border_radius=tube.h // 2)
        hl = pygame.Rect(tube.left + tube.h // 2, tube.top + ui.px(10), tube.w - tube.h, ui.px(8))
        pygame.draw.rect(s, (235, 250, 200), hl, border_radius=ui.px(4))

    def draw_world(self, surface: pygame.Surface) -> None:
        ui = self.ui
        t = ui.theme
        surface.blit(self.static_layer(), (0, 0))
        r = self.rules
        tube = ui.rect(*TUBE)
        travel = tube.w / 2 - tube.h / 2
        bubble = r.bubble if r is not None and r.phase is Phase.PLAYING else 0.0
        in_band = bool(r and r.in_band)
        bx = int(tube.centerx + bubble * travel)
        bub = pygame.Rect(0, 0, int(tube.h * 1.25), int(tube.h * 0.62))
        bub.center = (bx, tube.centery)
        col = (255, 255, 255) if not in_band else (235, 255, 235)
        pygame.draw.ellipse(surface, col, bub)
        pygame.draw.ellipse(surface, t.good if in_band else (120, 140, 100), bub, ui.px(4))
        hl = pygame.Rect(0, 0, bub.w // 3, bub.h // 4)
        hl.topleft = (bub.left + bub.w // 5, bub.top + bub.h // 6)
        pygame.draw.ellipse(surface, (255, 255, 255), hl)
        self._draw_pelvis(surface)
        # Score bar with a star at each third.
        bar = ui.rect(716, 110, 44, 300)
        fill = r.fill if r else 0.0
        draw_fill_bar(surface, ui, bar, fill, t.good, vertical=True)
        for k in (1, 2, 3):
            y = bar.bottom - int(bar.h * k / 3)
            got = fill >= STAR_FILLS[k - 1]
            star(
                surface,
                t.accent if got else t.panel,
                (bar.centerx, y),
                ui.px(18),
                outline=(120, 80, 0) if got else t.panel_edge,
            )
        self._draw_prompt(surface)

    def _draw_pelvis(self, surface: pygame.Surface) -> None:
        """A little person on one leg; the hips tilt when the COP drifts to the lifted side."""
        ui = self.ui
        t = ui.theme
        r = self.rules
        drift = r.drift_mm if r is not None and r.phase is Phase.PLAYING else 0.0
        drifting = bool(r and r.drifting)
        # Only a drop of the lifted side is drawn: that is what the drift means.
        drop = max(0.0, min(1.0, drift / (2 * self.config.drift_mm)))
        lift_sign = 1 if self.side == "left" else -1  # +1: the lifted hip is on screen right
        c = (ui.x(400), ui.y(150))
        half = ui.px(46)
        dy = ui.px(22) * drop
        hips = {
            "left": (c[0] - half, c[1] - lift_sign * dy),
            "right": (c[0] + half, c[1] + lift_sign * dy),
        }
        if r is not None and r.pelvis:
            # With the sensor the hips tilt by the measured angle itself (left side lower:
            # positive obliquity), drawn true to the degree, not exaggerated.
            o = (
                r.obliquity_deg
                if r.phase is Phase.PLAYING and math.isfinite(r.obliquity_deg)
                else 0.0
            )
            dy_o = half * math.tan(math.radians(o))
            hips = {"left": (c[0] - half, c[1] + dy_o), "right": (c[0] + half, c[1] - dy_o)}
            dy = 0.0
        col = t.warn if drifting else t.good
        body = (255, 255, 255) if t.name == "normal" else (255, 255, 255)
        w = ui.px(9)
        # Trunk, head and arms out for balance (the trunk leans a little with the hips).
        top = (c[0] - int(lift_sign * dy * 0.4), c[1] - ui.px(56))
        pygame.draw.line(surface, body, c, top, w)
        pygame.draw.circle(surface, body, (top[0], top[1] - ui.px(18)), ui.px(16))
        shoulder = (top[0], top[1] + ui.px(8))
        pygame.draw.line(
            surface,
            body,
            (shoulder[0] - ui.px(62), shoulder[1] + ui.px(10)),
            (shoulder[0] + ui.px(62), shoulder[1] + ui.px(10)),
            w,
        )
        both_down = r is None or r.phase in (Phase.WAITING, Phase.FOOT_DOWN)
        for side, p in hips.items():
            stance = side == self.side or both_down
            out = 1 if side == "right" else -1
            if stance:
                end = (p[0], c[1] + ui.px(58))
                pygame.draw.line(surface, body, p, end, w)
            else:
                knee = (p[0] + out * ui.px(14), p[1] + ui.px(26))
                pygame.draw.line(surface, body, p, knee, w)
                pygame.draw.line(
                    surface, body, knee, (knee[0] + out * ui.px(4), knee[1] + ui.px(20)), w
                )
        # The pelvis itself, in the colour that says level (green) or dropping (orange).
        pygame.draw.line(surface, col, hips["left"], hips["right"], ui.px(14))
        for p in hips.values():
            pygame.draw.circle(surface, col, (int(p[0]), int(p[1])), ui.px(12))
        if drifting:
            # Only the pelvis sensor sees the hips; the board sees the load moving.
            pelvis = r is not None and r.pelvis
            self.say("Keep your hips level" if pelvis else "Keep your weight over your foot", 0.3)
        # Say what the picture is measured by: the pelvis itself, or the load under the foot.
        if r is not None and r.pelvis:
            o = r.obliquity_deg
            low = (
                ""
                if not math.isfinite(o) or abs(o) < 0.5
                else (f": {abs(o):.1f}\N{DEGREE SIGN} lower on the {'left' if o > 0 else 'right'}")
            )
            caption = f"Measured by the pelvis sensor{low}"
        else:
            caption = "Measured from the load under your foot"
        ui.blit_text(surface, caption, 20, (ui.x(360), ui.y(462)), t.text)

    def _draw_prompt(self, surface: pygame.Surface) -> None:
        ui = self.ui
        t = ui.theme
        r = self.rules
        if r is None or self.phase is not GamePhase.PLAY:
            return
        lifted = "right" if self.side == "left" else "left"
        text = ""
        if r.phase is Phase.WAITING:
            text = f"Lift your {lifted} foot"
        elif r.phase is Phase.SETTLING:
            text = "Hold still..."
        elif r.phase is Phase.FOOT_DOWN:
            text = f"Foot down - lift your {lifted} foot again when ready"
        if text:
            box = ui.rect(150, 380, 500, 62)
            panel(surface, ui, box, color=t.bg_top, edge=t.accent, width=ui.px(3))
            icon_foot(lifted)(
                surface,
                ui,
                pygame.Rect(box.left + ui.px(8), box.top + ui.px(4), ui.px(46), box.h - ui.px(8)),
            )
            ui.blit_text(
                surface,
                text,
                28 if len(text) < 30 else 22,
                (box.centerx + ui.px(20), box.centery),
                t.text,
            )

    # -- the end -----------------------------------------------------------------------------
    def result(self) -> tuple[GameResult, int, list[str]]:
        r = self.rules or SpiritLevel(self.side, self.config)
        d = r.details()
        res = GameResult(
            self.game, r.score, level=None, duration_s=round(r.time_on_leg_s, 2), details=d
        )
        lines = [
            f"Stood on your {self.side} leg {r.time_on_leg_s:.0f} s",
            f"{'Pelvis level' if r.pelvis else 'Bubble in the middle'} {r.time_in_band_s:.0f} s",
        ]
        if r.pelvis and math.isfinite(r.mean_drop_deg):
            lifted = "right" if self.side == "left" else "left"
            lines.append(
                f"Your {lifted} hip dropped {r.mean_drop_deg:.1f}\N{DEGREE SIGN} on average"
            )
        elif math.isfinite(r.sway.rms_mm):
            lines.append(f"Sway {r.sway.rms_mm:.1f} mm (band {self.config.band_mm:.0f} mm)")
        if r.touchdowns:
            lines.append(f"Foot down {r.touchdowns} time{'s' if r.touchdowns > 1 else ''}")
        return res, r.stars, lines
