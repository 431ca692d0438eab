"""What keeps the reader cheap (issue 12: reader CPU <= 2 % of a core): few wake-ups after a
reset, and a sweep whose bookkeeping gives the same words as bit-by-bit decoding."""

from __future__ import annotations

import random

import pytest
from test_hx711_clocks import Rig as ClocksRig

from hardware.hx711 import BITS, SETTLE_SWEEPS, words_of


class Rig(ClocksRig):
    """The clock tests' rig (4 chips at 86-94 Hz, 1.5 µs a pin operation, virtual time)."""

    def clean(self, frames):
        """Read ``frames``; True when every reading was a clean word its chip converted."""
        return self.run(frames) == []


def test_after_a_power_down_the_phases_are_found_again_in_a_few_looks():
    # A reset makes every chip start converting anew (phase unknown, period not). Looking
    # every 100 µs until each edge shows again cost about 120 wake-ups per reset; a coarse
    # look each millisecond, then the plan's probes, costs a few dozen.
    rig = Rig()
    assert rig.clean(300)
    for k in range(5):
        rig.bank.preempt(7 + 3 * k, 80e-6)  # SCK held high 80 µs: the chips power down
        before = rig.array.stats["wakeups"]
        assert rig.clean(1)  # the stretched sweep, the settling ones, then a good one
        assert rig.array.stats["wakeups"] - before <= 45
        assert rig.clean(40)
    assert rig.array.discards["clock_stretch"] == 5
    assert rig.array.discards["settling"] == 6 * SETTLE_SWEEPS  # at open and after each


@pytest.mark.parametrize("n", [1, 3, 4, 8, 9, 16])
def test_the_table_transpose_gives_every_chip_its_own_word_bit_by_bit(n):
    rng = random.Random(n)
    for _ in range(100):
        samples = [rng.getrandbits(n) for _ in range(BITS)]
        by_bit = []
        for i in range(n):
            w = 0
            for s in samples:
                w = (w << 1) | (s >> i & 1)
            by_bit.append(w)
        assert words_of(samples, n) == by_bit
    # A chip whose DOUT is high through the sweep reads 0xFFFFFF; its neighbours are untouched.
    assert words_of([0b10] * BITS, 3) == [0, 0xFFFFFF, 0]
