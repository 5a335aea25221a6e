"""Dateline's entry point: `python build.py [command]`. Everything happens in dateline.cli."""

from dateline.cli import run

if __name__ == "__main__":
    run()
