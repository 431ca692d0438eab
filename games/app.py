"""The app: one loop, one screen at a time, and everything the screens share.

Each frame is three calls on the current screen — ``handle_event`` for what happened,
``update(dt)`` to move on, ``draw(surface)`` to show it — after the board feed has taken in the
newest samples. Screens are mode objects (``enter``/``leave`` on a switch), see
:mod:`games.screens.base`.

The app also owns what is the same on every screen: turning keys, buttons, clicks and leans
into the four intents (``left``, ``right``, ``select``, ``back``); the simulated person (arrow
keys and mouse steer it on every screen, so lean-to-move can be tried without hardware; keys
0-3 and S change its stance on every screen; it steps on and off as a screen asks); the
corner badge that says the board is simulated; speech (:mod:`games.speech`); and the two
pauses no game should have to think about — the board lost (cable pulled) and nobody on the
board.

**Choosing is deliberate.** Standing still never chooses: the app has a resting state in which
nothing happens however long a person stands there. A lean moves the highlight; a clear lean
held on both feet (:mod:`games.rules.lean_hold`), the board's middle button, a tap or Enter
chooses. Up/Down (and Tab) move the highlight directly from a keyboard.

Time is injected: real time uses the monotonic clock; headless runs use virtual time, frame
``k`` at ``k / fps`` seconds, with the board's frames pulled to match, so a headless run is
deterministic.
"""

from __future__ import annotations

import dataclasses
import math
import os
import queue
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pygame

from .feed import BoardFeed
from .records import GUEST, PersonRef, Records
from .rules.lean_hold import LeanHold, LeanHoldSettings
from .rules.lean_nav import LeanNavigator, LeanSettings
from .settings import GameSettings, save_settings
from .sound import SoundBank
from .speech import Speaker, silent_speaker
from .ui import EASY, NORMAL, Ui
from .widgets import draw_badge, draw_message_box

FPS = 60
NOBODY_FINISH_S = 15.0
"""In a game, nobody on the board this long (s) ends the round and shows the result."""
SIM_STEP_MM = 90.0
"""Arrow keys move the simulated person's target this fast, mm/s."""
SIM_RANGE_MM = 80.0
"""The mouse across the window steers the simulated person over ±this, mm."""

INTENTS = ("left", "right", "select", "back")


class InputQueue:
    """Thread-safe intents from outside the app (the board's buttons, a remote)."""

    def __init__(self) -> None:
        self._q: queue.SimpleQueue[str] = queue.SimpleQueue()

    def push(self, intent: str) -> None:
        if intent in INTENTS:
            self._q.put(intent)

    def poll(self) -> list[str]:
        out = []
        while True:
            try:
                out.append(self._q.get_nowait())
            except queue.Empty:
                return out


def _poll(inputs: Any) -> list[str]:
    """Intents from an injected ``inputs``: ``.poll()``, a queue, or a callable."""
    if inputs is None:
        return []
    if hasattr(inputs, "poll"):
        got = inputs.poll()
    elif hasattr(inputs, "get_nowait"):
        got = []
        while True:
            try:
                got.append(inputs.get_nowait())
            except queue.Empty:
                break
    elif callable(inputs):
        got = inputs()
    else:
        got = []
    return [g for g in (got or []) if g in INTENTS]


KEY_INTENTS = {
    pygame.K_LEFT: "left",
    pygame.K_RIGHT: "right",
    pygame.K_UP: "left",
    pygame.K_DOWN: "right",
    pygame.K_TAB: "right",
    pygame.K_RETURN: "select",
    pygame.K_KP_ENTER: "select",
    pygame.K_SPACE: "select",
    pygame.K_ESCAPE: "back",
    pygame.K_BACKSPACE: "back",
}


SIM_STANCE_KEYS = {
    pygame.K_0: "off",
    pygame.K_1: "left",
    pygame.K_2: "both",
    pygame.K_3: "right",
    pygame.K_KP0: "off",
    pygame.K_KP1: "left",
    pygame.K_KP2: "both",
    pygame.K_KP3: "right",
}
"""The simulated person's stance keys (on text-entry screens: with Ctrl)."""


def lean_settings(easy: bool) -> LeanSettings:
    """The navigator's thresholds with dwell-to-choose switched off: standing still never
    chooses (see :mod:`games.rules.lean_hold`)."""
    base = LeanSettings.easy() if easy else LeanSettings()
    return dataclasses.replace(base, dwell_s=math.inf)


@dataclass
class FrameStats:
    """Per-frame timings of a run, ms."""

    update_draw_ms: list[float] = field(default_factory=list)
    latency_ms: list[float] = field(default_factory=list)

    @staticmethod
    def _pct(values: list[float], q: float) -> float:
        if not values:
            return math.nan
        v = sorted(values)
        k = min(len(v) - 1, max(0, int(math.ceil(q / 100 * len(v))) - 1))
        return v[k]

    def summary(self) -> dict[str, Any]:
        d = self.update_draw_ms
        out: dict[str, Any] = {
            "frames": len(d),
            "update_draw_ms": {
                "p50": round(self._pct(d, 50), 3) if d else None,
                "p95": round(self._pct(d, 95), 3) if d else None,
                "max": round(max(d), 3) if d else None,
                "mean": round(sum(d) / len(d), 3) if d else None,
            },
        }
        if self.latency_ms:
            lat = self.latency_ms
            out["arrival_to_frame_ms"] = {
                "p50": round(self._pct(lat, 50), 3),
                "p95": round(self._pct(lat, 95), 3),
                "max": round(max(lat), 3),
            }
        return out


class App:
    """The trainer's app.

    Parameters
    ----------
    feed : BoardFeed
        The board.
    settings : GameSettings
    records : Records
        People and scores (a store or guests only).
    surface : pygame.Surface
        Where to draw (the display surface, or an off-screen one for headless runs).
    sounds : SoundBank
    inputs : object, optional
        Intents from outside (board buttons): ``.poll()``, a queue or a callable.
    headless : bool
        Virtual time: frame ``k`` is at ``k / fps`` s.
    data_dir : path, optional
        Where the settings are saved.
    person : PersonRef, optional
        Who is training; starts at the people screen when not given.
    start : str, optional
        Screen (or game name) to open first.
    watchdog : object, optional
        ``.tick(now)`` each frame; ``ready()`` is sent after the first frame.
    clock : callable
        Monotonic clock for real time, s.
    """

    def __init__(
        self,
        feed: BoardFeed,
        *,
        settings: GameSettings,
        records: Records,
        surface: pygame.Surface,
        sounds: SoundBank,
        inputs: Any = None,
        headless: bool = False,
        data_dir: str | os.PathLike[str] | None = None,
        person: PersonRef | None = None,
        start: str | None = None,
        start_options: dict[str, Any] | None = None,
        watchdog: Any = None,
        ready: Callable[[], Any] | None = None,
        fps: int = FPS,
        clock: Callable[[], float] = time.monotonic,
        speech: Speaker | None = None,
    ) -> None:
        self.feed = feed
        self.settings = settings
        self.records = records
        self.surface = surface
        self.sounds = sounds
        self.inputs = inputs
        self.headless = headless
        self.data_dir = data_dir
        self.person = person or GUEST
        self.fps = fps
        self.clock = clock
        self.watchdog = watchdog
        self._ready = ready
        self.ui = Ui(surface.get_size(), EASY if settings.easy_mode else NORMAL)
        self.nav = LeanNavigator(lean_settings(settings.easy_mode))
        self.nav.enabled = settings.hands_free
        self.hold = LeanHold(LeanHoldSettings.easy() if settings.easy_mode else None)
        self.speech: Speaker = speech if speech is not None else silent_speaker()
        self.speech.volume = settings.volume
        self.speech.enabled = settings.speech
        self.frame = 0
        self.now = 0.0
        self.running = True
        self.stats = FrameStats()
        self.screen: Any = None
        self.visited: list[str] = []
        """Names of the screens shown, oldest first (the last 50)."""
        self.notes: list[str] = []
        if sounds.note and sounds.note != "sound off":
            self.notes.append(sounds.note)
        self.sim_target_mm = 0.0
        self._sim_stance: str | None = None
        self._sim_wish: str | None = None
        self._mouse_steer = False
        self._nobody_since: float | None = None
        self._t_start = clock()
        self.autopilot = headless
        """Headless runs steer the simulated person by the screen's autopilot hint."""
        self.start = start
        self.start_options = start_options or {}
        self.on_cue: Callable[[str], Any] | None = None
        """Also told every cue sound's name (the board's buzzer echoes the test beeps)."""
        self.on_status: Callable[[str], Any] | None = None
        """Told ``ready``, ``busy`` or ``error`` when that changes (the board's LED)."""
        self._status = ""

    # -- shared state the screens use ----------------------------------------------------------
    @property
    def easy(self) -> bool:
        return self.settings.easy_mode

    def set_easy(self, on: bool) -> None:
        self.settings.easy_mode = bool(on)
        self.ui.set_theme(EASY if on else NORMAL)
        self.nav.settings = lean_settings(on)
        self.hold.settings = LeanHoldSettings.easy() if on else LeanHoldSettings()
        self.save_settings()

    def set_hands_free(self, on: bool) -> None:
        self.settings.hands_free = bool(on)
        self.nav.enabled = bool(on)
        self.save_settings()

    def save_settings(self) -> None:
        if not save_settings(self.settings, self.data_dir) and self.data_dir is not None:
            self.notes.append("settings could not be saved (is the disk full or read-only?)")

    def set_speech(self, on: bool) -> None:
        self.settings.speech = bool(on)
        self.speech.enabled = bool(on)
        if not on:
            self.speech.stop()
        self.save_settings()

    def say(self, text: str) -> None:
        """Speak ``text`` (handed to the speech engine's own thread; returns at once)."""
        if text:
            self.speech.volume = self.settings.volume
            self.speech.say(text)

    @property
    def both_feet(self) -> bool:
        """Both feet carry a real share of the load (a lean, not a change of stance)."""
        m = self.hold.settings.min_share
        a, b = self.feed.lifted_share("left"), self.feed.lifted_share("right")
        return math.isfinite(a) and math.isfinite(b) and min(a, b) >= m

    @property
    def choose_progress(self) -> float:
        """How far a lean-and-hold has got toward choosing (0..1), for the ring on a tile."""
        return self.hold.progress if self.nav.enabled else 0.0

    def play(self, sound: str) -> None:
        self.sounds.play(sound)
        if self.on_cue is not None:
            try:
                self.on_cue(sound)
            except Exception:  # noqa: BLE001 - a buzzer fault must not stop a game
                self.on_cue = None

    # -- screens -----------------------------------------------------------------------------
    def show(self, name: str, **options: Any) -> None:
        """Switch to the screen called ``name`` (see :data:`games.screens.SCREENS`)."""
        from .screens import make_screen

        self.switch(make_screen(self, name, **options))

    def switch(self, screen: Any) -> None:
        if self.screen is not None:
            self.screen.leave()
        self.screen = screen
        self.visited = [*self.visited[-49:], getattr(screen, "name", "")]
        self.nav.reset(self.now, getattr(screen, "dwell_grace_s", None))
        self.hold.reset(self.now)
        self._sim_wish = None  # the new screen's stance applies once; keys then hold
        self._nobody_since = None
        screen.enter()

    # -- the loop ----------------------------------------------------------------------------
    def begin(self) -> None:
        """Open the first screen."""
        if self.screen is None:
            if self.start:
                self.show(self.start, **self.start_options)
            else:
                self.show("people")

    def step(self, dt: float, events: Iterable[pygame.event.Event] = ()) -> float:
        """One frame: inputs, board, update, draw. Returns the update+draw time, ms.

        In virtual time the time the source spends making its frames (the simulator's person
        model) is left out: in real time that work is done by the sampler thread.
        """
        t0 = time.perf_counter()
        src0 = self.feed.source_s
        self.now += dt
        for ev in events:
            self._event(ev)
        for intent in _poll(self.inputs):
            self.screen.intent(intent)
        if not self.running:
            return 0.0
        update = self.feed.pump(self.now if self.headless else self.clock() - self._t_start)
        self.screen.feed(update)
        self._steer_sim(dt)
        screen = self.screen
        held = self._held()
        if screen.hands_free and not held:
            for intent in self.nav.update(self.now, self.feed.ml_mm):
                if intent != "select":  # never from standing still (dwell is off anyway)
                    screen.intent(intent)
            side = (
                self.hold.update(self.now, self.nav.lean, self.both_feet) if self.nav.enabled else 0
            )
            if side and screen is self.screen:
                self.hold.reset(self.now)
                lean_choose = getattr(screen, "lean_choose", None)
                if lean_choose is not None:
                    lean_choose(side)
                else:
                    screen.intent("select")
        else:
            self.nav.update(self.now, math.nan)
            self.hold.update(self.now, math.nan, False)
        if not held:
            screen.update(dt)
        self._check_nobody(dt)
        self._report_status()
        self.draw()
        return (time.perf_counter() - t0 - (self.feed.source_s - src0)) * 1000.0

    def _report_status(self) -> None:
        if self.on_status is None:
            return
        status = (
            "error"
            if self.feed.status in ("lost", "stalled")
            else "busy"
            if getattr(self.screen, "needs_board", False)
            else "ready"
        )
        if status != self._status:
            self._status = status
            try:
                self.on_status(status)
            except Exception:  # noqa: BLE001 - an LED fault must not stop a game
                self.on_status = None

    def _held(self) -> str:
        """Why the current screen is paused: 'lost', 'nobody' or ''."""
        screen = self.screen
        person = bool(getattr(screen, "needs_person", False))
        board = person or bool(getattr(screen, "needs_board", False))
        if board and self.feed.status in ("lost", "stalled"):
            return "lost"
        if person and self.feed.status == "ok" and not self.feed.on_board:
            return "nobody"
        return ""

    def _check_nobody(self, dt: float) -> None:
        if self._held() == "nobody":
            if self._nobody_since is None:
                self._nobody_since = self.now
            elif self.now - self._nobody_since >= NOBODY_FINISH_S:
                self._nobody_since = None
                self.screen.abandon()
        else:
            self._nobody_since = None

    def draw(self) -> None:
        s = self.surface
        self.screen.draw(s)
        held = self._held()
        ui = self.ui
        if held == "lost":
            draw_message_box(
                s,
                ui,
                "Board not connected",
                [
                    "Check the board's cable and power.",
                    "Everything carries on by itself when the board is back.",
                ],
                color=ui.theme.warn,
            )
        elif self.feed.status in ("lost", "stalled"):
            # Menus stay usable with the buttons; a banner says why leaning does nothing.
            draw_badge(
                s,
                ui,
                "Board not connected - check the cable",
                ui.theme.warn,
                topright=False,
                y=ui.h / ui.u - 40 if ui.u else 440,
            )
        elif held == "nobody":
            left = NOBODY_FINISH_S - (self.now - (self._nobody_since or self.now))
            draw_message_box(
                s,
                ui,
                "Step onto the board",
                [
                    "The game is paused until you are back on the board.",
                    f"Stay off to finish the round ({max(0, math.ceil(left))} s).",
                ],
                color=ui.theme.accent,
            )
        self.badge_rect = None
        if self.feed.simulated:
            self.badge_rect = draw_badge(s, ui, "SIMULATED", ui.theme.sim_badge, small=True)

    # -- input -------------------------------------------------------------------------------
    def _event(self, ev: pygame.event.Event) -> None:
        if ev.type == pygame.QUIT:
            self.running = False
            return
        if ev.type == pygame.KEYDOWN and ev.key == pygame.K_q and ev.mod & pygame.KMOD_CTRL:
            self.running = False
            return
        if ev.type in (pygame.VIDEORESIZE, pygame.WINDOWSIZECHANGED):
            disp = pygame.display.get_surface()
            if disp is not None:
                self.surface = disp
                self.ui.resize(disp.get_size())
            return
        steering = self._steering()
        if ev.type == pygame.KEYDOWN:
            if steering and ev.key in (pygame.K_LEFT, pygame.K_RIGHT):
                self._mouse_steer = False
                return  # held arrow keys steer the simulated person (see _steer_sim)
            typing = bool(getattr(self.screen, "takes_text", False)) and (
                getattr(self.screen, "confirming", None) is None  # the confirm step takes keys
            )
            if self.feed.sim is not None and (not typing or ev.mod & pygame.KMOD_CTRL):
                if self._sim_key(ev.key):
                    return
            if typing and self._typed(ev):
                return
            intent = KEY_INTENTS.get(ev.key)
            if intent == "right" and ev.key == pygame.K_TAB and ev.mod & pygame.KMOD_SHIFT:
                intent = "left"
            if intent:
                self.screen.intent(intent)
                return
        if ev.type == pygame.MOUSEMOTION and steering and ev.buttons[0] == 0:
            self._mouse_steer = True
            x = ev.pos[0] / max(1, self.ui.w)
            self.sim_target_mm = (2 * x - 1) * SIM_RANGE_MM
        self.screen.handle_event(ev)

    def _steering(self) -> bool:
        """Arrow keys and the mouse steer the simulated person here (every screen but those
        that take typing; a real board's person steers themselves)."""
        if self.feed.sim is None or self.autopilot:
            return False
        if getattr(self.screen, "takes_text", False):
            return False
        return bool(getattr(self.screen, "steer_sim", False) or self.screen.hands_free)

    def _typed(self, ev: pygame.event.Event) -> bool:
        """A text-entry screen takes a printable key (a PIN digit, a letter of a name)."""
        if ev.key in (pygame.K_RETURN, pygame.K_KP_ENTER):
            return bool(self.screen.type_char("\n"))  # Enter ends the typing (OK)
        ch = getattr(ev, "unicode", "") or ""
        if not ch and pygame.K_0 <= ev.key <= pygame.K_9:
            ch = chr(ev.key)
        if not ch and pygame.K_KP0 <= ev.key <= pygame.K_KP9:
            ch = str(ev.key - pygame.K_KP0)
        if ch and ch.isprintable() and not ev.mod & pygame.KMOD_CTRL:
            return bool(self.screen.type_char(ch))
        return False

    def _sim_key(self, key: int) -> bool:
        """Keys that change what the simulated person does, on every screen: 0 off, 1 left
        leg, 2 both feet, 3 right leg; S squats (where the simulator can)."""
        sim = self.feed.sim
        stance = SIM_STANCE_KEYS.get(key)
        if stance:
            sim.set_stance(stance)
            self._sim_stance = stance
            return True
        if key == pygame.K_s and hasattr(sim, "squat"):
            sim.squat()
            return True
        return False

    def _steer_sim(self, dt: float) -> None:
        sim = self.feed.sim
        if sim is None:
            return
        screen = self.screen
        want = getattr(screen, "sim_stance", None)
        # A screen's wish is applied when it changes (a new screen, a test's prompt), so the
        # stance keys hold between wishes instead of being undone every frame.
        if want and want != self._sim_wish:
            self._sim_wish = want
            if want != self._sim_stance:
                try:
                    sim.set_stance(want)
                except (ValueError, AttributeError):
                    pass
                self._sim_stance = want
        if self.autopilot:
            target = screen.autopilot(self.now)
            if target is not None:
                self.sim_target_mm = float(target)
        elif self._steering():
            keys = pygame.key.get_pressed() if pygame.display.get_init() else None
            if keys is not None and (keys[pygame.K_LEFT] or keys[pygame.K_RIGHT]):
                d = (1 if keys[pygame.K_RIGHT] else 0) - (1 if keys[pygame.K_LEFT] else 0)
                self.sim_target_mm += d * SIM_STEP_MM * dt
                self.sim_target_mm = max(-SIM_RANGE_MM, min(SIM_RANGE_MM, self.sim_target_mm))
            elif not self._mouse_steer:
                # Let go of the keys: the simulated person drifts back to the middle.
                self.sim_target_mm *= math.exp(-dt / 1.5)
        else:
            self.sim_target_mm = 0.0
        sim.set_target(self._sim_base_mm() + self.sim_target_mm)

    def _sim_base_mm(self) -> float:
        """Where the simulated person stands at ease in its stance, mm: steering is relative
        to it (on one leg, the middle of that foot's plate)."""
        stance = self._sim_stance
        board = self.feed.board
        if stance in ("left", "right"):
            if board.side_has_ml_spacing(stance):
                return board.side_centre_ml_mm(stance)
            return -100.0 if stance == "left" else 100.0
        return 0.0

    # -- running -----------------------------------------------------------------------------
    def run_headless(self, frames: int) -> dict[str, Any]:
        """Run ``frames`` frames in virtual time; returns the frame-time summary."""
        self.begin()
        dt = 1.0 / self.fps
        for _ in range(frames):
            ms = self.step(dt, pygame.event.get() if pygame.display.get_init() else ())
            self._after_frame(ms)
            if not self.running:
                break
        return self.summary()

    def run(self, max_frames: int | None = None) -> dict[str, Any]:
        """Run in real time until quit (or ``max_frames``); returns the frame-time summary."""
        self.begin()
        tick = pygame.time.Clock()
        prev = self.clock()
        while self.running and (max_frames is None or self.frame < max_frames):
            now = self.clock()
            dt = min(0.1, max(0.0, now - prev))
            prev = now
            ms = self.step(dt, pygame.event.get())
            if pygame.display.get_surface() is not None:
                pygame.display.flip()
            arrival = self.feed.arrival_s
            if math.isfinite(arrival):
                self.stats.latency_ms.append((self.feed.clock() - arrival) * 1000.0)
                if len(self.stats.latency_ms) > 100_000:
                    del self.stats.latency_ms[:50_000]
            self._after_frame(ms)
            tick.tick(self.fps)
        return self.summary()

    def _after_frame(self, ms: float) -> None:
        self.stats.update_draw_ms.append(ms)
        if len(self.stats.update_draw_ms) > 100_000:
            del self.stats.update_draw_ms[:50_000]
        if self.frame == 0 and self._ready is not None:
            self._ready()
        if self.watchdog is not None:
            self.watchdog.tick(self.clock())
        self.frame += 1

    def summary(self) -> dict[str, Any]:
        out = self.stats.summary()
        out["screen"] = getattr(self.screen, "name", "")
        out["simulated"] = self.feed.simulated
        out["board_status"] = self.feed.status
        out["virtual_time_s"] = round(self.now, 3) if self.headless else None
        out["smoother_delay_ms"] = round(self.feed.delay_s * 1000, 1)
        result = getattr(self.screen, "result_summary", None)
        if result:
            out["result"] = result
        said = getattr(self.speech, "said", None)
        if said:
            out["spoken"] = list(said[-20:])
        if self.notes:
            out["notes"] = list(dict.fromkeys(self.notes))
        return out

    def screenshot(self, path: str | os.PathLike[str]) -> Path:
        p = Path(path)
        if p.parent and not p.parent.exists():
            p.parent.mkdir(parents=True, exist_ok=True)
        pygame.image.save(self.surface, os.fspath(p))
        return p

    def close(self) -> None:
        if self.screen is not None:
            self.screen.leave()
            self.screen = None
        self.feed.close()
        self.records.close()
        self.speech.close()


def log(msg: str) -> None:
    """A one-line note on stderr (no names, no health data)."""
    print(f"balance-trainer play: {msg}", file=sys.stderr)
