"""The pygame application: screens and biofeedback games, fed a live balance stream."""
