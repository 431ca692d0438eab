"""Sources are found by name through the ``balance_trainer.sources`` entry points."""

from __future__ import annotations

import pytest

from balance_trainer import wiring
from balance_trainer.config import load_board
from balance_trainer.errors import EnvironmentFault, UsageError
from balance_trainer.frames import Source, SourceRequest
from balance_trainer.wiring import open_source, source_factory, source_kinds


def test_every_shipped_source_kind_is_registered():
    assert {"sim", "replay", "mock-hx711", "hx711", "wii"} <= set(source_kinds())
    for kind in source_kinds():
        assert callable(source_factory(kind))


def test_a_source_opened_by_name_is_the_core_interface_with_its_kind():
    src = open_source("sim:corners-4", realtime=False, seed=2)
    try:
        assert isinstance(src, Source)
        assert src.kind == "sim" and src.board.name == "corners-4"
        frame = next(iter(src.frames()))
        assert len(frame.counts) == src.board.n_cells
    finally:
        src.close()
    assert src.closed


def test_a_factory_gets_the_request_the_spec_made():
    req = SourceRequest(arg="two-plate-8", realtime=False, seed=5, scenario="weight-shift")
    src = source_factory("sim")(req)
    try:
        assert src.board.name == "two-plate-8" and src.realtime is False
    finally:
        src.close()


def test_an_unknown_kind_is_bad_input_that_lists_the_known_ones():
    with pytest.raises(UsageError, match=r"no source named 'simx'.*sim") as info:
        open_source("simx:corners-4")
    assert info.value.exit_status == 2


def test_a_board_file_names_its_own_source(tmp_path):
    board = tmp_path / "mine.toml"
    board.write_text(
        '[board]\nname = "mine"\nsource = "nonesuch"\nsck = 6\n'
        '[[cells]]\nname = "l"\nside = "left"\nx_mm = -100\ny_mm = 0\ndout = 5\n'
        '[[cells]]\nname = "r"\nside = "right"\nx_mm = 100\ny_mm = 0\ndout = 13\n',
        encoding="utf-8",
    )
    with pytest.raises(
        UsageError, match="board mine: source 'nonesuch' is unknown; use one of .*hx711"
    ):
        open_source(str(board))


def test_missing_registrations_are_an_environment_fault_naming_the_fix(monkeypatch):
    monkeypatch.setattr(wiring, "entry_points", lambda group: [])
    with pytest.raises(EnvironmentFault, match="pip install -e") as info:
        open_source("sim")
    assert info.value.exit_status == 1


def test_the_app_stand_in_for_a_missing_board_is_a_real_source():
    from games.feed import OfflineSource

    src = OfflineSource(load_board("two-plate-4"), OSError("no HX711 on GPIO5"))
    assert isinstance(src, Source)
    assert "not connected" in src.description
    with pytest.raises(OSError, match="GPIO5"):
        next(iter(src.frames()))
