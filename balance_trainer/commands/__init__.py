"""Command modules of the ``balance-trainer`` CLI, one per command (discovered by cli.py).

Each has ``register(sub: Subparsers, common: CommonOptions) -> None``.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # argparse's action is generic only in the type stubs
    Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]
    """What ``register`` adds its parser to (``parser.add_subparsers()``)."""
