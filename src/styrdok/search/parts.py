"""The search index in parts (STYRDOK_SOK_DELSTORLEK): one Pagefind index per share of the pages,
merged by the search box, so that a page edit indexes one part again. Not the default (part_count
says why); search/pagefind.py starts it (start_feed) and gives each part its Pagefind service (Feed).
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
from pathlib import Path

from .pagefind import Feed, SearchIndexError

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
