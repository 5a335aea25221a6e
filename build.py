"""Dateline's entry point: `python build.py [command]`. Everything happens in dateline.cli."""

from dateline.__main__ import run

if __name__ == "__main__":
    run()
