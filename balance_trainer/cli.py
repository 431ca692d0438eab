"""The ``balance-trainer`` command: a thin face over the library.

It parses, wires a source to the core and a face, and turns library errors into one-line
messages (exit status 2 for bad input, 1 for faults of the environment). Commands are modules in
``balance_trainer/commands/`` (each with ``register(sub, common)``); commands that live outside
the core (the app, hardware doctor) come in through the ``balance_trainer.commands`` entry-point
group, so the core never imports them.
"""

from __future__ import annotations

import argparse
import errno
import importlib
import logging
import pkgutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import NoReturn

from . import __version__
from .commands._board import add_simulator_options
from .config import load_settings
from .errors import BalanceTrainerError


class OneLineParser(argparse.ArgumentParser):
    """An argument parser whose complaints are one line naming the option and the fix."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"balance-trainer: error: {message}; see '{self.prog} --help'\n")


@dataclass
class CommonOptions:
    """Parent parsers shared by the commands, defined once."""

    board: argparse.ArgumentParser
    data: argparse.ArgumentParser


def _common() -> CommonOptions:
    board = argparse.ArgumentParser(add_help=False)
    g = board.add_argument_group("board")
    g.add_argument(
        "--board",
        metavar="SPEC",
        default=None,
        help="sim, sim:PRESET, replay:FILE, mock-hx711, wii, a preset name or a "
        "board .toml file (default: the configured board, else sim)",
    )
    add_simulator_options(g)
    data = argparse.ArgumentParser(add_help=False)
    data.add_argument(
        "--data-dir",
        metavar="DIR",
        default=None,
        help="where calibrations and the database live (default: the settings "
        "file's data_dir, else ~/.local/share/balance-trainer)",
    )
    g.add_argument(
        "--pelvis",
        metavar="SENSOR",
        default=None,
        help="a pelvis sensor beside the board: none, sim (the simulated person's pelvis), "
        "i2c or i2c:BUS:ADDR (the LSM6DSOX belt clip, e.g. i2c:1:0x6A); a recording made "
        "with one plays its pelvis back (default: none)",
    )
    return CommonOptions(board, data)


def core_commands() -> list[str]:
    """Names of the commands in ``balance_trainer/commands/``, found without importing them."""
    from . import commands

    return sorted(
        info.name for info in pkgutil.iter_modules(commands.__path__) if info.name[0] != "_"
    )


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The command-line parser with every command, or with the one core command ``only``.

    Registering a command imports its module, and the modules import the libraries they run
    (store, protocols, the app and hardware doctor through entry points), so a start that runs
    one core command registers only that one: ``analyze`` then imports neither the store, the
    protocols, pygame nor ``hardware/``.
    """
    parser = OneLineParser(
        prog="balance-trainer",
        description="Balance trainer: lateral sway from load cells, clinical tests, games.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    common = _common()
    from . import commands

    for name in [only] if only is not None else core_commands():
        module = importlib.import_module(f"{commands.__name__}.{name}")
        module.register(sub, common)
    if only is None:
        for ep in sorted(entry_points(group="balance_trainer.commands"), key=lambda e: e.name):
            ep.load()(sub, common)
    return parser


def requested_core_command(argv: Sequence[str]) -> str | None:
    """The core command ``argv`` runs, or None (global options first, an outside command such
    as ``play``, a typo): then the whole parser is built, for its help and its errors."""
    if argv and argv[0] in core_commands():
        return argv[0]
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    # Warnings from the library (a chip restarted, frames lost) reach stderr in one format;
    # they never carry a person's name (see store.py).
    if not logging.getLogger().handlers:
        logging.basicConfig(
            level=logging.WARNING, format="balance-trainer: %(levelname)s: %(message)s"
        )
    try:
        words = list(sys.argv[1:] if argv is None else argv)
        parser = build_parser(requested_core_command(words))
        args = parser.parse_args(words)
        if not getattr(args, "func", None):
            parser.print_help()
            return 2
        # A damaged settings file is reported by every command, not only by those that happen
        # to read it: it fails closed (issue 17).
        load_settings()
        return int(args.func(args) or 0)
    except BalanceTrainerError as exc:
        print(f"balance-trainer: error: {exc}", file=sys.stderr)
        return exc.exit_status
    except RecursionError:
        # Every file is checked for nesting before it is parsed; this is the last resort.
        print(
            "balance-trainer: error: an input file is nested too deeply to read; "
            "replace it with a proper balance-trainer file",
            file=sys.stderr,
        )
        return 2
    except MemoryError:
        print(
            "balance-trainer: error: out of memory; close other programs, or check the "
            "input for absurd sizes (sample rate, duration)",
            file=sys.stderr,
        )
        return 1
    except OSError as exc:
        # An environment fault nobody translated (a full disk while writing, a vanished
        # folder): one line naming the file, exit 1 - never a traceback.
        print(f"balance-trainer: error: {describe_os_error(exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("balance-trainer: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


def describe_os_error(exc: OSError) -> str:
    """One line for an OS error: the file, what went wrong, and what to do."""
    where = f"{exc.filename}: " if exc.filename else ""
    what = exc.strerror or str(exc)
    if exc.errno == errno.ENOSPC:
        return f"{where}the disk is full ({what}); free some space and run it again"
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return f"{where}{what}; check permissions and that the disk is mounted read-write"
    return f"{where}{what}; check the disk and the path"


def run() -> None:
    sys.exit(main())


if __name__ == "__main__":
    run()
