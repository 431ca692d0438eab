"""Every clinical test by name, and the one way to make one."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import UsageError
from ..results import TestResult, register_renderer
from .bipedal import NEEDS_AP, BtracksBalance, Mctsib, WeightBearingSymmetry
from .engine import Protocol
from .single_leg import HipStability, SingleLegSquat, SingleLegStance

__all__ = [
    "PROTOCOLS",
    "protocol_names",
    "protocol_class",
    "make_protocol",
    "format_result",
    "needs_ap",
    "check_board_for",
]

PROTOCOLS: dict[str, type[Protocol]] = {
    cls.name: cls
    for cls in (
        SingleLegStance,
        SingleLegSquat,
        HipStability,
        Mctsib,
        BtracksBalance,
        WeightBearingSymmetry,
    )
}
"""Every test by name."""

for _cls in PROTOCOLS.values():
    register_renderer(_cls.name, _cls)


def protocol_names() -> list[str]:
    return list(PROTOCOLS)


def protocol_class(name: str, *, option: str = "test") -> type[Protocol]:
    """The test called ``name``; ``option`` names what the person typed it into.

    Raises
    ------
    UsageError
        No test has that name.
    """
    cls = PROTOCOLS.get(name)
    if cls is None:
        if option == "test":
            raise UsageError(f"test {name!r} does not exist; use one of {', '.join(PROTOCOLS)}")
        raise UsageError(f"{option} {name!r}: no such test; use one of {', '.join(PROTOCOLS)}")
    return cls


def make_protocol(name: str, **params: Any) -> Protocol:
    """A fresh protocol by name; ``params`` as :class:`Protocol` takes them.

    Raises
    ------
    UsageError
        Unknown test name, or a parameter a person could have mistyped (side, eyes, trials,
        max time, age).
    ProtocolError
        Settings that make no sense.
    """
    return protocol_class(name)(**params)


def format_result(result: Mapping[str, Any]) -> list[str]:
    """A result (as :meth:`Protocol.result` gives it) as readable lines."""
    return TestResult.from_json(result).table()


def needs_ap(name: str) -> bool:
    """Whether test ``name`` needs a board that measures AP (front-back) sway."""
    return name in NEEDS_AP


def check_board_for(name: str, has_ap: bool, what: str) -> None:
    """Refuse a test that needs AP on a board without it (one line for the person).

    ``what`` names the board or recording in the message (``board 'two-plate-4'``).

    Raises
    ------
    UsageError
        ``name`` needs AP and ``has_ap`` is False.
    """
    if needs_ap(name) and not has_ap:
        raise UsageError(
            f"test {name}: {what} measures side-to-side sway only (no cells spaced front to "
            "back), and this test is scored on total path length; it needs a 4-corner board "
            "(corners-4; sim:corners-4 to try it on the simulator)"
        )
