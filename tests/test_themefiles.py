"""The installed theme's files are listed once per process (styrdok.site.themefiles): a build copies
the same static files as MkDocs' own listing, and a file added to the handbook's overrides/ is seen by
the next build in the same process."""
from __future__ import annotations

import os

from mkdocs.config import load_config
from mkdocs.structure.files import get_files

from styrdok.site.themefiles import list_once


def _theme_files(root, once: bool) -> list[str]:
    cwd = os.getcwd()
    os.chdir(root)
    try:
        config = load_config(str(root / "mkdocs.yml"))
        if once:
            list_once(config)
        files = get_files(config)
        env = config.theme.get_env()
        files.add_files_from_theme(env, config)
        return sorted(f.src_uri for f in files if f.abs_src_path and not f.abs_src_path.startswith(str(root / "docs")))
    finally:
        os.chdir(cwd)


def test_the_static_files_of_the_theme_are_the_ones_mkdocs_lists(mini):
    plain = _theme_files(mini, once=False)
    assert any(name.startswith("assets/javascripts/") for name in plain), plain
    assert _theme_files(mini, once=True) == plain
    assert _theme_files(mini, once=True) == plain                   # listed from what was walked
    (mini / "overrides" / "assets").mkdir(exist_ok=True)
    (mini / "overrides" / "assets" / "kommun.css").write_text("body { color: black }\n", encoding="utf-8")
    (mini / "overrides" / ".dold.css").write_text("", encoding="utf-8")
    after = _theme_files(mini, once=True)
    assert after == _theme_files(mini, once=False) == sorted([*plain, "assets/kommun.css"])
