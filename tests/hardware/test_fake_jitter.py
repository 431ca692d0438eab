"""A virtual clock that wakes late and is preempted as a machine is, and the HX711 path on it."""

from __future__ import annotations

import pytest
from test_hx711_clocks import RATES, Rig

from hardware.fake_jitter import JitterClock


def test_every_sleep_wakes_late_by_a_measured_amount_and_work_never_does():
    clock = JitterClock(lateness_s=[100e-6])
    clock.sleep(1e-3)
    assert clock.now() == pytest.approx(1.1e-3)
    clock.advance(1.5e-6)  # a pin write: work, never late
    assert clock.now() == pytest.approx(1.1e-3 + 1.5e-6)
    assert clock.sleeps == 1


def test_a_preemption_costs_a_sleeper_only_what_outlasts_its_wake_up():
    clock = JitterClock(preempt_rate_hz=1e-9, preempt_s=[1e-3])
    clock._next = 0.005  # one starts 5 ms into a 10 ms sleep and ends at 6 ms
    clock.sleep(0.010)
    assert clock.now() == pytest.approx(0.010)
    clock._next = clock.now() + 0.0095  # one starts 0.5 ms before the next wake-up
    clock.sleep(0.010)
    assert clock.now() == pytest.approx(0.0205)
    assert (clock.preemptions, clock.preemptions_felt) == (2, 1)


def test_a_preemption_in_work_pushes_the_work_past_its_end():
    clock = JitterClock(preempt_rate_hz=1e-9, preempt_s=[80e-6])
    clock._next = 1e-6
    clock.advance(1.5e-6)
    assert clock.now() == pytest.approx(81e-6)


def test_rates_and_lengths_are_checked():
    with pytest.raises(ValueError, match="preempt_s"):
        JitterClock(preempt_rate_hz=5.0)
    with pytest.raises(ValueError, match=">= 0"):
        JitterClock(lateness_s=[-1.0])


def test_late_and_preempted_the_driver_still_passes_no_reading_a_chip_did_not_cleanly_make():
    # Wake-ups 40-400 µs late and 20 preemptions a second of 70 µs-3 ms (more than measured
    # here): some land in a high phase, power the chips down and are discarded, and nothing
    # a chip did not cleanly convert gets through.
    clock = JitterClock(
        lateness_s=[40e-6, 60e-6, 90e-6, 400e-6],
        preempt_rate_hz=20.0,
        preempt_s=[70e-6, 150e-6, 3e-3],
        seed=3,
    )
    rig = Rig(clock=clock, lgpio=True)
    t0 = clock.now()
    assert rig.run(900) == []
    span = clock.now() - t0
    assert clock.preemptions_felt > 20
    assert rig.array.stats["discard_reasons"]["clock_stretch"] > 0
    assert min(rig.bank.stats()["power_downs"]) > 1
    assert 900 / span > 0.8 * min(RATES)
