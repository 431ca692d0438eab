"""Helpers for the app's tests: an app on the simulated board, headless, in virtual time."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

import pygame  # noqa: E402

from games.app import App  # noqa: E402
from games.feed import BoardFeed  # noqa: E402
from games.records import GUEST, PersonRef, Records  # noqa: E402
from games.settings import GameSettings  # noqa: E402
from games.sound import SoundBank  # noqa: E402

REFERENCE = Path(__file__).parent / "reference"


def open_sim(
    scenario: str = "interactive", board: str = "sim", seed: int = 0, weak_hip: bool = False
) -> Any:
    from balance_trainer.wiring import open_board

    return open_board(board, scenario=scenario, seed=seed, weak_hip=weak_hip, realtime=False)


def make_app(
    start: str | None = None,
    *,
    size: tuple[int, int] = (800, 480),
    scenario: str = "interactive",
    board: str = "sim",
    seed: int = 0,
    weak_hip: bool = False,
    easy: bool = False,
    store: Any = None,
    person: PersonRef | None = None,
    data_dir: Any = None,
    conn: Any = None,
    reopen: Any = None,
    inputs: Any = None,
    sounds: SoundBank | None = None,
    **start_options: Any,
) -> App:
    """An app on a virtual-time board, drawing to an off-screen surface of ``size``."""
    conn = conn if conn is not None else open_sim(scenario, board, seed, weak_hip)
    feed = BoardFeed(conn, realtime=False, reopen=reopen)
    settings = GameSettings(easy_mode=easy)
    surface = pygame.Surface(size)
    app = App(
        feed,
        settings=settings,
        records=Records(store, board_name=conn.model.board.name, source="sim"),
        surface=surface,
        sounds=sounds or SoundBank(enabled=False),
        inputs=inputs,
        headless=True,
        data_dir=data_dir,
        person=person or GUEST,
        start=start,
        start_options=start_options,
    )
    app.begin()
    return app


def run(app: App, seconds: float) -> App:
    """Run ``app`` for ``seconds`` of virtual time at 60 frames/s."""
    for _ in range(int(round(seconds * app.fps))):
        app.step(1.0 / app.fps)
    return app
