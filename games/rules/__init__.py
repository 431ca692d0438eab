"""Game rules and world state, free of pygame so they run (and are tested) in virtual time.

Every module here takes times in seconds and centre-of-pressure values in millimetres, and
returns plain numbers and event names; the views in ``games/`` turn them into pictures and
sounds. Nothing here reads a clock or draws a random number it was not handed.
"""
