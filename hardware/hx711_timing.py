"""When each HX711 converts, and whether a sweep can be trusted not to have met a conversion.

Every HX711 converts on its own oscillator (about 86-94 Hz with RATE high, measured; each
drifting against the others), and with one shared SCK a sweep can overlap one chip's next
conversion. The datasheet (Avia HX711, "Serial Interface", Fig. 2) defines only what the chip
does between conversions: DOUT low = a word is ready, 24 pulses shift it out, the 25th pulls
DOUT high until the next conversion. What a chip shifts out when a conversion finishes during
the read is not defined, so the driver must never sweep into one, and must be able to show,
after the sweep, that none came.

Two things here:

:class:`ChipClock`
    What the driver has learned of one chip's oscillator (period and phase), used to *plan*
    when to look and when to sweep. Plans can be wrong (a chip's rate changes, a busy machine
    looks late), so nothing is passed on because of a plan alone.
:func:`verify`
    The *check* after each sweep, from what was observed in this very cycle:

    * **V1 (needs no prediction).** Let ``L`` be the last look at which the chip's DOUT was
      high (it had no unread word then). Its current word finished after ``L``, and an HX711
      cannot convert again sooner than its shortest possible period ``p_min`` (no chip is
      faster than :data:`MAX_RATE_HZ`). A sweep that ended before ``L + p_min`` met no
      conversion of that chip: sound whatever the chip's rate or phase does.
    * **V2 (one period, measured band).** A chip faster than the slowest one sometimes makes
      two conversions between sweeps (the first is overwritten unread); the second shows no
      edge, since DOUT is already low, so V1 cannot hold. Its word is passed only when, from
      the first conversion's observed time ``F`` (the first look that saw DOUT low), the
      second one is sure to have finished before the sweep began (``F + p_hi <= start``,
      ``p_hi`` the top of the chip's measured period band) and the third cannot yet have come
      (``end < L + 2 p_min``, again needing no prediction).

    Anything else is counted as lost, never guessed.
"""

from __future__ import annotations

MAX_RATE_HZ = 100.0
"""No HX711 on its internal oscillator converts faster than this with RATE high (measured
chips: 86-94 Hz; nominal 80). Its period, 10 ms, is the V1 bound."""
P_MIN_S = 1.0 / MAX_RATE_HZ
BAND = 0.005
"""Half-width of a chip's period band as a fraction of its learned period: the oscillators
wander by about 0.2 % (temperature), measured gaps are noisier."""
BAND_ABS_S = 50e-6
"""Added to the band: the error of the learned period itself."""
V2_GUARD = 1.10
"""V2 waits for the second conversion as if the chip had just slowed by up to 10 %: a sudden
change of rate that its band has not seen yet. A bigger drop (RATE pin pulled low: 8x) puts
the second conversion far past the sweep, so the word read is the first, whole. Only a jump
to between 1.1x and the sweep's end is not covered; no cause of one is known."""
MIN_PERIOD_S, MAX_PERIOD_S = 1 / 150, 1 / 5
PERIOD_LEARN_UNC_S = 300e-6
PERIOD_TOLERANCE = 0.03
PERIOD_GAIN = 0.1
PERIOD_AGREEMENT = 3
ANCHOR_UNC_S = 300e-6
ANCHOR_MIN_PERIODS, ANCHOR_MAX_PERIODS = 4, 128
PREDICT_UNC_PER_PERIOD = 0.0005
"""Growth of a prediction's uncertainty per period predicted ahead (fraction of a period):
the oscillators wander by tenths of a percent."""


class ChipClock:
    """What the driver knows of one chip's oscillator: its conversion period and phase.

    Learned from the times DOUT is seen falling (a conversion finishing while the chip's
    previous word had been read). A conversion that finishes while DOUT is already low is not
    seen; it is predicted from the period, and its uncertainty grows with each one predicted.
    """

    def __init__(self) -> None:
        self.period: float | None = None
        self.last_conv: float | None = None
        """Time (s) of the latest conversion known to have finished (seen or predicted)."""
        self.unc = 0.0
        """Uncertainty (s, half-width) of ``last_conv``."""
        self.seen: float | None = None
        """Time (s) of the last falling edge actually seen, for learning the period."""
        self.lost = 0
        """Conversions this chip made that were never read cleanly (overwritten, skipped)."""
        self.agreed = 0
        """Period samples in a row that agreed with the estimate; predictions are made only
        from :data:`PERIOD_AGREEMENT` on (one gap measured on a busy machine can be far off)."""

        self._fall: float | None = None
        self.surprises = 0
        self.disagreed = 0
        self.anchor: tuple[float, float] | None = None
        """A closely seen edge ``(t, unc)`` some periods back: the period measured over the
        long span to it is far more precise than one gap."""

    def forget_phase(self) -> None:
        """After a reset the chip starts converting anew: its phase is unknown, its period
        (the oscillator) is not."""
        self.last_conv = self.seen = self._fall = None
        self.anchor = None
        self.unc = 0.0

    @property
    def known(self) -> bool:
        """The period has been measured consistently: plans and V2 may use it."""
        return self.period is not None and self.agreed >= PERIOD_AGREEMENT

    def band_hi(self) -> float | None:
        """The longest period (s) this chip is taken to have, or None while unknown."""
        if not self.known or self.period is None:
            return None
        return self.period * (1.0 + BAND) + BAND_ABS_S

    def p_min(self) -> float:
        """The shortest period (s) this chip can have: :data:`P_MIN_S`, or less for a chip
        measured faster than that (an overclocked crystal)."""
        p = self.period
        if p is not None and self.agreed >= PERIOD_AGREEMENT and p * (1.0 - BAND) < P_MIN_S:
            return p * (1.0 - BAND) - BAND_ABS_S
        return P_MIN_S

    def observe(self, t: float, unc: float) -> None:
        """DOUT was seen falling at ``t`` ± ``unc`` s."""
        pred = self.next_conv(t - unc)
        if pred is not None:
            # Both the look and the prediction bound the edge: keep what both allow (a look
            # that came late on a busy machine says little the prediction does not).
            lo, hi = max(t - unc, pred[0] - pred[1]), min(t + unc, pred[0] + pred[1])
            if lo <= hi:
                t, unc = (lo + hi) / 2, (hi - lo) / 2
                self.surprises = 0
            else:
                # The edge came where the clock said it could not: twice running, and the
                # clock is relearned from close looks (a RATE change, a reset we missed).
                self.surprises += 1
                if self.surprises >= 2:
                    self.agreed = 0
                    self.anchor = None
        if unc <= PERIOD_LEARN_UNC_S:
            self._learn(t)
        if unc <= ANCHOR_UNC_S:
            self._refine(t, unc)
        if self._fall is not None and self.period is not None:
            # Between two falls one word was read; any other conversion came and went while
            # DOUT was low (overwritten unread).
            self.lost += max(0, round((t - self._fall) / self.period) - 1)
        self._fall = t
        self.last_conv, self.unc = t, unc

    def _learn(self, t: float) -> None:
        """One closely seen edge: a sample of the period from the gap to the last one."""
        seen, self.seen = self.seen, t
        if seen is None:
            return
        gap = t - seen
        p = self.period
        if p is None:
            if MIN_PERIOD_S <= gap <= MAX_PERIOD_S:
                self.period = gap
                self.agreed = 0
            return
        n = max(1, round(gap / p))
        sample = gap / n
        if abs(sample - p) <= PERIOD_TOLERANCE * p:
            gain = PERIOD_GAIN if self.agreed >= PERIOD_AGREEMENT else 0.5
            self.period = p + gain * (sample - p)
            self.agreed += 1
            self.disagreed = 0
        else:
            self.disagreed += 1
            if self.disagreed >= 2 and MIN_PERIOD_S <= gap <= MAX_PERIOD_S:
                self.period = gap  # the estimate was wrong (a first guess, a RATE change)
                self.agreed = 0
                self.anchor = None

    def _refine(self, t: float, unc: float) -> None:
        """Measure the period over the span back to the anchor edge (error ``2 unc / k``
        over ``k`` periods instead of ``2 unc`` over one)."""
        a, p = self.anchor, self.period
        if a is None or p is None or not self.known:
            self.anchor = (t, unc)
            return
        k = round((t - a[0]) / p)
        if k >= ANCHOR_MIN_PERIODS:
            sample = (t - a[0]) / k
            if abs(sample - p) <= PERIOD_TOLERANCE * p:
                self.period = p + 0.5 * (sample - p)
        if k >= ANCHOR_MAX_PERIODS:
            self.anchor = (t, unc)

    def next_conv(self, now: float) -> tuple[float, float] | None:
        """The first conversion after ``last_conv`` that may still come at or after ``now``
        - ``unc``: ``(time, uncertainty)``, or None while the period or phase is unknown."""
        if self.period is None or self.last_conv is None or self.agreed < PERIOD_AGREEMENT:
            return None
        k = 1
        while True:
            t = self.last_conv + k * self.period
            unc = self.unc + k * PREDICT_UNC_PER_PERIOD * self.period
            if t + unc >= now:
                return t, unc
            k += 1

    def passed(self, t: float, unc: float) -> None:
        """A predicted conversion at ``t`` has finished unseen (DOUT was already low)."""
        self.last_conv, self.unc = t, unc


def verify(clock: ChipClock, high_at: float, low_at: float, start: float, end: float) -> str | None:
    """Whether a chip's word from the sweep that ran from ``start`` to ``end`` (s) is sound.

    Parameters
    ----------
    clock : ChipClock
        The chip's learned period (only its band is used, and only for V2).
    high_at : float
        Time (s) just before the last look that saw the chip's DOUT high (no unread word).
    low_at : float
        Time (s) just after the first look since then that saw it low (a word ready).
    start, end : float
        Just before the sweep's first rising edge and just after its 25th pulse (s).

    Returns
    -------
    str or None
        None when no conversion of this chip can have finished inside the sweep; else why
        not (``"unverified"``).
    """
    p_min = clock.p_min()
    if end < high_at + p_min:  # V1
        return None
    p_hi = clock.band_hi()
    if p_hi is not None and low_at + V2_GUARD * p_hi <= start and end < high_at + 2.0 * p_min:
        return None  # V2
    return "unverified"
