"""Packaging: the engine's templates, theme overrides, CSS and JS go into the wheel as package data
(styrdok/_motor/), so an installed styrdok needs no copy of this repository (see styrdok.engine)."""
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
ENGINE = {"templates": ROOT / "templates", "overrides": ROOT / "overrides"}
ASSETS = ("styrdok.css", "ledningssystem.css", "kvalitetsplan.js", "styrdok.js")


class BuildWithEngine(build_py):
    def run(self):
        super().run()
        target = Path(self.build_lib) / "styrdok" / "_motor"
        shutil.rmtree(target, ignore_errors=True)
        for name, source in ENGINE.items():
            shutil.copytree(source, target / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        (target / "assets").mkdir(parents=True)
        for name in ASSETS:
            shutil.copy2(ROOT / "docs" / "assets" / name, target / "assets" / name)


setup(cmdclass={"build_py": BuildWithEngine})
