"""Everything that touches a pin or a device: HX711 chips, the simulated board, recordings
played back, buttons and LEDs, the Wii Balance Board. Takes from the core only its errors,
the board configuration and the frame type."""
