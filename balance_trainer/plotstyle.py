"""How the reports draw: one style per side and the display-free matplotlib back end.

Shared by the progress report and the programme's clinician page, so both print the same in
black and white: the left side solid black with filled circles, the right side dashed grey with
open squares (and hatched bars).
"""

from __future__ import annotations

from typing import Any

SIDE_STYLE: dict[str, dict[str, Any]] = {
    "left": {"color": "black", "linestyle": "-", "marker": "o", "markerfacecolor": "black"},
    "right": {"color": "0.45", "linestyle": "--", "marker": "s", "markerfacecolor": "white"},
}
SIDE_HATCH = {"left": "", "right": "///"}


def pyplot() -> Any:
    """matplotlib.pyplot on the Agg back end (never a display: the Pi may have none)."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt
