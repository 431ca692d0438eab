"""Every screen of the app, by name (games by their command-line names)."""

from __future__ import annotations

import importlib
from typing import Any

from ..catalog import GAMES


def _screen_classes() -> dict[str, Any]:
    from .calendar import CalendarScreen
    from .game import IntroScreen, ResultScreen
    from .menu import MenuScreen
    from .pelvis_level import PelvisLevelScreen
    from .pelvis_progress import PelvisProgressScreen
    from .people import PeopleScreen
    from .programme import NotesScreen, ProgrammeEditScreen, ProgrammeScreen
    from .progress import ProgressScreen
    from .session import SessionScreen
    from .settings import NameScreen, PinScreen, SettingsScreen
    from .tests import TestRunScreen, TestSetupScreen, TestsScreen
    from .zero import ZeroScreen

    out: dict[str, Any] = {
        "people": PeopleScreen,
        "zero": ZeroScreen,
        "menu": MenuScreen,
        "intro": IntroScreen,
        "result": ResultScreen,
        "progress": ProgressScreen,
        "pelvis-progress": PelvisProgressScreen,
        "pelvis-level": PelvisLevelScreen,
        "pin": PinScreen,
        "settings": SettingsScreen,
        "name": NameScreen,
        "tests": TestsScreen,
        "test-setup": TestSetupScreen,
        "test-run": TestRunScreen,
        "session": SessionScreen,
        "programme": ProgrammeScreen,
        "programme-edit": ProgrammeEditScreen,
        "programme-notes": NotesScreen,
        "calendar": CalendarScreen,
    }
    for g in GAMES.values():
        out[g.name] = getattr(importlib.import_module(g.module), g.cls)
    return out


SCREEN_NAMES = (
    "people",
    "zero",
    "menu",
    "intro",
    "result",
    "progress",
    "pelvis-progress",
    "pelvis-level",
    "pin",
    "settings",
    "name",
    "tests",
    "test-setup",
    "test-run",
    "session",
    "programme",
    "programme-edit",
    "programme-notes",
    "calendar",
    *GAMES,
)


def make_screen(app: Any, name: str, **options: Any) -> Any:
    """A new screen called ``name`` for ``app``; raises KeyError for an unknown name."""
    classes = _screen_classes()
    if name not in classes:
        raise KeyError(f"no screen called {name!r}; screens: {', '.join(sorted(classes))}")
    return classes[name](app, **options)
