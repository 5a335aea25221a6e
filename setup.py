"""Packaging step that pyproject.toml cannot declare: the default theme goes into the wheel.

The theme lives at the repository's root (templates/ and static/), because this repository is itself a
site. The wheel carries a copy as dateline/data/theme/, where dateline/render.py looks first; a checkout
(or an editable install) has no such copy and uses the root folders. All metadata is in pyproject.toml.
"""

import os

from setuptools import setup
from setuptools.command.build_py import build_py

THEME = ("templates", "static")


class BuildWithTheme(build_py):
    def run(self) -> None:
        super().run()
        for name in THEME:  # setuptools runs this in the project's folder (or the unpacked sdist's)
            self.copy_tree(name, os.path.join(self.build_lib, "dateline", "data", "theme", name))


setup(cmdclass={"build_py": BuildWithTheme})
