"""balance-trainer core: load cells to centre of pressure, sway metrics, tests and records.

This package never imports pygame or a GPIO library; see DESIGN.md's layering rules.
"""

__version__ = "0.1.0"

STANDARD_GRAVITY = 9.80665
"""m/s², used to turn newtons into kilograms for display."""
