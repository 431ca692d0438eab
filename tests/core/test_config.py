"""Board files: presets load, every malformed file is refused with file, place and fix."""

from __future__ import annotations

import pytest

from balance_trainer.config import load_board, parse_board, preset_names
from balance_trainer.errors import BoardConfigError

GOOD = """
[board]
name = "mine"
sck = "GPIO21"

[[cells]]
name = "a"
side = "left"
x_mm = -100
y_mm = 0
dout = "GPIO5"

[[cells]]
name = "b"
side = "right"
x_mm = 100
y_mm = 0
dout = "GPIO6"
"""


def test_presets_are_shipped_and_load():
    assert {"two-plate-4", "corners-4", "two-plate-8"} <= set(preset_names())
    b = load_board("two-plate-4")
    assert b.n_cells == 4 and not b.has_ap_spacing
    assert b.side_has_ml_spacing("left") and b.side_has_ml_spacing("right")
    assert load_board("corners-4").has_ap_spacing
    b8 = load_board("two-plate-8")
    assert b8.n_cells == 8 and b8.has_ap_spacing
    assert b8.side_centre_ml_mm("left") == pytest.approx(-120.0)


def test_default_board_cells_sit_left_and_right_of_centre():
    b = load_board("two-plate-4")
    for c in b.cells:
        assert (c.x_mm < 0) == (c.side == "left")


def test_board_file_from_path(tmp_path):
    p = tmp_path / "b.toml"
    p.write_text(GOOD)
    b = load_board(p)
    assert b.name == "mine" and b.cell_names == ["a", "b"] and b.path == p


@pytest.mark.parametrize(
    "change, expected",
    [
        (lambda s: s.replace('side = "left"', 'side = "middle"'), "side is 'middle'"),
        (lambda s: s.replace('name = "b"', 'name = "a"'), "duplicate cell name 'a'"),
        (lambda s: s.replace("x_mm = 100", 'x_mm = "far"'), "x_mm is 'far'"),
        (lambda s: s.replace('y_mm = 0\ndout = "GPIO6"', 'dout = "GPIO6"'), "has no 'y_mm'"),
        (lambda s: s.replace('dout = "GPIO6"', 'dout = "GPIO5"'), "already used by 'a'"),
        (lambda s: s.replace('side = "right"', 'side = "left"'), "no cell on the right side"),
        (lambda s: s.replace("[[cells]]", "[[cell]]"), "no [[cells]] entries"),
        (lambda s: s.replace('sck = "GPIO21"', 'sck = "GPIO5"'), "also a cell's dout"),
        (lambda s: s + "\n[[cells]\n", "not valid TOML"),
        (lambda s: s.replace("x_mm = -100", "x_mm = nan"), "finite"),
    ],
)
def test_malformed_board_file_names_file_place_and_fix(tmp_path, change, expected):
    p = tmp_path / "bad.toml"
    p.write_text(change(GOOD))
    with pytest.raises(BoardConfigError) as err:
        load_board(p)
    assert expected in str(err.value)
    assert str(p) in str(err.value)


def test_unknown_board_lists_the_presets():
    with pytest.raises(BoardConfigError, match="two-plate-4"):
        load_board("no-such-board")


def test_board_error_is_a_value_error_with_exit_status_2():
    with pytest.raises(ValueError) as err:
        parse_board("[board]\n", "x")
    assert err.value.exit_status == 2
