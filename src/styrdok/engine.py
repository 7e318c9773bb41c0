"""Where the engine's own files are: templates, theme overrides, CSS and JS.

In an installed wheel they are package data under styrdok/_motor/ (setup.py copies them there);
run from the repository they are the repository's templates/, overrides/ and docs/assets/.
A kommun's handbook holds only its content and configuration and finds the rest here.
"""
from __future__ import annotations

from pathlib import Path

_PACKAGED = Path(__file__).resolve().parent / "_motor"
_REPO = Path(__file__).resolve().parents[2]

# The site's own CSS and JS (added by the MkDocs plugin styrdok.site.plugin when a handbook lacks them).
ASSETS = ("styrdok.css", "ledningssystem.css", "kvalitetsplan.js", "styrdok.js")


def engine_dir() -> Path:
    return _PACKAGED if _PACKAGED.is_dir() else _REPO


def templates_dir() -> Path:
    return engine_dir() / "templates"


def overrides_dir() -> Path:
    return engine_dir() / "overrides"


def assets_dir() -> Path:
    base = engine_dir()
    return base / "assets" if base == _PACKAGED else base / "docs" / "assets"
