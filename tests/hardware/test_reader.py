"""The chip reader (a real child process running fake chips on mock pins) and the sources."""

from __future__ import annotations

import errno
import logging

import numpy as np
import pytest
from gpiozero.pins.mock import MockFactory

from balance_trainer.config import Board, Cell, load_board
from balance_trainer.errors import BoardDisconnected, PinConfigError, SensorTimeout, UsageError
from balance_trainer.wiring import open_source
from hardware.fake_hx711 import ChipFaults, FakeBoardSpec, FakeHX711Bank, VirtualClock
from hardware.hx711 import HX711Array
from hardware.hx711_source import HX711Source, open_mock_hx711
from hardware.reader import ChipReader, ChipSession, ReaderSpec, pin_off_cpu0, raise_priority

DOUTS = ("GPIO5", "GPIO6", "GPIO13", "GPIO19")
LABELS = ("cell 'left_outer'", "cell 'left_inner'", "cell 'right_inner'", "cell 'right_outer'")
X = (-190.0, -50.0, 50.0, 190.0)


def fake_spec(**kw):
    kw.setdefault("load", "empty")
    kw.setdefault("noise_counts", 0.0)
    return FakeBoardSpec.for_cells(DOUTS, "GPIO21", X, (0.0,) * 4, seed=1, **kw)


# -- priority ---------------------------------------------------------------------------------


def refuse(*args):
    raise PermissionError(errno.EPERM, "Operation not permitted")


def test_raise_priority_warns_with_the_fix_when_nothing_is_allowed():
    msgs = raise_priority(set_scheduler=refuse, set_nice=refuse)
    levels = [level for level, _ in msgs]
    assert logging.WARNING in levels
    assert "LimitRTPRIO" in msgs[-1][1] and "Operation not permitted" in msgs[-1][1]


def test_raise_priority_takes_real_time_when_allowed_and_stops_there():
    calls = []
    msgs = raise_priority(set_scheduler=lambda *a: calls.append(a), set_nice=refuse)
    assert len(calls) == 1 and msgs == [(logging.INFO, msgs[0][1])]
    assert "SCHED_FIFO" in msgs[0][1]


def test_raise_priority_falls_back_to_nice():
    msgs = raise_priority(set_scheduler=refuse, set_nice=lambda inc: inc)
    assert msgs[-1] == (logging.INFO, "running at nice -10")


# -- the read loop, in process, in virtual time ---------------------------------------------


def session_rig(faults=None, timeout=0.2, max_restarts=2):
    clock = VirtualClock()
    factory = MockFactory()
    bank = FakeHX711Bank(
        DOUTS,
        "GPIO21",
        pin_factory=factory,
        clock=clock.now,
        values=[10, 20, 30, 40],
        faults=faults,
    )
    array = HX711Array(
        DOUTS,
        "GPIO21",
        pin_factory=factory,
        labels=LABELS,
        timeout=timeout,
        clock=clock.now,
        sleep=clock.sleep,
        ticks=clock.ns,
    )
    logs = []
    session = ChipSession(
        array, max_restarts=max_restarts, on_log=lambda level, text: logs.append((level, text))
    )
    return clock, bank, session, logs


def test_session_power_cycles_the_chips_after_a_fault_and_carries_on():
    clock, bank, session, logs = session_rig()
    assert session.read()[1] == [10, 20, 30, 40]
    bank.chips[1].delay_next(0.5)  # late past the timeout, once
    t, counts = session.read()
    assert counts == [10, 20, 30, 40]
    assert session.restarts == 1 and session.faults == {"SensorTimeout": 1}
    assert logs and "restarting the chips" in logs[0][1] and "GPIO6" in logs[0][1]
    assert session.stats()["resets"] == 2  # at open and the restart


def test_session_gives_up_after_max_restarts_with_the_chip_named():
    clock, bank, session, logs = session_rig({2: ChipFaults(stuck="high")}, max_restarts=2)
    with pytest.raises(SensorTimeout, match="right_inner.*GPIO13"):
        session.read()
    assert session.restarts == 2 and len(logs) == 2


# -- the reader process ------------------------------------------------------------------------


def test_reader_process_delivers_timestamped_frames_and_stops_cleanly():
    spec = ReaderSpec(
        DOUTS, "GPIO21", LABELS, raise_priority=False, fake=fake_spec(), stats_interval_s=0.1
    )
    reader = ChipReader(spec).start()
    try:
        frames = [reader.get(timeout=5.0) for _ in range(20)]
    finally:
        reader.close()
    assert all(f is not None for f in frames)
    assert [list(f.counts) for f in frames] == [list(spec.fake.offsets)] * 20
    t = np.array([f.t for f in frames])
    assert np.all(np.diff(t) > 0)
    assert reader.exitcode == 0 and not reader.alive
    stats = reader.stats()
    assert stats["frames_received"] >= 20 and stats["seq_gaps"] == 0
    assert stats["sweeps"] >= 20 and "fake" in stats
    # Its CPU since it began reading, for doctor's "reader CPU" line.
    assert 0 < stats["cpu_since_ready_s"] <= stats["cpu_s"]
    assert 0 < stats["wall_since_ready_s"] <= stats["wall_s"]


def test_reader_process_reports_a_dead_chip_naming_cell_and_pin():
    spec = ReaderSpec(
        DOUTS,
        "GPIO21",
        LABELS,
        timeout=0.2,
        max_restarts=1,
        raise_priority=False,
        fake=fake_spec(faults=((1, ChipFaults(stuck="high")),)),
    )
    reader = ChipReader(spec).start()
    try:
        with pytest.raises(SensorTimeout) as info:
            for _ in range(100):
                reader.get(timeout=5.0)
    finally:
        reader.close()
    assert "cell 'left_inner' (DOUT GPIO6)" in str(info.value)
    assert info.value.chips == [1]
    assert reader.stats()["restarts"] == 1


def test_reader_process_refuses_a_bad_pin_at_start():
    spec = ReaderSpec(("GPIO5", "GPIO77"), "GPIO21", ("cell 'a'", "cell 'b'"), raise_priority=False)
    with pytest.raises(PinConfigError, match="GPIO77"):
        ChipReader(spec, start_timeout=20).start()


def test_hx711_board_with_nothing_connected_times_out_naming_every_cell():
    # Under the tests gpiozero's default factory is the mock: pins with no chips on them.
    source = HX711Source(
        load_board("two-plate-4"), timeout=0.2, max_restarts=0, raise_priority=False
    )
    try:
        with pytest.raises(SensorTimeout) as info:
            next(iter(source.frames()))
    finally:
        source.close()
    msg = str(info.value)
    for name, pin in zip(
        ("left_outer", "left_inner", "right_inner", "right_outer"),
        ("GPIO5", "GPIO6", "GPIO13", "GPIO19"),
        strict=True,
    ):
        assert f"cell '{name}' (DOUT {pin})" in msg
    assert info.value.cells == ["left_outer", "left_inner", "right_inner", "right_outer"]


def test_mock_hx711_in_real_time_runs_the_whole_path_through_the_reader_process():
    source = open_source("mock-hx711", realtime=True, raise_priority=False)
    try:
        assert source.kind == "mock-hx711" and source.simulated
        frames = []
        for frame in source.frames():
            frames.append(frame)
            if len(frames) == 10:
                break
    finally:
        source.close()
    assert len(frames) == 10 and all(len(f.counts) == 4 for f in frames)
    assert source.calibration_key == "mock-hx711-two-plate-4"


# -- sources -------------------------------------------------------------------------------


def test_board_without_dout_pins_is_refused_with_what_to_add():
    board = Board("bare", (Cell("l", "left", -100, 0), Cell("r", "right", 100, 0)), sck="GPIO21")
    with pytest.raises(PinConfigError, match="l, r have no dout pin"):
        HX711Source(board)
    board = Board(
        "nosck", (Cell("l", "left", -100, 0, "GPIO5"), Cell("r", "right", 100, 0, "GPIO6"))
    )
    with pytest.raises(PinConfigError, match="no sck pin"):
        HX711Source(board)


def test_virtual_mock_board_weighs_the_fake_person_with_its_builtin_calibration():
    source = open_source("mock-hx711", realtime=False, seed=4)
    offsets, scales = (np.array(v) for v in source.builtin_calibration())
    rows = []
    for frame in source.frames():
        rows.append((frame.t, frame.counts))
        if frame.t > 4.0:
            break
    source.close()
    t = np.array([r[0] for r in rows])
    counts = np.array([r[1] for r in rows], dtype=float)
    forces = (counts - offsets) * scales
    total_kg = forces.sum(axis=1) / 9.80665
    assert abs(total_kg[t < 1.5]).max() < 0.5  # empty board first
    assert total_kg[t > 3.0].mean() == pytest.approx(70.0, abs=0.2)
    rate = (len(t) - 1) / (t[-1] - t[0])
    # Each fake chip runs on its own oscillator; frames come at the slowest chip's rate.
    slowest = min(source.bank.stats()["rates_hz"])
    assert 86.0 <= slowest <= 94.0
    assert rate == pytest.approx(slowest, rel=0.02)


def test_mock_board_fills_in_pins_a_board_file_lacks():
    board = Board("nopins", (Cell("l", "left", -100, 0), Cell("r", "right", 100, 0)))
    source = open_mock_hx711(board, realtime=False, load="empty")
    frame = next(iter(source.frames()))
    source.close()
    assert len(frame.counts) == 2


def test_mock_board_fault_names_must_be_cells_of_the_board():
    with pytest.raises(UsageError, match="no cell 'nose'"):
        open_mock_hx711(load_board("two-plate-4"), realtime=False, faults=["spike:nose"])


def test_mock_board_fault_surfaces_naming_the_cell():
    source = open_mock_hx711(
        load_board("two-plate-4"),
        realtime=False,
        faults=["saturate:right_outer"],
        timeout=0.3,
        max_restarts=1,
    )
    with pytest.raises(Exception) as info:
        next(iter(source.frames()))
    source.close()
    assert "right_outer" in str(info.value) and "GPIO19" in str(info.value)
    assert info.value.cells == ["right_outer"]


def test_a_reader_that_does_not_start_in_time_raises_board_disconnected():
    # Spawning Python takes far longer than 10 ms: the documented error, not AttributeError.
    reader = ChipReader(ReaderSpec(("GPIO5",), "GPIO21", fake=fake_spec()), start_timeout=0.01)
    with pytest.raises(BoardDisconnected, match="did not start|stopped before"):
        reader.start()
    assert not reader.alive


def test_the_reader_is_pinned_off_cpu_0_when_there_are_others():
    got = {}
    level, text = pin_off_cpu0(
        get_affinity=lambda pid: {0, 1, 2, 3}, set_affinity=lambda pid, c: got.update(cpus=c)
    )
    assert got["cpus"] == {1, 2, 3} and "CPU 1,2,3" in text
    _, text = pin_off_cpu0(get_affinity=lambda pid: {0}, set_affinity=lambda p, c: 1 / 0)
    assert "stays" in text
