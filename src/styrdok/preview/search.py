"""Search in the preview: the last build's Pagefind index at first, then one the preview makes again
in the background after saves.

Pagefind has no incremental index: it indexes a folder of pages. The preview keeps such a folder
(.cache/forhandsvisning/sidor/: the searchable part of every page, styrdok.search.pagefind.search_copy),
filled from the built site/ once and then from every page the preview makes that came out different.
A few seconds after the last such change Pagefind runs again (at low priority, in its own process)
into a new folder, which then replaces the index served at /pagefind/. Until a build exists, the
preview has no search.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
from pathlib import Path

from ..search.pagefind import BUNDLE_DIR, SearchIndexError, pagefind_executable, search_copy

DELAY_SECONDS = 1.0             # after the last changed page, before Pagefind runs (saves come seconds apart)


class PreviewSearch:
    def __init__(self, root: Path, log):
        self.root = Path(root)
        self.site = self.root / "site"
        self.folder = self.root / ".cache" / "forhandsvisning"
        self.pages = self.folder / "sidor"
        self.index = self.folder / BUNDLE_DIR
        self.log = log
        self.lock = threading.Lock()
        self.dirty_since: float | None = None
        self.running = False
        self.seeded = False
        self.made: set[str] = set()
        self.indexed = 0                # how many times the preview made the index

    def bundle_dir(self) -> Path:
        """Where /pagefind/ is served from: the preview's own index once it made one, else the build's."""
        return self.index if (self.index / "pagefind.js").is_file() else self.site / BUNDLE_DIR

    def start(self) -> None:
        """Fill the folder of pages from the last build, in the background (once per process)."""
        if self.site.is_dir():
            threading.Thread(target=self._seed, name="styrdok-sokindex-start", daemon=True).start()

    def _seed(self) -> None:
        """The searchable part of every page of the last build, except pages the preview made since
        (the previous preview's pages are replaced: the build may be newer)."""
        for path in self.site.rglob("*.html"):
            rel = path.relative_to(self.site)
            if rel.parts[0] in (BUNDLE_DIR, "redigera", "assets"):
                continue
            copy = search_copy(path.read_text(encoding="utf-8", errors="replace"))
            with self.lock:
                if rel.as_posix() in self.made:
                    continue
                target = self.pages / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(copy, encoding="utf-8")
        with self.lock:
            self.seeded = True

    def page_made(self, dest_uri: str, html: str) -> None:
        """A page the preview made: if its searchable part changed, index again soon."""
        if not dest_uri.endswith(".html") or not self.site.is_dir():
            return
        copy = search_copy(html)
        with self.lock:
            self.made.add(dest_uri)
            target = self.pages / dest_uri
            try:
                if target.read_text(encoding="utf-8") == copy:
                    return
            except OSError:
                pass
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(copy, encoding="utf-8")
            self.dirty_since = time.monotonic()

    def tick(self) -> None:
        """Called a few times a second: start Pagefind when pages changed and the saves paused."""
        with self.lock:
            if (self.running or not self.seeded or self.dirty_since is None
                    or time.monotonic() - self.dirty_since < DELAY_SECONDS):
                return
            self.dirty_since = None
            self.running = True
        threading.Thread(target=self._run, name="styrdok-sokindex", daemon=True).start()

    def _run(self) -> None:
        fresh = self.folder / (BUNDLE_DIR + "-ny")
        shutil.rmtree(fresh, ignore_errors=True)
        started = time.perf_counter()
        try:
            exe = pagefind_executable()
            # Low priority, set from outside: preexec_fn is unsafe in a process with threads (the
            # forked child can deadlock before exec).
            proc = subprocess.Popen([str(exe), "--site", str(self.pages), "--output-path", str(fresh),
                                     "--exclude-selectors", "a.headerlink"],
                                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            try:
                os.setpriority(os.PRIO_PROCESS, proc.pid, 15)
            except OSError:
                pass                                    # already done, or not allowed: normal priority
            output, _ = proc.communicate()
            if proc.returncode != 0:
                raise SearchIndexError("Pagefind kunde inte bygga sökindexet: " + output[-1000:])
            old = self.folder / (BUNDLE_DIR + "-gammal")
            shutil.rmtree(old, ignore_errors=True)
            if self.index.exists():
                os.replace(self.index, old)
            os.replace(fresh, self.index)
            shutil.rmtree(old, ignore_errors=True)
            self.indexed += 1
            self.log(f"Sökindexet uppdaterat på {time.perf_counter() - started:.1f} s.")
        except (OSError, SearchIndexError) as exc:
            self.log(f"varning: Sökningen i förhandsvisningen uppdaterades inte: {exc}")
        finally:
            with self.lock:
                self.running = False
