"""One exception tree for the whole project.

Every error the project raises on purpose derives from :class:`BalanceTrainerError`, mixed with
the builtin a caller would expect (``ValueError`` for bad input, ``OSError`` for environment
faults, ``TimeoutError`` for a silent chip). Messages name the thing, the bad value and the fix.

``exit_status`` is what the command line returns for the error: 2 for bad input or usage,
1 for faults of the environment (hardware, disk, permissions).
"""

from __future__ import annotations


class BalanceTrainerError(Exception):
    """Root of every deliberate error in balance-trainer."""

    exit_status = 2


# --- bad input (exit status 2) ---------------------------------------------------------------


class UsageError(BalanceTrainerError, ValueError):
    """A command-line option or argument is wrong (unknown name, bad side, ...)."""


class BoardConfigError(BalanceTrainerError, ValueError):
    """A board file is malformed or inconsistent."""


class CalibrationError(BalanceTrainerError, ValueError):
    """A calibration file or a calibration step is unusable."""


class RecordingError(BalanceTrainerError, ValueError):
    """A recording file is malformed (missing keys, truncated row, text for a number...)."""


class DataFormatError(RecordingError):
    """A data file's format is unknown or does not match what it claims to be."""


class AnalysisError(BalanceTrainerError, ValueError):
    """Data cannot be analysed as asked (NaN, time going backwards, zero load...)."""


class InsufficientDataError(AnalysisError):
    """Too few samples for the requested measure."""


class ProtocolError(BalanceTrainerError, ValueError):
    """A clinical test was asked for with impossible parameters."""


class StoreError(BalanceTrainerError):
    """The database cannot be used as asked."""


class UnknownPersonError(StoreError, KeyError):
    """No person with that id is in the store."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class StoreVersionError(StoreError, ValueError):
    """The database was written by a newer version of balance-trainer."""


class StoreCorruptError(StoreError, ValueError):
    """The database file is not SQLite or is damaged."""


# --- faults of the environment (exit status 1) -----------------------------------------------


class EnvironmentFault(BalanceTrainerError, OSError):
    """Something outside the input is wrong: disk full, read-only, no display..."""

    exit_status = 1


class StoreUnavailableError(StoreError, OSError):
    """The database cannot be opened or written (read-only or full disk, permissions)."""

    exit_status = 1


class SensorError(BalanceTrainerError, OSError):
    """A sensor (HX711 chip, Wii board) misbehaves or cannot be reached."""

    exit_status = 1


class SensorTimeout(SensorError, TimeoutError):
    """A chip never signalled data ready within the timeout."""


class SensorFault(SensorError):
    """A chip returned readings that cannot be right (saturated, stuck, garbage)."""


class PinConfigError(SensorError, ValueError):
    """Pins named in the board file cannot be used (unknown name, shared DOUT)."""

    exit_status = 2


class BoardDisconnected(SensorError):
    """The board stopped delivering frames (unplugged, reader process died)."""


class DisplayError(EnvironmentFault):
    """A display is needed but none is available."""


# --- appended for issue 17 (bad input, nothing lost) -------------------------------------------


class SettingsError(BalanceTrainerError, ValueError):
    """The settings file (or a variable naming it) is missing, unreadable or has bad values."""


class DiskFullError(EnvironmentFault):
    """A file could not be written because the disk is full; what was there is kept."""


class PinLockedError(BalanceTrainerError, PermissionError):
    """The clinician settings are locked (damaged settings file, or too many wrong PINs)."""

    exit_status = 1
