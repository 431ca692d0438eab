"""The games by name, without importing pygame (the command line checks names with it)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class GameInfo:
    """A game's command-line name, its title on screen, and where its screen class lives."""

    name: str
    title: str
    module: str
    cls: str
    one_leg: bool
    blurb: str


GAMES: dict[str, GameInfo] = {
    g.name: g
    for g in (
        GameInfo(
            "spirit-level",
            "Spirit level",
            "games.spirit_level",
            "SpiritLevelScreen",
            True,
            "Stand on one leg and keep the bubble in the middle.",
        ),
        GameInfo(
            "river",
            "River raft",
            "games.river_raft",
            "RiverScreen",
            False,
            "Lean left and right to steer the raft through the gates.",
        ),
        GameInfo(
            "squat-builder",
            "Squat builder",
            "games.squat_builder",
            "SquatScreen",
            True,
            "Slow, steady squats on one leg build a tower and launch a rocket.",
        ),
    )
}

ALIASES = {
    "level": "spirit-level",
    "spirit": "spirit-level",
    "raft": "river",
    "squat": "squat-builder",
    "squats": "squat-builder",
    "rocket": "squat-builder",
}


def resolve(name: str) -> GameInfo | None:
    """The game called ``name`` (or one of its aliases), or None."""
    key = name.strip().lower().replace("_", "-").replace(" ", "-")
    return GAMES.get(ALIASES.get(key, key))
