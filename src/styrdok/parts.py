"""Registries the later parts of the model plug into, so the core stays unaware of them.

- `GENERATED_PAGES`: functions (handbook) -> [(docs-relative path, Markdown)] for pages that exist
  only in the built site (per role "Mitt ansvar", overviews …). Their Markdown calls macros.
- `PRINT_PAGES`: functions (handbook) -> [PrintPage] for pages that are not styrdokument but are
  printed (styrdok.printpages): they get Word and PDF files and the page a download link.
- `PART_MODULES`: modules imported once before loading; importing them registers their loaders
  (`load.EXTRA_LOADERS`), macros (`render.markdown.PROVIDERS`) and generated pages.
"""
from __future__ import annotations

import importlib
from typing import Callable

from .model import Handbook

GeneratedPages = Callable[[Handbook], list[tuple[str, str]]]
GENERATED_PAGES: list[GeneratedPages] = []

# Files other than pages (an .ics calendar, an Atom feed, diagrams): handbook -> [(site path, make)],
# make() -> the file's bytes. A file's path is known without making it: the preview knows at once the
# calendar a save adds (a role's first document) and makes its bytes only when it is asked for.
GeneratedFiles = Callable[[Handbook], list[tuple[str, Callable[[], bytes]]]]
GENERATED_FILES: list[GeneratedFiles] = []

# Pages other than styrdokument that get Word and PDF files (a process, the kvalitetsplan, Mitt ansvar,
# an enhet's ledningssystem): handbook -> [styrdok.printpages.PrintPage].
PrintPages = Callable[[Handbook], list]
PRINT_PAGES: list[PrintPages] = []

PART_MODULES: list[str] = ["styrdok.changes", "styrdok.overviews", "styrdok.ledningssystem", "styrdok.overdue",
                           "styrdok.decided", "styrdok.decided_pages", "styrdok.guard", "styrdok.tillganglighet"]

# JSON Schemas for editors: name -> (file glob relative to the handbook root, type to describe).
SCHEMAS: dict[str, tuple[str, object]] = {}

_loaded = False


def load_parts() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    for name in PART_MODULES:
        importlib.import_module(name)


# The last handbook's generated pages and files: the check and the site build of one `styrdok build`
# ask for them with the same (frozen) handbook; the review calendars alone took seconds at 500 documents.
_LAST: dict[str, tuple[Handbook, list]] = {}


def _made(kind: str, makers, handbook: Handbook) -> list:
    last = _LAST.get(kind)
    if last is not None and last[0] is handbook:
        return list(last[1])
    load_parts()
    out: list = []
    for make in makers:
        out.extend(make(handbook))
    _LAST[kind] = (handbook, out)
    return list(out)


def generated_pages(handbook: Handbook) -> list[tuple[str, str]]:
    return _made("pages", GENERATED_PAGES, handbook)


def generated_file_paths(handbook: Handbook) -> list[str]:
    """The site paths of the generated files, without making them."""
    load_parts()
    return [path for part in GENERATED_FILES for path, _ in part(handbook)]


def _make_files(handbook: Handbook) -> list[tuple[str, bytes]]:
    return [(path, make()) for part in GENERATED_FILES for path, make in part(handbook)]


def generated_files(handbook: Handbook) -> list[tuple[str, bytes]]:
    """The generated files with their bytes: (site path, bytes)."""
    return _made("files", [_make_files], handbook)


def print_pages(handbook: Handbook) -> list:
    return _made("print", PRINT_PAGES, handbook)
