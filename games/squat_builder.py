"""Squat builder: the screen for :mod:`games.rules.squat_builder`.

Repetitions are found by the core's event detector (:class:`balance_trainer.events.EventDetector`,
from the dip and rise of the vertical force); the rules judge each by the ML COP under the
stance foot. The left of the screen is the tower (a block per controlled squat, a rocket on
top that launches when the tower is complete); the right is the control gauge: the dot is the
stance foot's ML COP, the green band is where it should stay during the squat.
"""

from __future__ import annotations

import math
import random
from typing import Any

import pygame

from .feed import FeedUpdate
from .records import GameResult
from .rules.adaptive import band_from_sway, recent_sway_mm
from .rules.squat_builder import Phase, SquatBuilder, SquatConfig
from .screens.game import GamePhase, GameScreen
from .ui import lerp_color, panel, star
from .widgets import draw_rocket

BLOCK_COLOURS = [
    (255, 90, 95),
    (255, 159, 28),
    (255, 210, 63),
    (61, 220, 132),
    (64, 156, 255),
    (150, 110, 230),
    (240, 110, 180),
    (30, 190, 200),
]
SQUAT_EVERY_S = 4.5
"""Headless demo: the simulated person squats this often."""


ROCKET_H = 80.0
"""The rocket's height, design units."""


class SquatScreen(GameScreen):
    """Slow, steady squats build the tower."""

    name = "squat-builder"
    game = "squat-builder"

    @property
    def banner_y(self) -> float:  # type: ignore[override]
        """The praise banner's centre, design units: just under the heads-up line, so it
        never covers the score or the block count (whose size grows in easy mode)."""
        ui = self.ui
        centre = self._hud_bottom() + ui.line_h(44) // 2
        return (centre - ui.oy) / max(ui.u, 1e-9)

    def _hud_bottom(self) -> int:
        """Bottom of the heads-up line (score, blocks), pixels."""
        return self.hud_top() + self.ui.line_h(34)

    def _banner_bottom(self) -> int:
        """Bottom of the space kept for the praise banner, pixels."""
        return self._hud_bottom() + self.ui.line_h(44)

    def __init__(self, app: Any, side: str = "left") -> None:
        if app.easy:
            side = "both"
        super().__init__(app, side if side in ("left", "right", "both") else "left")
        c = SquatConfig.easy() if app.easy else SquatConfig()
        sway = recent_sway_mm(app.records.recent_sway(app.person, self.game))
        c.band_mm = band_from_sway(sway, c.band_mm, factor=2.5, lo_mm=8.0, hi_mm=30.0)
        self.config = c
        self.rules: SquatBuilder | None = None
        self.launch_t: float | None = None
        self.last_rep = ""
        self._next_squat = 0.0
        self._frame_t = math.nan

    @property
    def sim_stance(self) -> str:  # type: ignore[override]
        if (
            self.phase is GamePhase.PLAY
            and self.side in ("left", "right")
            and not (self.rules and self.rules.done)
        ):
            return self.side
        return "both"

    def ready_text(self) -> str:
        if self.side == "both":
            return "Stand on both feet, hands near the rail"
        lifted = "right" if self.side == "left" else "left"
        return f"When it says GO, lift your {lifted} foot"

    def start_rules(self) -> None:
        self.rules = SquatBuilder(self.side, self.config)

    def feed(self, update: FeedUpdate) -> None:
        if len(update) == 0:
            return
        self._frame_t = float(update.block.t_s[-1])
        # Repetitions come from the feed's one event detector, timed in the frames' clock.
        for ev in update.events:
            if ev.kind == "squat" and self.rules is not None and self.phase is GamePhase.PLAY:
                d = ev.data
                self._rep(
                    d.get("start_s", ev.t_s), d.get("bottom_s", ev.t_s), d.get("end_s", ev.known_s)
                )

    def _rep(self, start: float, bottom: float, end: float) -> None:
        r = self.rules
        assert r is not None
        for out in r.rep(start, bottom, end):
            if out == "block":
                self.app.play("block")
                self.last_rep = "good"
                self.say("Great squat!", 1.5)
            elif out == "wobbly":
                self.app.play("soft_miss")
                self.last_rep = "wobbly"
                self.say("Keep the dot green", 2.0)  # fits the banner at every size
            elif out == "hips":
                self.app.play("soft_miss")
                self.last_rep = "wobbly"
                self.say("Keep your hips level", 2.0)
            elif out == "quick":
                self.app.play("soft_miss")
                self.last_rep = "quick"
                self.say("A bit slower, please", 2.0)
            elif out == "launch":
                self.app.play("launch")
                self.launch_t = self.t
            elif out == "done":
                if self.launch_t is None:
                    self.finish()

    def play_update(self, dt: float) -> None:
        r = self.rules
        assert r is not None
        feed = self.app.feed
        t = self._frame_t if math.isfinite(self._frame_t) else self.t
        if getattr(feed, "has_pelvis", False) and self.side in ("left", "right"):
            r.pelvis(t, feed.pelvic_drop_deg(self.side))
        for ev in r.update(t, feed.stance_ml_mm(self.side), feed.stance):
            if ev == "lift_off":
                self.app.play("select")
        # The rocket flies for a while before the round ends.
        if self.launch_t is not None and self.t - self.launch_t > 3.0:
            self.finish()
        # Headless demo with a simulator that can squat: squat now and then.
        sim = feed.sim
        if (
            self.app.autopilot
            and sim is not None
            and hasattr(sim, "squat")
            and r.phase is Phase.PLAYING
            and self.t >= self._next_squat
        ):
            self._next_squat = self.t + SQUAT_EVERY_S
            sim.squat()

    def hud(self) -> tuple[str, str]:
        r = self.rules
        if r is None:
            return "", ""
        return f"{r.score} points", f"{r.built} / {self.config.target_blocks} blocks"

    # -- picture -----------------------------------------------------------------------------
    def draw_static(self, sky: pygame.Surface) -> None:
        """Night sky, moon, stars and grass."""
        ui = self.ui
        t = ui.theme
        sky.blit(ui.background(), (0, 0))
        rng = random.Random(5)
        for _ in range(40):
            x, y = rng.randrange(ui.w), rng.randrange(int(ui.h * 0.8))
            pygame.draw.circle(
                sky,
                lerp_color(t.bg_top, (255, 255, 255), rng.uniform(0.3, 0.8)),
                (x, y),
                max(1, ui.px(rng.choice((1, 1, 2)))),
            )
        moon = (ui.x(470), ui.y(58))  # left of the HUD's block count, which sits under the badges
        pygame.draw.circle(sky, (250, 240, 200), moon, ui.px(28))
        pygame.draw.circle(sky, t.bg_top, (moon[0] + ui.px(12), moon[1] - ui.px(8)), ui.px(24))
        ground = pygame.Rect(0, ui.y(420), ui.w, ui.h - ui.y(420))
        pygame.draw.rect(sky, (60, 130, 70) if t.name == "normal" else (0, 80, 0), ground)
        pad = pygame.Rect(0, 0, ui.px(170), ui.px(12))
        pad.midtop = (ui.x(210), ui.y(420))
        pygame.draw.rect(sky, (120, 120, 130), pad, border_radius=ui.px(4))

    def draw_world(self, surface: pygame.Surface) -> None:
        surface.blit(self.static_layer(), (0, 0))
        self._draw_tower(surface)
        # The right-hand column is laid out top down, each piece as tall as its text at this
        # size and type scale: the gauge, the prompt under it, then what the squats are
        # judged by (easy mode leaves that out: fewer words, and its rail reminder is below).
        y = self._draw_gauge(surface)
        y = self._draw_prompt(surface, y + self.ui.px(12))
        if not self.app.easy:
            self._draw_caption(surface, y + self.ui.px(8))

    def _draw_caption(self, surface: pygame.Surface, top: int) -> None:
        """Say what the squats are judged by: the load under the foot, and the pelvis itself
        when a pelvis sensor is fitted."""
        r = self.rules
        caption = (
            "Judged by the load under your foot and the pelvis sensor"
            if r is not None and r.with_pelvis
            else "Judged by the load under your foot"
        )
        ui = self.ui
        col = ui.rect(400, 0, 370, 0)
        size, lines = ui.fit(caption, 20, col.w, 3)
        box = pygame.Rect(col.left, top, col.w, ui.h - top)
        for i, line in enumerate(lines):
            pos = (col.centerx, top + i * ui.line_h(size))
            ui.blit_text(surface, line, size, pos, ui.theme.text, "midtop", box=box)

    def _draw_tower(self, s: pygame.Surface) -> None:
        ui = self.ui
        r = self.rules
        built = r.built if r else 0
        target = self.config.target_blocks
        # The waiting rocket must stay below the score and the banner line under it (a long
        # banner, "Keep your hips level", reaches over the tower): the blocks shrink to leave
        # it room.
        room = ui.y(420) - ui.px(ROCKET_H) - ui.px(6) - self._banner_bottom()
        bh = min(ui.px(34), int(min(ui.px(300), room) / max(target, 1)))
        bw = ui.px(120)
        cx = ui.x(210)
        y = ui.y(420)
        # Ghost outlines of the blocks still to build: the goal is visible from the start.
        for i in range(target):
            rect = pygame.Rect(0, 0, bw, bh - ui.px(3))
            rect.midbottom = (cx, y - i * bh)
            if i < built:
                col = BLOCK_COLOURS[i % len(BLOCK_COLOURS)]
                pygame.draw.rect(s, col, rect, border_radius=ui.px(6))
                pygame.draw.rect(
                    s, lerp_color(col, (0, 0, 0), 0.35), rect, ui.px(3), border_radius=ui.px(6)
                )
            else:
                pygame.draw.rect(
                    s, ui.theme.panel_edge, rect, max(1, ui.px(2)), border_radius=ui.px(6)
                )
        # The rocket waits on top of the finished tower's height: each block brings the top
        # of the tower closer to it, and the last one launches it.
        top = y - target * bh
        flying = self.launch_t is not None
        lift = 0
        if flying:
            age = self.t - self.launch_t
            lift = int(ui.px(60) * age * age)
            for k in range(5):
                sy = top - ui.px(40) - int(k * ui.px(30) + age * ui.px(40)) % ui.px(300)
                star(
                    s, ui.theme.accent, (cx + int(math.sin(age * 3 + k) * ui.px(90)), sy), ui.px(10)
                )
        centre = (cx, top - ui.px(ROCKET_H / 2) - lift)
        draw_rocket(s, centre, ui.px(ROCKET_H), flame=1.0 if flying else 0.0)
        if not flying:  # for the layout check: no text may run onto the waiting rocket
            rocket = pygame.Rect(0, 0, 2 * (ui.px(ROCKET_H) // 3), ui.px(ROCKET_H))
            rocket.center = centre
            ui.note("block", rocket)

    def _draw_gauge(self, s: pygame.Surface) -> int:
        """The ML control gauge: the band, the dot, and the last squat's verdict; returns the
        gauge's bottom, pixels."""
        ui = self.ui
        t = ui.theme
        col = ui.rect(400, 120, 370, 0)
        col.top = max(col.top, self._banner_bottom() + ui.px(4))
        title = "Dot in the green" if self.app.easy else "Keep the dot in the green"
        tsize, tlines = ui.fit(title, 24, col.w - ui.px(16), 2)
        vsize = 24
        pad = ui.px(8)
        title_h = ui.line_h(tsize) * len(tlines)
        height = pad + title_h + pad + ui.px(50) + pad + ui.line_h(vsize) + pad
        box = pygame.Rect(col.left, col.top, col.w, height)
        panel(s, ui, box)
        y = box.top + pad
        for line in tlines:
            ui.blit_text(s, line, tsize, (box.centerx, y), t.text, "midtop", box=box)
            y += ui.line_h(tsize)
        bar = pygame.Rect(box.left + ui.px(24), y + pad, box.w - ui.px(48), ui.px(50))
        full_mm = self.config.band_mm * 2.5
        pygame.draw.rect(s, lerp_color(t.bad, t.bg_top, 0.45), bar, border_radius=ui.px(10))
        band_w = int(bar.w * self.config.band_mm / full_mm)
        band = pygame.Rect(0, bar.top, band_w, bar.h)
        band.centerx = bar.centerx
        pygame.draw.rect(s, lerp_color(t.good, t.bg_top, 0.25), band)
        pygame.draw.rect(s, t.panel_edge, bar, max(1, ui.px(2)), border_radius=ui.px(10))
        r = self.rules
        off = r.offset_mm if r is not None and r.phase is Phase.PLAYING else 0.0
        x = bar.centerx + int(max(-1.0, min(1.0, off / full_mm)) * (bar.w // 2))
        inside = abs(off) <= self.config.band_mm
        pygame.draw.circle(s, (255, 255, 255), (x, bar.centery), ui.px(17))
        pygame.draw.circle(s, t.good if inside else t.bad, (x, bar.centery), ui.px(13))
        last = "" if self.app.easy else "Last squat: "  # easy mode: bigger letters, fewer words
        verdict = {
            "good": (f"{last}steady!".capitalize(), t.good),
            "wobbly": (f"{last}wobbly".capitalize(), t.warn),
            "quick": (f"{last}too quick".capitalize(), t.warn),
        }.get(self.last_rep)
        if verdict:
            vy = bar.bottom + pad
            ui.blit_text(s, verdict[0], vsize, (box.centerx, vy), verdict[1], "midtop", box=box)
        return box.bottom

    def _draw_prompt(self, s: pygame.Surface, top: int) -> int:
        """What to do now, in a box as tall as its text; returns the bottom, pixels."""
        ui = self.ui
        t = ui.theme
        r = self.rules
        if r is None or self.phase is not GamePhase.PLAY:
            return top
        easy = self.app.easy
        if r.phase is Phase.WAITING:
            lifted = "right" if self.side == "left" else "left"
            text = f"Lift your {lifted} foot" + ("" if easy else " to start")
        elif self.launch_t is not None:
            text = "Lift-off!" if easy else "Lift-off! The rocket is flying!"
        else:
            text = "Squat slowly" if easy else "Squat down slowly - knee over your toes"
        col = ui.rect(400, 0, 370, 0)
        size, lines = ui.fit(text, 28, col.w - ui.px(16), 2)
        lh = ui.line_h(size)
        box = pygame.Rect(col.left, top, col.w, lh * len(lines) + ui.px(16))
        panel(s, ui, box, color=t.bg_top, edge=t.accent, width=ui.px(3))
        y = box.top + ui.px(8)
        for line in lines:
            ui.blit_text(s, line, size, (box.centerx, y), t.text, "midtop", box=box)
            y += lh
        return box.bottom

    # -- the end -----------------------------------------------------------------------------
    def result(self) -> tuple[GameResult, int, list[str]]:
        r = self.rules or SquatBuilder(self.side, self.config)
        d = r.details()
        res = GameResult(self.game, r.score, level=None, duration_s=round(self.t, 2), details=d)
        leg = "both feet" if self.side == "both" else f"your {self.side} leg"
        lines = [
            f"Squats on {leg}: {r.reps}",
            f"Steady squats: {r.built} of {self.config.target_blocks}",
        ]
        if d.get("mean_rep_offset_mm") is not None:
            # What the board feels: the load moving sideways under the foot (not the knee).
            lines.append(
                f"Sideways sway under your foot: {d['mean_rep_offset_mm']:.0f} mm "
                f"(aim: within {self.config.band_mm:.0f} mm)"
            )
        if d.get("mean_peak_pelvic_drop_deg") is not None:
            lifted = "right" if self.side == "left" else "left"
            deg = "\N{DEGREE SIGN}"
            peak = d["mean_peak_pelvic_drop_deg"]
            band = self.config.pelvis_band_deg
            lines.append(
                f"Your {lifted} hip dropped up to {peak:.0f}{deg} per squat "
                f"(pelvis sensor; aim: within {band:.0f}{deg})"
            )
        if r.launched:
            lines.append("The rocket launched!")
        return res, r.stars, lines
