"""The installed theme's files, listed once per process instead of in every build.

Each MkDocs build lists every file of every theme folder (Files.add_files_from_theme, through the
theme environment's list_templates) and runs each name through its filter to find the static files
to copy. mkdocs-material's folder holds 14,500 files, 14,000 of them icons under .icons/, which the
filter always drops ('.*' and '*/.*'): 85 ms of CPU in every build of a small handbook, a sixth of it.

Here a theme folder outside the handbook (the installed theme, styrdok's own overrides) is walked
once per process, and names with a hidden part (`.icons/…`) are not offered to a filter that drops
such names anyway. The handbook's own folders (overrides/) are walked in every build, so a file
added there is seen at once; a file added to the installed theme is seen by the next process.
"""
from __future__ import annotations

import os
from pathlib import Path

import jinja2

_WALKED: dict[str, tuple[list[str], list[str]]] = {}      # folder -> (names, names with a hidden part)


def list_once(config) -> None:
    """Make the theme environments of this build (config.theme.get_env) list files as above."""
    theme = config.theme
    if getattr(theme.get_env, "_styrdok", False):
        return
    project = Path(config.config_file_path or config.docs_dir).resolve().parent
    get_env = theme.get_env

    def get_env_listing_once() -> jinja2.Environment:
        env = get_env()
        loader = env.loader
        if isinstance(loader, jinja2.FileSystemLoader):
            env.list_templates = lambda extensions=None, filter_func=None: _list(
                loader, project, extensions, filter_func)
        return env

    get_env_listing_once._styrdok = True
    theme.get_env = get_env_listing_once


def _hidden(name: str) -> bool:
    return name.startswith(".") or "/." in name


def _walk(folder: str) -> tuple[list[str], list[str]]:
    names = jinja2.FileSystemLoader(folder).list_templates()
    return [n for n in names if not _hidden(n)], [n for n in names if _hidden(n)]


def _list(loader: jinja2.FileSystemLoader, project: Path, extensions, filter_func) -> list[str]:
    """What jinja2.Environment.list_templates returns, from the walks above."""
    if extensions is not None:
        if filter_func is not None:
            raise TypeError("either extensions or filter_func can be passed, but not both")
        filter_func = lambda name: "." in name and name.rsplit(".", 1)[1] in extensions  # noqa: E731
    # a filter that drops hidden names (MkDocs' does) is not given the 14,000 icons to drop one by one
    skip_hidden = filter_func is not None and not filter_func(".icons/x.svg") and not filter_func("x/.y/z.css")
    names: set[str] = set()
    for folder in loader.searchpath:
        inside = Path(os.path.abspath(folder)).is_relative_to(project)
        if inside:
            plain, hidden = _walk(folder)
        else:
            if folder not in _WALKED:
                _WALKED[folder] = _walk(folder)
            plain, hidden = _WALKED[folder]
        names.update(plain)
        if not skip_hidden:
            names.update(hidden)
    found = sorted(names)
    return found if filter_func is None else [n for n in found if filter_func(n)]
