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
    exe = pagefind_executable()
    proc = subprocess.run([str(exe), "--site", str(site_dir), "--output-subdir", BUNDLE_DIR,
                           "--exclude-selectors", "a.headerlink"],
                          capture_output=True, text=True)
    output = (proc.stdout + proc.stderr).strip()
    if proc.returncode != 0:
        raise SearchIndexError("Pagefind kunde inte bygga sökindexet. Meddelanden från Pagefind:\n" + output)
    match = re.search(r"Indexed (\d+) pages", output)
    pages = int(match.group(1)) if match else 0
    if pages == 0:
        raise SearchIndexError("Pagefind hittade inga sidor att indexera (inget data-pagefind-body i HTML:en?). "
                               "Meddelanden från Pagefind:\n" + output)
    return pages
