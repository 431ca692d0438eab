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


def shots(store) -> list[tuple[str, str, dict, float, object]]:
    """(file name, screen, options, seconds, then) for every screen worth a picture."""
    from games.records import GameResult, PersonRef

    res = GameResult("river", 42.0, details={"gates_passed": 3})
    ann = {"store": store, "person": PersonRef("p01", "Ann")}

    def confirm(app):  # the confirm step of starting a game
        app.screen.intent("select")

    def typed(app):  # a name half typed on the on-screen keyboard
        for ch in "Bob":
            app.screen.type_char(ch)

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
        ("progress", "progress", ann, 1.0, None),
        ("pin", "pin", {}, 1.0, None),
        ("settings", "settings", {"store": store}, 1.0, None),
        ("name", "name", {"store": store}, 0.5, typed),
        ("tests", "tests", {}, 1.0, None),
        ("test-setup", "test-setup", {"test": "single-leg-stance"}, 1.0, None),
        ("test-run", "test-run", {"test": "single-leg-stance", "side": "both"}, 9.0, None),
        ("test-squat", "test-run", {"test": "single-leg-squat", "side": "left"}, 9.0, None),
        (
            "test-result",
            "test-run",
            {"test": "weight-bearing-symmetry", "side": None, **ann},
            25.0,
            None,
        ),
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
    import tempfile

    from balance_trainer.store import Store

    tmp = tempfile.TemporaryDirectory()
    store = Store(Path(tmp.name) / "bt.db")
    store.add_person("p01", name="Ann", birth_year=1950)
    _fill(store)
    for fname, screen, opts, secs, then in shots(store):
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
        app.screen.leave()
        app.feed.close()
        print(path)
    store.close()
    pygame.quit()
    return 0


def _fill(store) -> None:
    """Ann's history: two weight-bearing tests and two one-leg stands, a few rounds."""
    from games.records import GameResult, PersonRef

    ann = PersonRef("p01", "Ann")
    for test, side, secs in (
        ("weight-bearing-symmetry", None, 25.0),
        ("weight-bearing-symmetry", None, 25.0),
    ):
        app = make_app("test-run", test=test, side=side, store=store, person=ann)
        run(app, secs)
        app.screen.leave()
        app.feed.close()
    app = make_app("menu", store=store, person=ann)
    for score in (31.0, 42.0):
        app.records.save_game(ann, GameResult("river", score))
    app.feed.close()


if __name__ == "__main__":
    raise SystemExit(main())
