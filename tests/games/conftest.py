"""Fixtures for the app's tests (helpers are in game_helpers.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pygame
import pytest
from game_helpers import App, make_app


@pytest.fixture(scope="session", autouse=True)
def _pygame() -> Iterator[None]:
    pygame.init()
    yield
    pygame.quit()


@pytest.fixture
def app_factory() -> Iterator[Any]:
    """Make apps (see game_helpers.make_app) that are closed after the test."""
    made: list[App] = []

    def factory(*args: Any, **kwargs: Any) -> App:
        a = make_app(*args, **kwargs)
        made.append(a)
        return a

    yield factory
    for a in made:
        a.close()
