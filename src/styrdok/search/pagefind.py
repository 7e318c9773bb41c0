"""The search index: Pagefind over the built site, as a step of the atomic build (site/build.py).

Pagefind reads the built HTML (what `data-pagefind-body` marks, see overrides/partials/content.html),
stems Swedish (the pages say lang="sv") and writes `pagefind/`: a small entry file, the index in
fragments by word prefix, and its JavaScript. The browser then downloads only the fragments a
query needs, whatever the size of the handbook. The binary comes with the `pagefind-bin` package
(pinned in pyproject.toml); nothing is downloaded at build time.
"""
from __future__ import annotations

import base64
import contextlib
import json
import os
import re
import subprocess
import tempfile
import time
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


class Feed:
    """Pagefind's service (`pagefind --service`, the binary of pagefind-bin) given each page while
    MkDocs writes it: Pagefind parses the pages on the other core during the page loop, and only
    writing the index is left when MkDocs is done.

    The messages are the service's own (base64 of JSON, each followed by a comma: NewIndex, AddFile
    per page, WriteFiles), as the `pagefind` Python package sends them; that package is not used
    because it waits 0.1 s before reading each reply (a minute for 500 pages). Replies go to a
    temporary file, read once the index is written, so neither side waits on the other.

    One service can make several indexes (new_index); add and finish use the first."""

    def __init__(self, first_index: bool = True):
        exe = pagefind_executable()
        # Pagefind appends to the file (O_APPEND) while this process reads it through a file object
        # of its own (its own offset); the name is gone once both are open.
        fd, name = tempfile.mkstemp(prefix="styrdok-pagefind-")
        os.close(fd)
        try:
            with open(name, "ab") as writer:
                self.replies = open(name, "rb")
                self.proc = subprocess.Popen([str(exe), "--service"], stdin=subprocess.PIPE, stdout=writer,
                                             stderr=subprocess.STDOUT)
        finally:
            os.unlink(name)
        self.sent = 0
        self.pages = 0
        self._partial, self._parsed = b"", []
        self.failed: str | None = None
        self.written: list[int] = []
        self.index_id: int | None = None
        self._first = self._send(_NEW_INDEX) if first_index else None

    def _send(self, payload: dict) -> int:
        self.sent += 1
        message = json.dumps({"message_id": self.sent, "payload": payload}).encode("utf-8")
        try:
            self.proc.stdin.write(base64.b64encode(message) + b",")
        except (BrokenPipeError, OSError) as exc:
            self.failed = self.failed or f"Pagefind avslutades oväntat ({exc})."
        return self.sent

    def _replies(self) -> list[dict]:
        """Every reply so far (only what the service wrote since the last call is read and decoded)."""
        data = self.replies.read()
        *complete, self._partial = (self._partial + data).split(b",")
        for chunk in complete:
            chunk = chunk.strip()
            if not chunk:
                continue
            try:
                self._parsed.append(json.loads(base64.b64decode(chunk)))
            except ValueError:
                self._parsed.append({"payload": {"type": "Error",
                                                 "message": chunk.decode("utf-8", "replace")[:500]}})
        return self._parsed

    def _reply(self, message_id: int, timeout: float | None = None) -> dict | None:
        """The reply to message_id, once the service wrote it (None if it stopped first)."""
        started = time.monotonic()
        with contextlib.suppress(OSError):
            self.proc.stdin.flush()
        seen = 0
        while True:
            replies = self._replies()
            for reply in replies[seen:]:
                if reply.get("message_id") == message_id:
                    return reply["payload"]
            seen = len(replies)
            if self.proc.poll() is not None or (timeout is not None and time.monotonic() - started > timeout):
                return None
            time.sleep(0.01)

    def _index_made(self, message_id: int) -> int | None:
        reply = self._reply(message_id, timeout=60)
        if not reply or reply.get("type") != "NewIndex":
            self.failed = self.failed or f"Pagefind startade inte: {reply}"
            return None
        return reply["index_id"]

    def new_index(self) -> int | None:
        """A new empty index in the service; its id (None if the service failed)."""
        if self.failed:
            return None
        return self._index_made(self._send(_NEW_INDEX))

    def add_to(self, index_id: int | None, path: str, html: str) -> None:
        """One page into an index (its site-relative path: the URL is made from it as the CLI makes it)."""
        if self.failed or index_id is None:
            return
        self._send({"type": "AddFile", "index_id": index_id, "file_path": path, "url": None,
                    "file_contents": html})
        self.pages += 1

    def write(self, index_id: int | None, output: Path) -> None:
        """Ask for an index to be written into output; wait() waits for every index asked for."""
        if index_id is not None and not self.failed:
            self.written.append(self._send({"type": "WriteFiles", "index_id": index_id,
                                            "output_path": str(Path(output).resolve())}))
        with contextlib.suppress(OSError):
            self.proc.stdin.flush()

    def add(self, path: str, html: str) -> None:
        """One page into the first index."""
        if self.index_id is None and self._first is not None and not self.failed:
            self.index_id = self._index_made(self._first)
        self.add_to(self.index_id, path, html)

    def finish(self, output: Path) -> "Indexing | Feed":
        """Ask for the first index in output; wait() then waits for it."""
        self.write(self.index_id, output)
        return self

    def wait(self) -> int:
        """The number of pages indexed, once the index is written; SearchIndexError if it failed."""
        try:
            self.wait_written()
            indexed = sum(1 for r in self._replies() if r["payload"].get("type") == "IndexedFile")
            if indexed == 0:
                raise SearchIndexError("Pagefind hittade inga sidor att indexera (inget data-pagefind-body i "
                                       "HTML:en?).")
            return indexed
        finally:
            self.abort()

    def wait_written(self) -> None:
        """Until every index asked for is written; SearchIndexError if one failed."""
        replies = [None if self.failed else self._reply(message_id) for message_id in self.written]
        errors = [r["payload"].get("message", "") for r in self._replies() if r["payload"].get("type") == "Error"]
        if self.failed or not self.written or errors or \
                any(reply is None or reply.get("type") != "WriteFiles" for reply in replies):
            details = "\n".join([*([self.failed] if self.failed else []), *errors]) or "inget svar"
            raise SearchIndexError("Pagefind kunde inte bygga sökindexet. Meddelanden från Pagefind:\n" + details)

    def abort(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(OSError):
                self.proc.stdin.close()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.replies.close()


_NEW_INDEX = {"type": "NewIndex", "config": {"exclude_selectors": ["a.headerlink"]}}


def index_pages(pages, output: Path) -> int:
    """Pagefind's index of pages ((site-relative path, HTML) in order) into output; the count."""
    feed = Feed()
    for path, html in pages:
        feed.add(path, html)
    return feed.finish(output).wait()


def start_feed(root: Path | None = None, pages: int = 0) -> "Feed | PartedFeed":
    """Pagefind's service for the pages of one build (write_search_copy feeds it). With root: the
    index in part_count(pages) parts (one unless STYRDOK_SOK_DELSTORLEK is set), with its cache in
    root/.cache/site/sok/."""
    if root is None:
        return Feed()
    from .parts import PartedFeed, part_count
    cache = Path(root) / ".cache" / "site" / "sok"
    cache.mkdir(parents=True, exist_ok=True)
    return PartedFeed(cache, part_count(pages))


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


# Where the build in this process sends each page's search_copy (site/build.py sets it for the
# MkDocs run of `styrdok build`; a plain `mkdocs build` or `serve` sends none).
SEARCH_COPIES: dict[str, Feed | None] = {"feed": None}


def write_search_copy(dest_uri: str, html: str) -> None:
    """on_post_page: the page's search_copy to Pagefind, if this build indexes while it writes.
    A page without data-pagefind-body is left out, as the CLI leaves it out of a site where other
    pages have it."""
    feed = SEARCH_COPIES["feed"]
    if feed is not None and dest_uri.endswith(".html") and "data-pagefind-body" in html:
        feed.add(dest_uri, search_copy(html))
