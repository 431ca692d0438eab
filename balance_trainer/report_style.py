"""How the reports draw: matplotlib without a display, and one style per side.

Shared by the progress report and the programme's page, so neither imports the other.
Readable printed in black and white: the left side is a solid black line with filled circles,
the right a dashed grey line with open squares; bars of the right side are hatched.
"""

from __future__ import annotations

from typing import Any

SIDE_STYLE: dict[str, dict[str, Any]] = {
    "left": {"color": "black", "linestyle": "-", "marker": "o", "markerfacecolor": "black"},
    "right": {"color": "0.45", "linestyle": "--", "marker": "s", "markerfacecolor": "white"},
}
SIDE_HATCH = {"left": "", "right": "///"}


def _plt() -> Any:
    import matplotlib

    matplotlib.use("Agg", force=True)  # never a display: the Pi may have none
    import matplotlib.pyplot as plt

    return plt


def _date_axis(ax: Any) -> None:
    import matplotlib.dates as mdates

    loc = mdates.AutoDateLocator(minticks=3, maxticks=7)
    ax.xaxis.set_major_locator(loc)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(loc))
