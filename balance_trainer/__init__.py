"""balance-trainer core: load cells to centre of pressure, sway metrics, tests and records.

This package never imports pygame or a GPIO library; see DESIGN.md's layering rules.
"""

__version__ = "0.1.0"

from .constants import STANDARD_GRAVITY

__all__ = ["STANDARD_GRAVITY", "__version__"]
