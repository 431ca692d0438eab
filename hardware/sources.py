"""The sources ``hardware/`` provides, as factories registered under ``balance_trainer.sources``.

Each factory takes a :class:`~balance_trainer.frames.SourceRequest` and returns an open
:class:`~balance_trainer.frames.Source`. ``pyproject.toml`` names them, one entry point per
kind, and :func:`balance_trainer.wiring.open_source` finds them by that name; nothing imports
this module directly, and the source modules import the interface from the core, so there is
no cycle between this module and them.

Source specs (``--board``):

``sim`` / ``sim:PRESET_OR_TOML``
    the simulated board (default geometry ``two-plate-4``);
``replay:FILE``
    a recording file played back;
``mock-hx711`` / ``mock-hx711:PRESET_OR_TOML``
    the real HX711 protocol code against fake chips on gpiozero's mock pins;
``wii``
    a Nintendo Wii Balance Board through the kernel's hid-wiimote driver;
``PRESET`` or ``path/to/board.toml``
    a real board, read with the source its file names (``source = "hx711"`` by default, or
    ``"wii"``).
"""

from __future__ import annotations

from balance_trainer.config import DEFAULT_PRESET, Board, load_board
from balance_trainer.errors import UsageError
from balance_trainer.frames import Source, SourceRequest


def _board(req: SourceRequest) -> Board:
    return req.board if req.board is not None else load_board(req.arg or DEFAULT_PRESET)


def open_sim(req: SourceRequest) -> Source:
    """``sim[:PRESET]``: the simulated board and person."""
    from .simulated import SimulatedBoard

    return SimulatedBoard(
        _board(req),
        req.scenario,
        seed=req.seed,
        weak_hip=req.weak_hip,
        realtime=req.realtime,
        clock=req.clock,
        sleep=req.sleep,
        **req.options,
    )


def open_replay(req: SourceRequest) -> Source:
    """``replay:FILE``: a recording played back."""
    if not req.arg:
        raise UsageError("--board replay: needs a file, as in replay:session.csv")
    from .replay import ReplaySource

    return ReplaySource(req.arg, realtime=req.realtime, clock=req.clock, sleep=req.sleep)


def open_mock_hx711(req: SourceRequest) -> Source:
    """``mock-hx711[:PRESET]``: the HX711 code against fake chips on mock pins."""
    from .hx711_source import open_mock_hx711 as open_fake_chips

    return open_fake_chips(
        _board(req),
        seed=req.seed,
        realtime=req.realtime,
        clock=req.clock,
        sleep=req.sleep,
        scenario=req.scenario,
        **req.options,
    )


def open_hx711(req: SourceRequest) -> Source:
    """A board file whose ``source`` is ``hx711`` (or ``hx711:PRESET``): the real chips."""
    from .hx711_source import HX711Source

    return HX711Source(_board(req), clock=req.clock, **req.options)


def open_wii(req: SourceRequest) -> Source:
    """``wii``, or a board file whose ``source`` is ``wii``: a Wii Balance Board."""
    from .wiiboard import WiiBalanceBoardSource

    if req.board is None and not req.arg:
        return WiiBalanceBoardSource(realtime=req.realtime, clock=req.clock, **req.options)
    return WiiBalanceBoardSource(
        board=_board(req), realtime=req.realtime, clock=req.clock, **req.options
    )
