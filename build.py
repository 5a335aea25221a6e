"""Dateline's entry point: `python build.py [command]`. Everything happens in dateline.cli."""

try:
    from dateline.__main__ import run
except KeyboardInterrupt:  # Ctrl-C while Python loads Dateline: see dateline/__main__.py
    raise SystemExit(130) from None

if __name__ == "__main__":
    run()
