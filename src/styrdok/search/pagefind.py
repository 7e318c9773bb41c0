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
import hashlib
import json
import os
import re
import shutil
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


# -- the index in parts ---------------------------------------------------------------------------
PARTS_FILE = "styrdok-delar.json"
PART_PREFIX = "del-"
# What a part needs beside the primary index: not the JavaScript and CSS (the primary's pagefind.js
# searches every part).
_PART_SKIPS = (".js", ".css")


def part_count(pages: int) -> int:
    """How many parts the index of a site with about this many pages has: one index unless
    STYRDOK_SOK_DELSTORLEK (pages per part) is set, then one part per that many pages, at least one.

    Parts are not the default because they cost relevance: Pagefind ranks each part by its own word
    statistics and mergeIndex sorts those scores as if they were comparable. The example handbook
    with 1,000 generated pages found the expected page in the top 5 for 78 % of the queries with one
    index and 67 % with parts of 250 pages (bench/bench_search_relevance.py --fyllnad 1000). A
    handbook that needs a one-page rebuild more than that may choose them (STYRDOK_SOK_DELSTORLEK=250)."""
    value = os.environ.get("STYRDOK_SOK_DELSTORLEK", "")
    if not (value.isdigit() and int(value) > 0):
        return 1
    return max(1, pages // int(value))


def part_of(path: str, parts: int) -> int:
    """The part a page is in: a stable hash of its path (not its folder: each part is a sample of
    the whole handbook, so the word statistics Pagefind ranks by are about the same in each)."""
    return int(hashlib.sha256(path.encode("utf-8", "surrogatepass")).hexdigest()[:8], 16) % parts


def part_folder(part: int) -> str:
    """Where a part is inside pagefind/: the primary index is pagefind/ itself."""
    return "" if part == 0 else f"{PART_PREFIX}{part}"


class PartedFeed:
    """The search index in parts, each a Pagefind index of its own, merged by the search box
    (Pagefind's mergeIndex, overrides/assets/javascripts/styrdok-sok.js): after a page edit only
    the part that page is in is indexed again; the other parts are the last build's (.cache/site/sok/).

    Each page goes to the part part_of(its path) gives. A part is made again when one of its pages'
    searchable part (search_copy) differs from the last build's, or its pages are others or in
    another order; it then gets all its pages in the build's order, so it is the index a clean
    build makes. The pages of a part not (yet) known to change wait in memory; the first changed
    page starts the part's index in Pagefind's service, which then gets the waiting pages and every
    later one while MkDocs goes on. A clean build indexes every part while MkDocs writes. A single
    index (the default) is started with the first page and used only if a page changed."""

    def __init__(self, cache: Path, parts: int):
        self.cache = Path(cache)
        self.parts = parts
        self.version = _index_version()
        self.seen: list[list[list[str]]] = [[] for _ in range(parts)]
        self.waiting: list[list[tuple[str, str]]] = [[] for _ in range(parts)]
        self.index_ids: list[int | None] = [None] * parts
        self.service: Feed | None = None
        self.pages = 0
        self.failed: str | None = None
        self.output: Path | None = None
        self.last = self._last_build()
        # One index is started with the first page, so Pagefind works beside MkDocs' page loop
        # instead of after the first changed page (8 s at 2,000 pages); when no page changed after
        # all, the last build's index is used and the service stopped.
        self.eager = parts == 1

    def _last_build(self) -> list | None:
        try:
            meta = json.loads((self.cache / "delar.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if meta.get("version") != self.version or len(meta.get("parts") or []) != self.parts:
            return None
        return meta["parts"]

    def _key(self, part: int) -> str:
        return hashlib.sha256(json.dumps([self.version, self.parts, part, self.seen[part]]).encode()).hexdigest()

    def _start(self, part: int) -> None:
        """Index this part in the service: its waiting pages first."""
        if self.failed:
            return
        if self.service is None:
            try:
                self.service = Feed(first_index=False)
            except SearchIndexError as exc:
                self.failed = str(exc)
                return
        self.index_ids[part] = self.service.new_index()
        if self.index_ids[part] is None:
            self.failed = self.service.failed or "Pagefind startade inte."
            return
        for path, copy in self.waiting[part]:
            self.service.add_to(self.index_ids[part], path, copy)
        self.waiting[part] = []

    def add(self, path: str, copy: str) -> None:
        part = part_of(path, self.parts)
        digest = hashlib.sha256(copy.encode("utf-8", "surrogatepass")).hexdigest()
        at = len(self.seen[part])
        self.seen[part].append([path, digest])
        self.pages += 1
        if self.index_ids[part] is not None:
            self.service.add_to(self.index_ids[part], path, copy)
            return
        self.waiting[part].append((path, copy))
        last = self.last[part] if self.last else None
        if self.eager or last is None or at >= len(last) or last[at] != [path, digest]:
            self._start(part)

    def _reused(self, part: int) -> Path | None:
        """The last build's index of this part, if this build gave it the same pages."""
        if self.last is None or self.last[part] != self.seen[part]:
            return None
        folder = self.cache / self._key(part)
        return folder if (folder / "pagefind-entry.json").is_file() else None

    def _written(self, part: int) -> Path:
        return self.output.with_name(f"{self.output.name}.{PART_PREFIX}{part}")

    def finish(self, output: Path) -> "PartedFeed":
        """Every part that changed is asked for (into folders beside output; wait() moves them in)."""
        self.output = Path(output)
        for part in range(self.parts):
            if self.seen[part] and self.index_ids[part] is None and self._reused(part) is None:
                self._start(part)
        for part in range(self.parts):
            if self.index_ids[part] is not None and self.service is not None and self._reused(part) is None:
                self.service.write(self.index_ids[part], self._written(part))
        return self

    def wait(self) -> int:
        """The parts in place in output (pagefind/): the primary index there, the others in
        pagefind/del-N/, listed in pagefind/styrdok-delar.json; the cache then holds this build's
        parts. Returns the number of pages in the index; SearchIndexError if Pagefind failed."""
        from ..outputfiles import link_or_copy_tree
        try:
            if self.failed:
                raise SearchIndexError("Pagefind kunde inte bygga sökindexet. Meddelanden från Pagefind:\n"
                                       + self.failed)
            if self.pages == 0:
                raise SearchIndexError("Pagefind hittade inga sidor att indexera (inget data-pagefind-body i "
                                       "HTML:en?).")
            if self.service is not None and self.service.written:
                self.service.wait_written()
            keys: list[str | None] = []
            for part in range(self.parts):
                if not self.seen[part]:
                    keys.append(None)
                    continue
                key, target = self._key(part), self.output / part_folder(part)
                reused = self._reused(part)
                if reused is None:
                    written = self._written(part)
                    if part != 0:
                        for path in written.iterdir():
                            if path.is_file() and path.name.endswith(_PART_SKIPS):
                                path.unlink()
                    stored = self.cache / key
                    shutil.rmtree(stored, ignore_errors=True)
                    link_or_copy_tree(written, stored)
                    _place(written, target, move=True)
                else:
                    _place(reused, target, move=False)
                keys.append(key)
            folders = [part_folder(p) + "/" for p in range(1, self.parts) if self.seen[p]]
            (self.output / PARTS_FILE).write_text(json.dumps(folders) + "\n", encoding="utf-8")
            self._remember(keys)
            return self.pages
        finally:
            self.abort()

    def _remember(self, keys: list[str | None]) -> None:
        """This build's parts, for the next build; the cache keeps only them."""
        meta = {"version": self.version, "parts": self.seen}
        tmp = self.cache / ".delar.json.tmp"
        tmp.write_text(json.dumps(meta), encoding="utf-8")
        os.replace(tmp, self.cache / "delar.json")
        for entry in self.cache.iterdir():
            if entry.is_dir() and entry.name not in keys:
                shutil.rmtree(entry, ignore_errors=True)

    def abort(self) -> None:
        if self.service is not None:
            if not self.service.written:            # nothing asked of it (an index reused): stop it now
                with contextlib.suppress(OSError):
                    self.service.proc.kill()
            self.service.abort()
            self.service = None
        if self.output is not None:
            for part in range(self.parts):
                shutil.rmtree(self._written(part), ignore_errors=True)


def _place(src: Path, target: Path, move: bool) -> None:
    """A part's index into its place (the primary's files into pagefind/ itself): moved, or linked
    from the cache (nobody rewrites the files of an index in place)."""
    from ..outputfiles import link_or_copy_tree
    target.mkdir(parents=True, exist_ok=True)
    for entry in src.iterdir():
        if move:
            os.replace(entry, target / entry.name)
        elif entry.is_dir():
            link_or_copy_tree(entry, target / entry.name)
        else:
            try:
                os.link(entry, target / entry.name)
            except OSError:
                shutil.copy2(entry, target / entry.name)


def _index_version() -> str:
    """What a cached part was made with: styrdok's code and every installed version (Pagefind's)."""
    from ..site.cache import code_version
    return code_version()


def start_feed(root: Path | None = None, pages: int = 0) -> "Feed | PartedFeed":
    """Pagefind's service for the pages of one build (write_search_copy feeds it). With root: the
    index in part_count(pages) parts (one unless STYRDOK_SOK_DELSTORLEK is set), with its cache in
    root/.cache/site/sok/."""
    if root is None:
        return Feed()
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
