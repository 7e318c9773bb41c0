"""The search index: Pagefind over the built site, as a step of the atomic build (site/build.py).

Pagefind reads the built HTML (what `data-pagefind-body` marks, see overrides/partials/content.html),
stems Swedish (the pages say lang="sv") and writes `pagefind/`: a small entry file, the index in
fragments by word prefix, and its JavaScript. The browser then downloads only the fragments a
query needs, whatever the size of the handbook. The binary comes with the `pagefind-bin` package
(pinned in pyproject.toml); nothing is downloaded at build time.
"""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

BUNDLE_DIR = "pagefind"


class SearchIndexError(Exception):
    """Pagefind could not index the site (Swedish message)."""


def index_abbreviations(html: str) -> str:
    """Let Pagefind index the title of every <abbr> (the expansion from begrepp) with the word,
    so "medicinskt ansvarig" finds the pages that only say MAS. Python-Markdown's abbr writes
    exactly `<abbr title="…">`."""
    return html.replace("<abbr title=", '<abbr data-pagefind-index-attrs="title" title=')


def pagefind_executable() -> Path:
    try:
        from pagefind_bin import get_executable
    except ImportError:
        raise SearchIndexError("Pagefind saknas i Python-miljön. Kör 'make build' (installerar pagefind-bin "
                               "enligt pyproject.toml).") from None
    try:
        return get_executable()
    except FileNotFoundError as exc:
        raise SearchIndexError(f"Pagefinds program saknas i paketet pagefind-bin: {exc}. "
                               "Installera om: .venv/bin/pip install --force-reinstall pagefind-bin") from None


def index_site(site_dir: Path) -> int:
    """Write the search index into site_dir/pagefind/; returns the number of pages indexed."""
    return start_index(site_dir).wait()


class Indexing:
    """Pagefind running in its own process (the other core) while the build goes on."""

    def __init__(self, proc: subprocess.Popen):
        self.proc = proc

    def wait(self) -> int:
        """The number of pages indexed, once Pagefind is done; SearchIndexError if it failed."""
        out, _ = self.proc.communicate()
        output = (out or "").strip()
        if self.proc.returncode != 0:
            raise SearchIndexError("Pagefind kunde inte bygga sökindexet. Meddelanden från Pagefind:\n" + output)
        match = re.search(r"Indexed (\d+) pages", output)
        pages = int(match.group(1)) if match else 0
        if pages == 0:
            raise SearchIndexError("Pagefind hittade inga sidor att indexera (inget data-pagefind-body i HTML:en?). "
                                   "Meddelanden från Pagefind:\n" + output)
        return pages

    def abort(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.communicate()


def start_index(site_dir: Path, pages_dir: Path | None = None) -> Indexing:
    """Start Pagefind on the site's pages, writing the index into site_dir/pagefind/.

    pages_dir: the searchable part of every page (search_copy), written while MkDocs built the
    site; Pagefind then reads a quarter of the bytes and the site may be changed by later build
    steps while it runs. Its index is the one of the whole pages: Pagefind reads nothing outside
    data-pagefind-body but the page's language."""
    exe = pagefind_executable()
    source = Path(pages_dir or site_dir).resolve()
    proc = subprocess.Popen([str(exe), "--site", str(source), "--output-path", str(Path(site_dir).resolve() / BUNDLE_DIR),
                             "--exclude-selectors", "a.headerlink"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return Indexing(proc)


_LANG = re.compile(r"<html\b[^>]*\blang=(\"[^\"]*\"|'[^']*')")
_DIV = re.compile(r"<(/?)div\b", re.I)


def search_copy(html: str) -> str:
    """What Pagefind reads of a page: its language and the element marked data-pagefind-body
    (everything Pagefind indexes, its metadata and filters are inside it: overrides/partials/
    content.html), as a small page of its own. A page without it is indexed by nobody."""
    lang = _LANG.search(html)
    quoted_lang = lang.group(1) if lang else '""'
    head = f"<!doctype html><html lang={quoted_lang}><head></head><body>"
    at = html.find("data-pagefind-body")
    start = html.rfind("<div", 0, at) if at >= 0 else -1
    if start < 0:
        return head + "</body></html>"
    depth = 0
    for m in _DIV.finditer(html, start):
        depth += -1 if m.group(1) else 1
        if depth == 0:
            end = html.find(">", m.end()) + 1
            return head + html[start:end] + "</body></html>"
    return head + html[start:] + "</body></html>"


# Where the build in this process writes each page's search_copy (site/build.py sets it for the
# MkDocs run of `styrdok build`; a plain `mkdocs build` or `serve` writes none).
SEARCH_COPIES: dict[str, Path | None] = {"dir": None}


def write_search_copy(dest_uri: str, html: str) -> None:
    """on_post_page: the page's search_copy beside the others, if this build collects them."""
    folder = SEARCH_COPIES["dir"]
    if folder is not None and dest_uri.endswith(".html"):
        path = Path(folder) / dest_uri
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(search_copy(html), encoding="utf-8")
