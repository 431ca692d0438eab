"""Wii Balance Board: event parsing with constructed events; no evdev needed."""

from __future__ import annotations

import errno
import re
import sys

import pytest

from balance_trainer.config import load_board
from balance_trainer.errors import BoardConfigError, BoardDisconnected, SensorError
from balance_trainer.wiring import open_source
from hardware.fake_hx711 import VirtualClock
from hardware.wiiboard import (
    ABS_HAT0X,
    ABS_HAT0Y,
    ABS_HAT1X,
    ABS_HAT1Y,
    BTN_A,
    EV_ABS,
    EV_KEY,
    EV_SYN,
    N_PER_COUNT,
    SYN_DROPPED,
    SYN_REPORT,
    EvdevBoard,
    WiiBalanceBoardSource,
    WiiEventParser,
    battery_percent,
    corner_codes,
    wall_to_monotonic,
)

TR, BR, TL, BL = ABS_HAT0X, ABS_HAT0Y, ABS_HAT1X, ABS_HAT1Y


def report(t, **corners):
    """Events for one hid-wiimote report: the changed corners, then SYN_REPORT."""
    codes = {"tr": TR, "br": BR, "tl": TL, "bl": BL}
    evs = [(EV_ABS, codes[k], v, t) for k, v in corners.items()]
    return evs + [(EV_SYN, SYN_REPORT, 0, t)]


def feed_all(parser, events):
    return [f for f in (parser.feed(*e) for e in events) if f is not None]


def test_corners_map_to_the_corners_4_cells_by_position():
    board = load_board("corners-4")
    assert board.cell_names == ["front_left", "front_right", "back_left", "back_right"]
    assert corner_codes(board) == [TL, TR, BL, BR]


def test_a_report_becomes_one_frame_in_cell_order():
    parser = WiiEventParser(corner_codes(load_board("corners-4")))
    frames = feed_all(parser, report(1.0, tr=1100, br=1200, tl=1300, bl=1400))
    assert len(frames) == 1
    assert frames[0].counts == (1300, 1100, 1400, 1200)  # front_left, front_right, ...
    assert frames[0].t == 1.0


def test_no_frame_until_every_corner_is_known_then_changes_keep_the_rest():
    parser = WiiEventParser([TL, TR, BL, BR])
    assert feed_all(parser, report(0.0, tr=5, br=6)) == []
    frames = feed_all(parser, report(0.01, tl=7, bl=8) + report(0.02, tr=50))
    assert [f.counts for f in frames] == [(7, 5, 8, 6), (7, 50, 8, 6)]


def test_events_count_only_when_their_report_ends():
    parser = WiiEventParser([TL, TR, BL, BR])
    parser.seed({TL: 1, TR: 1, BL: 1, BR: 1})
    assert parser.feed(EV_ABS, TL, 99, 0.0) is None
    assert parser.values[0] == 1
    frame = parser.feed(EV_SYN, SYN_REPORT, 0, 0.0)
    assert frame.counts == (99, 1, 1, 1)


def test_an_empty_report_is_not_a_new_frame():
    parser = WiiEventParser([TL, TR, BL, BR])
    parser.seed({TL: 1, TR: 1, BL: 1, BR: 1})
    assert parser.feed(EV_SYN, SYN_REPORT, 0, 0.0) is None


def test_syn_dropped_discards_the_partial_report_and_asks_for_a_resync():
    parser = WiiEventParser([TL, TR, BL, BR])
    parser.seed({TL: 1, TR: 2, BL: 3, BR: 4})
    events = [
        (EV_ABS, TL, 500, 0.0),
        (EV_SYN, SYN_DROPPED, 0, 0.0),
        (EV_ABS, TR, 600, 0.0),
        (EV_SYN, SYN_REPORT, 0, 0.0),
    ]
    assert feed_all(parser, events) == []
    assert parser.values == [1, 2, 3, 4]
    assert parser.needs_resync and parser.dropped_reports == 1
    assert feed_all(parser, report(0.1, tl=9))[0].counts == (9, 2, 3, 4)


def test_negative_values_are_clamped_to_zero_and_counted():
    parser = WiiEventParser([TL, TR, BL, BR])
    frames = feed_all(parser, report(0.0, tl=-3, tr=0, bl=10, br=20))
    assert frames[0].counts == (0, 0, 10, 20)
    assert parser.negative_clamped == 1 and parser.zero_corner_frames == 1


def test_uneven_and_repeated_timestamps_still_give_strictly_increasing_times():
    parser = WiiEventParser([TL, TR, BL, BR])
    parser.seed({TL: 1, TR: 1, BL: 1, BR: 1})
    times = [0.0, 0.021, 0.021, 0.019, 0.040, 0.041]
    frames = []
    for k, t in enumerate(times):
        frames += feed_all(parser, report(t, tl=10 + k))
    ts = [f.t for f in frames]
    assert len(ts) == len(times)
    assert all(b > a for a, b in zip(ts, ts[1:], strict=False))
    assert ts[1] == 0.021 and ts[4] == 0.040


def test_button_a_presses_are_counted():
    parser = WiiEventParser([TL, TR, BL, BR])
    parser.feed(EV_KEY, BTN_A, 1, 0.0)
    parser.feed(EV_KEY, BTN_A, 0, 0.1)
    assert parser.button_presses == 1


def test_wall_clock_timestamps_move_onto_the_monotonic_clock():
    assert wall_to_monotonic(99.99, wall=lambda: 100.0, mono=lambda: 5.0) == pytest.approx(4.99)
    # a wall-clock jump (NTP) must not throw frames into the past or future
    assert wall_to_monotonic(50.0, wall=lambda: 100.0, mono=lambda: 5.0) == 5.0
    assert wall_to_monotonic(101.0, wall=lambda: 100.0, mono=lambda: 5.0) == 5.0


@pytest.mark.parametrize(
    "preset, message", [("two-plate-4", "one cell in each corner"), ("two-plate-8", "both in the")]
)
def test_boards_without_one_cell_per_corner_are_refused(preset, message):
    with pytest.raises(BoardConfigError, match=message):
        corner_codes(load_board(preset))


class FakeDevice:
    """Stands in for the evdev device: hands out scripted batches of events."""

    def __init__(self, batches, state=None, clock=None):
        self.batches = list(batches)
        self.state = state or {TL: 0, TR: 0, BL: 0, BR: 0}
        self.clock = clock
        self.closed = False

    def read(self, timeout):
        if not self.batches:
            raise BoardDisconnected("gone")
        batch = self.batches.pop(0)
        if not batch and self.clock is not None:
            self.clock.sleep(timeout)
        return batch

    def current_values(self, codes):
        return {c: self.state[c] for c in codes}

    def close(self):
        self.closed = True


def test_source_yields_frames_in_newtons_calibration_and_repeats_when_silent():
    clock = VirtualClock(10.0)
    batches = [report(10.0, tl=1750, tr=1750, bl=1750, br=1750), [], [], report(10.25, tl=2000)]
    dev = FakeDevice(batches, clock=clock)
    source = WiiBalanceBoardSource(device=dev, clock=clock.now, to_monotonic=lambda t: t)
    frames = []
    with pytest.raises(BoardDisconnected):
        for f in source.frames():
            frames.append(f)
    source.close()
    assert dev.closed
    counts = [f.counts for f in frames]
    assert counts == [(1750,) * 4, (1750,) * 4, (1750,) * 4, (2000, 1750, 1750, 1750)]
    assert source.stats()["held_frames"] == 2
    off, scale = source.builtin_calibration()
    total_n = sum((c - o) * s for c, o, s in zip(counts[0], off, scale, strict=True))
    assert total_n == pytest.approx(70.0 * 9.80665)
    assert scale[0] == N_PER_COUNT
    assert source.kind == "wii" and source.calibration_key == "wii-corners-4"


def test_source_reseeds_from_the_device_after_dropped_events():
    dev = FakeDevice(
        [[(EV_SYN, SYN_DROPPED, 0, 0.0), (EV_SYN, SYN_REPORT, 0, 0.0)], report(0.1, tl=5)],
        state={TL: 1, TR: 2, BL: 3, BR: 4},
    )
    source = WiiBalanceBoardSource(device=dev, to_monotonic=lambda t: t)
    dev.state = {TL: 11, TR: 22, BL: 33, BR: 44}
    it = source.frames()
    first = next(it)
    assert first.counts == (5, 22, 33, 44)


def test_open_source_wii_passes_the_device_through():
    dev = FakeDevice([report(0.0, tl=1)], state={TL: 0, TR: 0, BL: 0, BR: 0})
    source = open_source("wii", device=dev, to_monotonic=lambda t: t)
    assert next(iter(source.frames())).counts == (1, 0, 0, 0)
    source.close()


def test_missing_evdev_names_the_install_command(monkeypatch):
    monkeypatch.setitem(sys.modules, "evdev", None)
    with pytest.raises(SensorError, match=r"pip install 'balance-trainer\[wii\]'"):
        WiiBalanceBoardSource()


class _GoneDev:
    fd = 3

    def read(self):
        raise OSError(errno.ENODEV, "No such device")


def test_a_board_that_disappears_is_a_disconnect_not_a_crash(monkeypatch):
    import select

    board = EvdevBoard.__new__(EvdevBoard)
    board.dev, board.path = _GoneDev(), "/dev/input/event7"
    monkeypatch.setattr(select, "select", lambda r, w, x, t: (r, [], []))
    with pytest.raises(BoardDisconnected, match="event7"):
        board.read(0.1)


class TaringDevice(FakeDevice):
    """A fake board with hid-wiimote's axis fuzz, a Bluetooth address and a battery."""

    uniq = "00:24:44:dc:0b:25"

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.fuzz = {TL: 4, TR: 4, BL: 4, BR: 4}

    def clear_fuzz(self, codes):
        changed = [c for c in codes if self.fuzz[c]]
        for c in codes:
            self.fuzz[c] = 0
        return changed


def battery_node(tmp_path, level, uniq=TaringDevice.uniq):
    node = tmp_path / f"wiimote_battery_{uniq}"
    node.mkdir()
    (node / "capacity").write_text(f"{level}\n")
    return tmp_path


def test_opening_the_board_clears_fuzz_tares_and_shows_the_battery(tmp_path):
    clock = VirtualClock(10.0)
    empty = [report(10.0 + k / 100, tl=12, tr=9, bl=15, br=11) for k in range(20)]
    dev = TaringDevice([*empty, report(10.3, tl=1762)], clock=clock)
    source = WiiBalanceBoardSource(
        device=dev,
        clock=clock.now,
        to_monotonic=lambda t: t,
        tare_s=0.2,
        battery_root=battery_node(tmp_path, 85),
    )
    assert dev.fuzz == {TL: 0, TR: 0, BL: 0, BR: 0}
    assert source.stats()["fuzz_cleared"] == 4
    off, _ = source.builtin_calibration()
    assert source.tared and sorted(off) == [9.0, 11.0, 12.0, 15.0]
    assert "battery 85 %" in source.description
    assert source.stats()["battery_percent"] == 85
    frames = []
    with pytest.raises(BoardDisconnected):
        for f in source.frames():
            frames.append(f)
    assert len(frames) == 21  # the tare's reports are frames too, none lost


def test_no_tare_is_taken_with_someone_on_the_board(tmp_path):
    dev = TaringDevice([report(0.0, tl=1750, tr=1750, bl=1750, br=1750)])
    source = WiiBalanceBoardSource(device=dev, to_monotonic=lambda t: t, tare_s=0.2)
    assert not source.tared and source.builtin_calibration()[0] == [0.0] * 4


def test_a_low_battery_says_to_change_it(tmp_path):
    dev = TaringDevice([])
    source = WiiBalanceBoardSource(device=dev, battery_root=battery_node(tmp_path, 12))
    assert "LOW" in source.description and "batteries" in source.description


def test_no_battery_node_is_no_battery_level(tmp_path):
    assert battery_percent(root=tmp_path) is None
    assert battery_percent("aa", root=battery_node(tmp_path, 40, uniq="aa")) == 40


class PressableBoard:
    """A fake board that someone presses as told: ``press(cell)`` loads that corner's sensor,
    which reports on the axis ``wiring`` says (the kernel comment's, or a swapped one)."""

    def __init__(self, clock, wiring):
        self.clock, self.wiring = clock, wiring
        self.values = {code: 0 for code in wiring.values()}
        self.pressed = None

    def press(self, cell):
        self.values = {code: 0 for code in self.wiring.values()}
        if cell is not None:
            self.values[self.wiring[cell]] = 2500  # 25 kg under one hand

    def read(self, timeout):
        self.clock.sleep(0.01)
        t = self.clock.now()
        return [(EV_ABS, c, v, t) for c, v in self.values.items()] + [(EV_SYN, SYN_REPORT, 0, t)]

    def current_values(self, codes):
        return {c: self.values[c] for c in codes}

    def close(self):
        pass


def follow(board):
    def say(text):
        match = re.search(r"\((\w+)\) and hold", text)
        board.press(match.group(1) if match else None)

    return say


KERNEL = {"front_right": TR, "back_right": BR, "front_left": TL, "back_left": BL}


def test_the_corner_check_passes_a_board_wired_as_the_kernel_says():
    from hardware.doctor import OK, corner_check

    clock = VirtualClock(0.0)
    dev = PressableBoard(clock, KERNEL)
    source = WiiBalanceBoardSource(device=dev, clock=clock.now, to_monotonic=lambda t: t)
    check, found = corner_check(source, say=follow(dev), seconds_each=1.0)
    assert check.status == OK and found == {n: n for n in source.board.cell_names}


def test_the_corner_check_finds_swapped_back_sensors_and_says_what_to_write():
    from hardware.doctor import FAIL, corner_check

    clock = VirtualClock(0.0)
    swapped = dict(KERNEL, back_right=BL, back_left=BR)  # HAT0Y and HAT1Y the other way
    dev = PressableBoard(clock, swapped)
    source = WiiBalanceBoardSource(device=dev, clock=clock.now, to_monotonic=lambda t: t)
    check, found = corner_check(source, say=follow(dev), seconds_each=1.0)
    assert check.status == FAIL
    assert found["back_right"] == "back_left" and found["front_left"] == "front_left"
    assert 'cell back_right: dout = "HAT1Y"' in check.note
    assert 'cell back_left: dout = "HAT0Y"' in check.note


def test_a_cell_may_name_its_axis_in_the_board_file():
    from dataclasses import replace

    board = load_board("corners-4")
    cells = tuple(
        replace(c, dout="HAT1Y")
        if c.name == "back_right"
        else replace(c, dout="HAT0Y")
        if c.name == "back_left"
        else c
        for c in board.cells
    )
    codes = corner_codes(replace(board, cells=cells))
    assert codes[board.cell_names.index("back_right")] == BL
    with pytest.raises(BoardConfigError, match="HAT0X, HAT0Y"):
        corner_codes(replace(board, cells=(replace(cells[0], dout="HAT9"), *cells[1:])))
