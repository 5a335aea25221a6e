"""Ctrl-C for the whole command: raised as KeyboardInterrupt, and remembered.

Python loses a KeyboardInterrupt raised while it runs callbacks of its own (a weak reference's, one the import
system uses, or those around fork()), printing it as "Exception ignored in ..." with a traceback. Remembered in
`requested`, such a Ctrl-C is not printed, and the preview, which runs until stopped, waits on `requested`: a
Ctrl-C at any moment of its start stops it.

Python also wraps a KeyboardInterrupt raised in some of its machinery in another exception (before 3.12, one
from a class attribute's __set_name__, such as a dataclass field's, becomes a RuntimeError): an `except
Exception` that turns what it caught into a message or a traceback asks `from_ctrl_c` first.
"""

import signal
import sys
import threading

requested = threading.Event()


def on_signal(signum: int, frame: object) -> None:
    requested.set()
    raise KeyboardInterrupt


def from_ctrl_c(exc: BaseException) -> bool:
    """Whether EXC comes of a Ctrl-C: a KeyboardInterrupt is in its chain of causes, or Ctrl-C was pressed (the
    command is stopping; what failed after may have failed for that, as when Python lost the KeyboardInterrupt)."""
    if requested.is_set():
        return True
    chain: list[BaseException | None] = [exc]
    seen: set[int] = set()
    while chain:
        cause = chain.pop()
        if cause is None or id(cause) in seen:
            continue
        if isinstance(cause, KeyboardInterrupt):
            return True
        seen.add(id(cause))
        chain += [cause.__cause__, cause.__context__]
        if isinstance(cause, BaseExceptionGroup):
            chain += cause.exceptions
    return False


def stop_if_ctrl_c(exc: BaseException) -> None:
    """Raise KeyboardInterrupt if EXC comes of a Ctrl-C (see from_ctrl_c), so that it ends the command as one."""
    if from_ctrl_c(exc):
        raise KeyboardInterrupt from None


def install() -> None:
    """Handle Ctrl-C with on_signal from now on (the entry point calls it first thing)."""
    signal.signal(signal.SIGINT, on_signal)
    sys.unraisablehook = _unraisable


def _unraisable(unraisable: "sys.UnraisableHookArgs") -> None:
    if unraisable.exc_type is not None and issubclass(unraisable.exc_type, KeyboardInterrupt) and requested.is_set():
        return  # a Ctrl-C Python could not raise: `requested` has it
    sys.__unraisablehook__(unraisable)
