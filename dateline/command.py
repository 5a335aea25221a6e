"""The command the user typed to run Dateline, so that messages can say what to type next."""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from pathlib import Path


def program() -> str:
    """How this process was started, as the user would type it again.

    `dateline` for the installed script (or its path, when it is not the one on PATH), `python -m dateline`
    for the package run as a module, and `python build.py` from a checkout, where "python" is whichever
    interpreter ran it: `.venv/bin/python build.py` unless that venv is the active one, since the system's
    own python lacks the dependencies.
    """
    script = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
    if script is None or script.name == "-c":
        return "dateline"
    if script.name == "__main__.py" and script.parent.name == "dateline":
        return f"{_python()} -m dateline"
    if script.suffix == ".py":
        return f"{_python()} {_shown(script)}"
    found = shutil.which(script.name)
    return script.name if found and os.path.abspath(found) == os.path.abspath(script) else _shown(script)


def _python() -> str:
    for name in ("python", "python3"):
        found = shutil.which(name)
        if found and os.path.abspath(found) == os.path.abspath(sys.executable):
            return name
    return _shown(Path(sys.executable))


def _shown(path: Path) -> str:
    """PATH relative to the current folder when it is inside it, else as an absolute path; quoted for a shell."""
    absolute = Path(os.path.abspath(path))
    try:
        return shlex.quote(str(absolute.relative_to(Path.cwd())))
    except ValueError:
        return shlex.quote(str(absolute))
