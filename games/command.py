"""``balance-trainer play [GAME]``: the trainer app (the product's main job).

Registered through the ``balance_trainer.commands`` entry point, so the core never imports
pygame. This module imports pygame only when the command runs: every other command stays quick.

This is the one place of ``games/`` that may reach the board's buttons: it asks
``hardware.controls`` for them (when that exists and the board is real) and hands the app a
plain queue of intents; the app itself never touches a pin.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from typing import Any

from balance_trainer.errors import DisplayError, EnvironmentFault, SensorError, UsageError

from .catalog import GAMES, resolve

DEFAULT_FRAMES = 600
NO_DISPLAY_HELP = (
    "on a Raspberry Pi run it from the console (it uses KMSDRM, no desktop needed; the user "
    "must be in the video and render groups), on a desktop run it inside the graphical "
    "session, over ssh use 'ssh -X' or set DISPLAY; or try it without a screen with --headless"
)


def register(sub: argparse._SubParsersAction, common: Any) -> None:
    """Add the ``play`` command."""
    names = ", ".join(GAMES)
    p = sub.add_parser(
        "play",
        parents=[common.board, common.data],
        help="the balance trainer app: biofeedback games and clinical tests on screen",
        description=(
            "Step on the board and play. Without GAME the app starts at 'who is training'; "
            f"with GAME ({names}) it goes straight into that game. On the simulated board "
            "(the default when no hardware is configured) the arrow keys or the mouse steer "
            "the simulated person; keys 0-3 make it step off, stand on the left leg, both "
            "feet, or the right leg, and S makes it squat. --headless runs without a "
            "display in virtual time and prints frame-time statistics."
        ),
    )
    p.add_argument("game", nargs="?", metavar="GAME", help=f"start this game: {names}")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument(
        "--fullscreen",
        action="store_true",
        help="fill the screen (the default on a console without a desktop)",
    )
    mode.add_argument(
        "--windowed", action="store_true", help="run in a window (the default in a desktop session)"
    )
    p.add_argument(
        "--reset-settings",
        action="store_true",
        help="recovery: replace a damaged (locked) settings file with the defaults, PIN 1234",
    )
    p.add_argument(
        "--headless",
        action="store_true",
        help="no display or sound device: dummy drivers, virtual time",
    )
    p.add_argument(
        "--frames",
        type=int,
        default=None,
        metavar="N",
        help=f"headless: run N frames at 60/s (default {DEFAULT_FRAMES})",
    )
    p.add_argument(
        "--screenshot",
        metavar="FILE.png",
        default=None,
        help="save the last frame as a PNG (headless, or on quitting)",
    )
    p.add_argument(
        "--json", action="store_true", help="headless: print the frame-time statistics as JSON"
    )
    p.add_argument(
        "--easy",
        action="store_true",
        help="easy mode for this run: slow, large, high contrast, no clock",
    )
    p.add_argument(
        "--person",
        metavar="ID",
        default=None,
        help="who is training (a person id from 'balance-trainer people')",
    )
    p.add_argument(
        "--side",
        choices=("left", "right"),
        default="left",
        help="the leg to stand on when GAME is a one-leg game (default left)",
    )
    p.add_argument(
        "--size",
        metavar="WxH",
        default=None,
        help="window or headless size in pixels (default 800x480)",
    )
    p.add_argument("--no-sound", action="store_true", help="do not open the sound device")
    # The app is interactive: the simulated person takes orders unless a script is asked for.
    # Not set_defaults(scenario=...): that would change the --scenario action every command
    # shares, and a plain `test` would then wait for orders that never come (run() resolves).
    p.set_defaults(func=run)


def parse_size(text: str | None) -> tuple[int, int] | None:
    """``"800x480"`` → (800, 480); None for None; UsageError for anything else."""
    if text is None:
        return None
    w, sep, h = text.lower().partition("x")
    if (
        not sep
        or not w.isdigit()
        or not h.isdigit()
        or not (200 <= int(w) <= 7680 and 200 <= int(h) <= 4320)
    ):
        raise UsageError(f"--size {text!r}: give width x height in pixels, e.g. 800x480")
    return int(w), int(h)


def _want_fullscreen(args: argparse.Namespace) -> bool:
    if args.fullscreen:
        return True
    if args.windowed:
        return False
    # No desktop session (the Pi's console, a kiosk unit): fill the screen.
    return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def run(args: argparse.Namespace) -> int:
    info = None
    if args.game is not None:
        info = resolve(args.game)
        if info is None:
            raise UsageError(f"no game called {args.game!r}; the games are: {', '.join(GAMES)}")
    if args.frames is not None and args.frames <= 0:
        raise UsageError(f"--frames {args.frames}: give a number of frames > 0")
    if args.frames is not None and not args.headless:
        raise UsageError("--frames goes with --headless (a real window runs until you quit)")
    size = parse_size(args.size)
    if args.headless:
        # Set before pygame starts SDL: no window, no sound card, nothing to ask the system.
        os.environ["SDL_VIDEODRIVER"] = "dummy"
        os.environ["SDL_AUDIODRIVER"] = "dummy"
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

    import pygame

    from balance_trainer.commands._board import scenario_for, simulator_options
    from balance_trainer.config import data_dir as resolve_data_dir
    from balance_trainer.wiring import open_board

    from .app import App, InputQueue, log
    from .feed import BoardFeed, offline_connection
    from .records import GUEST, PersonRef, Records
    from .settings import load_settings
    from .sound import SoundBank

    folder = resolve_data_dir(args.data_dir)
    if getattr(args, "reset_settings", False):
        from .settings import DEFAULT_PIN, reset_settings

        try:
            path = reset_settings(folder)
        except OSError as exc:
            raise EnvironmentFault(f"{folder}: cannot reset the settings ({exc})") from exc
        print(f"settings reset to the defaults in {path}; the PIN is {DEFAULT_PIN}: change it now")
        return 0
    store = _open_store(args, log)
    person = GUEST
    if args.person:
        if store is None:
            raise UsageError(
                f"--person {args.person}: the store could not be opened, so "
                "nobody can be chosen; play without --person (as a guest)"
            )
        p = store.get_person(args.person)  # UnknownPersonError: exit 2 with the fix
        person = PersonRef(p.id, p.name or "")

    realtime = not args.headless

    def connect() -> Any:
        return open_board(
            args.board,
            scenario=scenario_for(args, "interactive"),
            seed=args.seed,
            weak_hip=args.weak_hip,
            realtime=realtime,
            data_dir=args.data_dir,
            pelvis=getattr(args, "pelvis", None),
            **simulator_options(args, args.board),
        )

    pygame.init()
    try:
        surface = _open_display(pygame, args, size)
    except DisplayError:
        pygame.quit()
        if store is not None:
            store.close()
        raise
    try:
        conn = connect()
    except SensorError as exc:
        # A kiosk must come up even with the board unplugged: it says so and keeps trying.
        log(f"board not available ({exc}); starting anyway and retrying every few seconds")
        conn = offline_connection(_board_geometry(args.board), exc)
    if conn.simulated:
        log(f"board: {conn.banner}")
    feed = BoardFeed(conn, realtime=realtime, reopen=connect)
    settings = load_settings(folder)
    if args.easy:
        settings.easy_mode = True
    sounds = SoundBank(settings.volume, enabled=not args.no_sound, card=settings.sound_card)
    if sounds.note and not args.no_sound:
        log(sounds.note)
    from .speech import FakeSpeaker, open_speaker, silent_speaker

    if args.headless:
        speech = FakeSpeaker(volume=settings.volume)  # what would be said goes in the JSON
    elif args.no_sound:
        speech = silent_speaker()
    else:
        speech = open_speaker(volume=settings.volume, enabled=settings.speech, device=sounds.device)
        if speech.note and settings.speech:
            log(speech.note)
    inputs = InputQueue()
    controls = _board_controls(conn, inputs, log)
    watchdog, ready = _watchdog()
    preload_slow_modules()
    records = Records(
        store, board_name=conn.model.board.name, source=getattr(conn.source, "kind", None)
    )
    start = None
    start_options: dict[str, Any] = {}
    if info is not None:
        start = info.name
        start_options = {"side": args.side if info.one_leg else "both"}
    app = App(
        feed,
        settings=settings,
        records=records,
        surface=surface,
        sounds=sounds,
        inputs=inputs,
        headless=args.headless,
        data_dir=folder,
        person=person if (args.person or info is not None) else None,
        start=start,
        start_options=start_options,
        watchdog=watchdog,
        ready=ready,
        speech=speech,
    )
    if controls is not None:
        app.on_cue = lambda name: controls.beep(CUE_BEEPS[name]) if name in CUE_BEEPS else None
        app.on_status = controls.status
    try:
        if args.headless:
            summary = app.run_headless(args.frames or DEFAULT_FRAMES)
        else:
            pygame.display.set_caption("Balance trainer")
            pygame.mouse.set_visible(not _want_fullscreen(args) or bool(args.windowed))
            summary = app.run()
        if args.screenshot:
            summary["screenshot"] = str(app.screenshot(args.screenshot))
    finally:
        if controls is not None and hasattr(controls, "close"):
            controls.close()
        _stopping()
        app.close()
        pygame.quit()
    if args.headless:
        if args.json:
            print(json.dumps(summary, indent=2))
        else:
            ud = summary["update_draw_ms"]
            print(
                f"{summary['frames']} frames on screen '{summary['screen']}': update+draw "
                f"p50 {ud['p50']} ms, p95 {ud['p95']} ms, max {ud['max']} ms"
            )
    return 0


def _board_geometry(spec: str | None) -> Any:
    """The board file behind ``spec`` (for the screen while the board is offline)."""
    from balance_trainer.config import default_board_spec, load_board

    spec = spec or default_board_spec()
    try:
        return load_board(spec)
    except Exception:  # noqa: BLE001 - a 'wii' or other source name: the default geometry
        return load_board("two-plate-4")


FULLSCREEN_RENDER = (1280, 720)


def fullscreen_render_size(screen: tuple[int, int] | None) -> tuple[int, int]:
    """The size the game draws at in full screen: 1280x720, or the screen's if smaller."""
    if not screen or screen[0] <= 0 or screen[1] <= 0:
        return FULLSCREEN_RENDER
    w, h = FULLSCREEN_RENDER
    return (min(w, screen[0]), min(h, screen[1]))


def preload_slow_modules() -> float:
    """Import now what the clinical tests need later (scipy.signal: ~2 s here, 10-17 s on a
    Pi 4), before the app tells systemd it is ready; the watchdog (15 s) runs only after
    that, and a test must never stall the frame loop importing it. Returns seconds spent."""
    t0 = time.perf_counter()
    try:
        import scipy.signal  # noqa: F401
    except ImportError:
        pass  # the metrics say what is missing when they are asked for
    return time.perf_counter() - t0


def _open_display(pygame: Any, args: argparse.Namespace, size: tuple[int, int] | None) -> Any:
    """The display surface, or DisplayError with how to get one."""
    try:
        pygame.display.init()
        if args.headless:
            return pygame.display.set_mode(size or (800, 480))
        # With no screen SDL quietly falls back to drivers that draw nowhere; a person would
        # stare at nothing while the app runs, so say so instead.
        driver = pygame.display.get_driver()
        if driver in ("offscreen", "dummy"):
            raise DisplayError(
                f"no display: SDL found only its {driver!r} video driver; {NO_DISPLAY_HELP}"
            )
        if _want_fullscreen(args):
            # Render at 1280x720 at most and let SDL scale it to the screen: at a TV's
            # native 1080p or 4K a Pi 4 would draw at 30-45 fps.
            desktop = list(getattr(pygame.display, "get_desktop_sizes", lambda: [])())
            render = size or fullscreen_render_size(desktop[0] if desktop else None)
            surf = pygame.display.set_mode(render, pygame.FULLSCREEN | pygame.SCALED)
        else:
            surf = pygame.display.set_mode(size or (800, 480), pygame.RESIZABLE)
        return surf
    except pygame.error as exc:
        driver = os.environ.get("SDL_VIDEODRIVER", "auto")
        raise DisplayError(
            f"no display could be opened (SDL video driver {driver}: {exc}); {NO_DISPLAY_HELP}"
        ) from exc


def _open_store(args: argparse.Namespace, log: Any) -> Any:
    """The store, or None (guests only) when it cannot be opened, with a note why."""
    from balance_trainer.errors import StoreError
    from balance_trainer.store import Store

    try:
        return Store.open(args.data_dir)
    except StoreError as exc:
        if args.person:
            raise
        log(f"scores will not be saved: {exc}")
        return None


BUTTON_INTENTS = {"start": "select", "next": "right", "back": "back"}
"""The board's three buttons (hardware/controls.py) → the app's intents. Holds are ignored:
the press has already been acted on."""
CUE_BEEPS = {"tick": "ok", "go": "start", "alert": "ok", "done": "done"}
"""App cue sounds echoed on the board's buzzer (so a test is heard without speakers)."""


def _board_controls(conn: Any, inputs: Any, log: Any) -> Any:
    """The board's buttons, LED and buzzer, when the board is real and has them."""
    if getattr(conn, "simulated", True):
        return None
    board = conn.model.board
    if not getattr(board, "controls", None):
        return None
    from hardware.controls import open_controls

    try:
        ctl = open_controls(
            board, on_press=lambda name: inputs.push(BUTTON_INTENTS.get(str(name), ""))
        )
    except Exception as exc:  # noqa: BLE001 - no buttons is not a reason to stop the app
        log(f"board buttons unavailable: {exc}")
        return None
    return ctl


def _watchdog() -> tuple[Any, Any]:
    from balance_trainer import watchdog as wd

    return wd.Watchdog(), wd.ready


def _stopping() -> None:
    from balance_trainer import watchdog as wd

    wd.stopping()
