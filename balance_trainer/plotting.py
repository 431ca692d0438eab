"""Matplotlib for the reports: a display-free backend and the per-side line styles.

Shared by the trial report (:mod:`balance_trainer.report`) and the programme's page
(:mod:`balance_trainer.report_programme`), so neither imports the other. Matplotlib is
imported only when a figure is drawn: the commands that never plot start faster.
"""

from __future__ import annotations

from typing import Any

SIDE_STYLE: dict[str, dict[str, Any]] = {
    "left": {"color": "black", "linestyle": "-", "marker": "o", "markerfacecolor": "black"},
    "right": {"color": "0.45", "linestyle": "--", "marker": "s", "markerfacecolor": "white"},
}
"""Left and right told apart without colour (black solid circles, grey dashed squares), so the
report reads the same printed in black and white."""
SIDE_HATCH = {"left": "", "right": "///"}
"""Bar fill per side, for the same reason."""


def pyplot() -> Any:
    """``matplotlib.pyplot`` on the Agg backend (never a display: the Pi may have none)."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt
