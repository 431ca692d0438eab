"""Conversions the driver's plan did not foresee: no corrupted word is ever passed on.

The plan (learned clocks) can be wrong: the reader is preempted between two pulses, a look
comes late on a busy machine, a chip's rate changes. The check after each sweep
(:func:`hardware.hx711_timing.verify`) does not rely on the plan, so whatever the plan got
wrong, a word a conversion landed in is thrown away and counted, never passed on. Ground
truth is the fake chips' own record of every word they shifted out.
"""

from __future__ import annotations

import dataclasses
import random
import re

import pytest
from test_hx711_clocks import Rig

from balance_trainer.errors import SensorFault
from hardware.fake_hx711 import VirtualClock
from hardware.hx711_timing import ChipClock, verify

LOADS = {
    # name: (mean oversleep s, probability of a stall between two pulses per read)
    "quiet": (0.0, 0.0),
    "busy": (300e-6, 0.05),
    "overloaded": (2e-3, 0.3),
}


def loaded_rig(load: str, seed: int = 1, **kw) -> tuple[Rig, random.Random]:
    """A rig whose reader oversleeps at random (a loaded machine wakes late) and is sometimes
    preempted for 50 µs to 12 ms between two SCK pulses (SCK low: no power-down)."""
    rng = random.Random(seed)
    over, _ = LOADS[load]
    clock = VirtualClock()

    def sleep(dt: float) -> None:
        clock.sleep(dt + (rng.expovariate(1.0 / over) if over else 0.0))

    return Rig(sleep=sleep, clock=clock, **kw), rng


def run_loaded(rig: Rig, rng: random.Random, load: str, frames: int, jumps=None) -> list:
    _, p_stall = LOADS[load]
    bad = []
    for k in range(frames):
        for at, chip, rate in jumps or ():
            if k == at:
                rig.bank.chips[chip].set_rate(rate)
        if p_stall and rng.random() < p_stall:
            rig.bank.stall_low(rng.randint(1, 24), rng.uniform(50e-6, 12e-3))
        bad += rig.run(1)
    return bad


@pytest.mark.parametrize("load", list(LOADS))
def test_stalls_mid_sweep_never_pass_a_corrupted_word_at_any_load(load):
    rig, rng = loaded_rig(load)
    bad = run_loaded(rig, rng, load, 1500)
    assert bad == []
    fake = rig.bank.stats()
    if load != "quiet":
        # The stalls did put conversions inside sweeps: the fake corrupted those words.
        assert sum(fake["corrupt_reads"]) > 10
        assert rig.array.stats["discard_reasons"]["unverified"] > 10
    assert rig.array.stats["frames"] == 1500


def test_the_same_stalls_without_the_check_pass_corrupted_words(monkeypatch):
    # What the check is for: with it switched off the plan alone lets corrupted words through.
    monkeypatch.setattr("hardware.hx711.verify", lambda *a: None)
    rig, rng = loaded_rig("busy")
    bad = run_loaded(rig, rng, "busy", 1500)
    assert len(bad) > 10
    assert any(why == "corrupted in the shift" for _, _, why in bad)


@pytest.mark.parametrize(
    ("chip", "rate"),
    [(3, 86.0), (0, 94.0), (1, 100.0)],
    ids=["fast-to-slow", "slow-to-fast", "to-the-fastest"],
)
@pytest.mark.parametrize("load", ["quiet", "busy"])
def test_a_chip_whose_rate_jumps_never_passes_a_corrupted_word(chip, rate, load):
    rig, rng = loaded_rig(load, seed=chip + 7)
    # The jump comes once the clocks are learned and planned by: the plan is then wrong.
    bad = run_loaded(rig, rng, load, 900, jumps=[(300, chip, rate)])
    assert bad == []
    # The driver notices and learns the new rate.
    assert rig.array.chips[chip].period == pytest.approx(1 / rate, rel=0.01)


def test_one_chip_dropping_to_rate_low_is_named_and_nothing_corrupt_passes():
    # One RATE pin low among high ones (a loose wire): the fast chips overrun eight times a
    # frame, so none of their words can be shown clear of a conversion. Nothing is passed
    # until the fault is reported, naming the chip and the fix.
    rig, rng = loaded_rig("quiet", timeout=3.0)
    bad = run_loaded(rig, rng, "quiet", 100, jumps=[(99, 2, 11.0)])
    assert bad == []
    with pytest.raises(
        SensorFault,
        match=r"GPIO13\) converts at (11/s|most 1[0-2] times a second).*RATE pin is low",
    ):
        bad += run_loaded(rig, rng, "quiet", 200)
    assert bad == []


def test_a_conversion_right_after_the_25th_pulse_is_not_trusted():
    rig = Rig()
    rig.run(200)
    before = rig.array.stats["discard_reasons"].get("landed", 0)
    # DOUT low right after the 25th pulse: a conversion finished at the very end of the shift.
    arr = rig.array
    sweep = arr._sweep
    state = {}

    def sweep_then_convert():
        sw = sweep()
        if sw is not None and not state:
            state["done"] = True
            return dataclasses.replace(sw, after=sw.after & ~0b10)
        return sw

    arr._sweep = sweep_then_convert
    rig.run(5)
    assert arr.stats["discard_reasons"]["landed"] == before + 1


def test_v1_needs_no_clock_and_v2_only_the_measured_band():
    c = ChipClock()  # nothing learned
    # Seen high 2 ms before a sweep that ended 2.3 ms later: no conversion fits (>= 10 ms).
    assert verify(c, high_at=-2e-3, low_at=-0.5e-3, start=0.0, end=0.3e-3) is None
    # Seen high 10.5 ms before: a chip at the fastest rate could have converted again.
    assert verify(c, high_at=-10.5e-3, low_at=-9e-3, start=0.0, end=0.3e-3) == "unverified"
    # With a measured period (94 Hz, 10.6 ms) that second conversion surely came before the
    # start, even had the chip just slowed by 10 %; 11 ms after the first it may not have.
    for k in range(6):
        c.observe(k / 94.0, 20e-6)
    assert c.known
    assert verify(c, high_at=-12.3e-3, low_at=-12e-3, start=0.0, end=0.3e-3) is None
    assert verify(c, high_at=-11.3e-3, low_at=-11e-3, start=0.0, end=0.3e-3) == "unverified"
    # ... but not a third one: that needs two periods, and 20 ms have not passed.
    assert verify(c, high_at=-21e-3, low_at=-20.5e-3, start=0.0, end=0.3e-3) == "unverified"


def test_a_chip_with_rate_low_from_power_up_is_named_though_no_fast_period_is_ever_seen():
    # Read only at the slow chip's pace, the fast chips never show a period of their own
    # (their DOUT stays low between sweeps). The slow one is still named: it was seen
    # converting for far longer after a sweep read it than any chip with RATE high can.
    rig = Rig(rates=[89.0, 91.0, 10.0, 94.0], timeout=1.0)
    with pytest.raises(SensorFault) as info:
        rig.run(50)
    text = str(info.value)
    assert re.search(r"GPIO13\) converts at 10/s.*RATE pin is low", text)
    assert "GPIO5) converts" not in text and "saturated" not in text
    assert info.value.chips == [2]
