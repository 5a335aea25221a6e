"""Ctrl-C for the whole command: raised as KeyboardInterrupt, and remembered.

Python loses a KeyboardInterrupt raised while it runs callbacks of its own (a weak reference's, one the import
system uses, or those around fork()), printing it as "Exception ignored in ..." with a traceback. Remembered in
`requested`, such a Ctrl-C is not printed, and the preview, which runs until stopped, waits on `requested`: a
Ctrl-C at any moment of its start stops it.
"""

import signal
import sys
import threading

requested = threading.Event()


def on_signal(signum: int, frame: object) -> None:
    requested.set()
    raise KeyboardInterrupt


def install() -> None:
    """Handle Ctrl-C with on_signal from now on (the entry point calls it first thing)."""
    signal.signal(signal.SIGINT, on_signal)
    sys.unraisablehook = _unraisable


def _unraisable(unraisable: "sys.UnraisableHookArgs") -> None:
    if unraisable.exc_type is not None and issubclass(unraisable.exc_type, KeyboardInterrupt) and requested.is_set():
        return  # a Ctrl-C Python could not raise: `requested` has it
    sys.__unraisablehook__(unraisable)
