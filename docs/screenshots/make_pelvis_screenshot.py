"""The spirit level played on the pelvis sensor: a simulated weak right hip, standing on the
right leg (the left side of the pelvis drops). Saves spirit-level-pelvis.png at 800x480.

Run: ``python docs/screenshots/make_pelvis_screenshot.py``
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "tests" / "games"))

import pygame  # noqa: E402
from game_helpers import make_app, run  # noqa: E402

from balance_trainer.wiring import open_board  # noqa: E402


def main() -> None:
    pygame.init()
    conn = open_board(
        "sim", scenario="single-leg-right", realtime=False, pelvis="sim", weak_hip="right"
    )
    app = make_app("spirit-level", conn=conn, side="right")
    run(app, 14.0)
    out = HERE / "spirit-level-pelvis.png"
    pygame.image.save(app.surface, str(out))
    print(out)


if __name__ == "__main__":
    main()
