"""Command modules of the ``balance-trainer`` CLI, one per command (discovered by cli.py)."""
