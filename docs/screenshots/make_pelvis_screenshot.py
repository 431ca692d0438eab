"""The pelvis sensor's screens at 800x480:

- spirit-level-pelvis.png: the spirit level played on the pelvis sensor, a simulated weak right
  hip standing on the right leg (the left side of the pelvis drops);
- squat-builder-pelvis.png: the squat builder judged by the load and the pelvis sensor, squats
  on the weak right leg;
- pelvis-level.png: the "stand level" step zeroing the sensor (the ring half full), and
  pelvis-level-retry.png: the same after the person lifted a foot during it;
- progress-pelvis.png (and -easy): the drop per standing leg over four weekly hip-stability
  tests of a weak right hip getting better (tests/games/pelvis_history.py).

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


def progress_shots() -> None:
    import tempfile

    from pelvis_history import store_with_pelvis_tests

    from games.records import PersonRef

    with tempfile.TemporaryDirectory() as tmp:
        store = store_with_pelvis_tests(Path(tmp) / "bt.db")
        for easy in (False, True):
            app = make_app(
                "pelvis-progress", easy=easy, store=store, person=PersonRef("p01", "Ann")
            )
            run(app, 0.5)
            out = HERE / f"progress-pelvis{'-easy' if easy else ''}.png"
            pygame.image.save(app.surface, str(out))
            app.feed.close()
            print(out)
        store.close()


def level_shots() -> None:
    from games.screens.pelvis_level import LevelPhase

    for name, moving in (("pelvis-level", False), ("pelvis-level-retry", True)):
        conn = open_board("sim", scenario="interactive", realtime=False, pelvis="sim")
        app = make_app(
            "pelvis-level", conn=conn, next_screen="spirit-level", next_options={"side": "left"}
        )
        if moving:
            app.feed.sim.set_stance("left")
            while app.screen.phase is not LevelPhase.RETRY:
                run(app, 1 / 60)
            run(app, 0.3)
        else:
            run(app, 1.0)
        out = HERE / f"{name}.png"
        pygame.image.save(app.surface, str(out))
        app.feed.close()
        print(out)


def squat_shot() -> None:
    conn = open_board(
        "sim", scenario="squats-right", realtime=False, pelvis="sim", weak_hip="right"
    )
    app = make_app("squat-builder", conn=conn, side="right")
    run(app, 20.0)
    out = HERE / "squat-builder-pelvis.png"
    pygame.image.save(app.surface, str(out))
    app.feed.close()
    print(out)


def main() -> None:
    pygame.init()
    squat_shot()
    level_shots()
    progress_shots()
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
