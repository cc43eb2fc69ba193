"""Errors a user can cause, each with a message that says how to fix it."""

__all__ = ["AnalysisError", "ConfigError", "InputError", "TooShortError"]


class AnalysisError(Exception):
    """Base class: the CLI prints the message (no traceback) and exits non-zero."""

    exit_code = 1


class ConfigError(AnalysisError):
    """A configuration, dyad, taxonomy or lexicon file is unusable (exit code 2)."""

    exit_code = 2


class InputError(AnalysisError):
    """The corpus as a whole cannot be read (exit code 3)."""

    exit_code = 3


class TooShortError(AnalysisError):
    """A series is too short for the statistic asked for (exit code 4)."""

    exit_code = 4
