"""`python -m dateline`, the `dateline` script and build.py start here: Ctrl-C while Python is still loading
Dateline's modules ends the command quietly too (dateline.cli.run handles it from then on)."""

import sys

try:
    from dateline import interrupt

    interrupt.install()
    from dateline.cli import run
except KeyboardInterrupt:
    sys.exit(130)
except Exception as exc:
    from dateline.interrupt import from_ctrl_c  # loaded by now, unless its own import failed

    if from_ctrl_c(exc):  # a Ctrl-C Python wrapped in another exception (see interrupt.py)
        sys.exit(130)
    raise

if __name__ == "__main__":
    run()
