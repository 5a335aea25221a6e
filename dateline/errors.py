"""Errors that point at a file and line, and the exception that carries all of a build's errors."""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from pathlib import Path


@dataclass
class SourceError(Exception):
    """One problem in one input file: printed as `path:line: message` (line omitted when unknown).

    Raised where one file's check stops at its first problem; collected into a DatelineError by the stage.
    Not frozen: Python assigns __traceback__ on exceptions it raises.
    """

    path: Path
    message: str
    line: int | None = None

    def __reduce__(self):  # so errors found in worker processes travel back intact
        return (SourceError, (self.path, self.message, self.line))

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else f"{self.path}"
        return f"{where}: {self.message}"


class DatelineError(Exception):
    """Raised with every error found, so the user can fix them all in one go."""

    def __init__(self, errors: list[SourceError] | SourceError):
        self.errors = [errors] if isinstance(errors, SourceError) else list(errors)
        super().__init__("\n".join(str(e) for e in self.errors))


def internal_error(exc: Exception) -> SourceError:
    """An unexpected exception (a bug, not a bad file) as an error at its innermost frame."""
    frames = traceback.extract_tb(exc.__traceback__)
    frame = frames[-1] if frames else None
    return SourceError(Path(frame.filename if frame else "dateline"),
                       f"internal error: {type(exc).__name__}: {exc} (please report this)",
                       frame.lineno if frame else None)
