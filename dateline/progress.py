"""A progress bar on the terminal for builds that take more than a second; silent anywhere else."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class ProgressBar:
    """Call it with (label, done, total). Nothing is drawn before DELAY seconds or when STREAM is no terminal."""

    WIDTH = 30

    def __init__(self, stream: TextIO = sys.stderr, delay: float = 1.0) -> None:
        self._stream = stream
        self._started = time.monotonic()
        self._delay = delay
        self._drawn = False
        self._enabled = stream.isatty()

    def __call__(self, label: str, done: int, total: int) -> None:
        if not self._enabled or (not self._drawn and time.monotonic() - self._started < self._delay):
            return
        filled = self.WIDTH * done // max(total, 1)
        self._stream.write(f"\r{label:<17} [{'#' * filled}{'.' * (self.WIDTH - filled)}] {done}/{total}")
        self._stream.flush()
        self._drawn = True

    def close(self) -> None:
        """Clear the bar's line so the summary that follows starts clean."""
        if self._drawn:
            self._stream.write("\r\033[K")
            self._stream.flush()
