"""Draw every screen of the app on the simulated board and save it as a PNG.

Run: ``python docs/screenshots/make_screenshots.py [--size 800x480] [--out DIR] [--easy]``
(headless; dummy video and audio drivers). Each screen is opened as a person would reach it
and run for a few seconds of virtual time before its picture is taken.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ["SDL_VIDEODRIVER"] = "dummy"
os.environ["SDL_AUDIODRIVER"] = "dummy"
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "games"))

import pygame  # noqa: E402
from game_helpers import make_app, run  # noqa: E402


def shots() -> list[tuple[str, str, dict, float, object]]:
    """(file name, screen, options, seconds, then) for every screen worth a picture."""
    from games.records import GameResult

    res = GameResult("river", 42.0, details={"gates_passed": 3})

    def confirm(app):  # the confirm step of starting a test
        app.screen.intent("select")

    return [
        ("people", "people", {}, 1.0, None),
        ("zero", "zero", {}, 1.0, None),
        ("menu", "menu", {}, 1.0, None),
        ("intro", "intro", {"game": "river"}, 1.0, None),
        ("confirm", "intro", {"game": "river"}, 1.0, confirm),
        (
            "result",
            "result",
            {
                "game": "river",
                "result": res,
                "stars": 2,
                "lines": ["Gates: 3 of 4"],
                "best_before": None,
            },
            1.0,
            None,
        ),
        ("progress", "progress", {}, 1.0, None),
        ("pin", "pin", {}, 1.0, None),
        ("settings", "settings", {}, 1.0, None),
        ("tests", "tests", {}, 1.0, None),
        ("test-setup", "test-setup", {"test": "single-leg-stance"}, 1.0, None),
        ("test-run", "test-run", {"test": "single-leg-stance", "side": "left"}, 6.0, None),
        ("spirit-level", "spirit-level", {"side": "left"}, 6.0, None),
        ("river", "river", {"side": "both"}, 6.0, None),
        ("squat-builder", "squat-builder", {"side": "right"}, 6.0, None),
    ]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--size", default="800x480")
    p.add_argument("--out", default=str(Path(__file__).parent))
    p.add_argument("--easy", action="store_true")
    p.add_argument("--only", default="")
    a = p.parse_args(argv)
    w, h = (int(x) for x in a.size.lower().split("x"))
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    pygame.init()
    for fname, screen, opts, secs, then in shots():
        if a.only and a.only not in fname:
            continue
        app = make_app(screen, size=(w, h), easy=a.easy, **opts)
        run(app, secs)
        if then is not None:
            then(app)
            run(app, 0.5)
        suffix = "-easy" if a.easy else ""
        path = out / f"{fname}{suffix}.png"
        app.screenshot(path)
        app.close()
        print(path)
    pygame.quit()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
