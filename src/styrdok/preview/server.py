"""`styrdok forhandsvisa`: the handbook on http://127.0.0.1:PORT/, each page made when it is asked for.

A save costs one page's rendering, not a site build. Before a page is served the watcher looks for
changed files (so a page asked for after a save is made from the saved files):

- a page's text changed: only that page is read again (its title may change the navigation);
- a page's front matter or a file in data/ changed: the handbook is loaded again (reusing what did
  not change) and put in place of the current one; MkDocs' files, navigation and theme stay, every
  page's title and the generated pages follow the new handbook (MkDocsSite.update);
- anything else (templates, mkdocs.yml, the theme overrides, a file added or removed): the site
  state is loaded anew — model, generated pages, files, navigation;
- after a text change the handbook is loaded again in the background too (pages made from other
  pages' text: the lagrum page, the search words), and pages that come out different reload.

Every page carries a small script (live reload) that waits on /_forhandsvisning/vanta for a change
and reloads when its page would now come out different. Problems are shown in the page and in the
terminal, in the check's words; the server keeps running. The search uses the Pagefind index of
the last `styrdok build` (site/pagefind/), and anything else the preview does not make itself
(Word and PDF files, the editor) comes from site/ as well.
"""
from __future__ import annotations

import faulthandler
import hashlib
import html
import json
import mimetypes
import posixpath
import signal
import sys
import threading
import time
import urllib.parse
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from .mkdocs_site import MkDocsSite, PageError, PreviewLoadError
from .search import PreviewSearch
from .watch import Watcher
from ..search.pagefind import BUNDLE_DIR

PREFIX = "/_forhandsvisning/"
POLL_SECONDS = 0.25
WAIT_SECONDS = 20
BACKGROUND_DELAY = 1.0          # after the last text save, before the model is loaded again

LIVE_SCRIPT = """
(function () {
  var me = document.currentScript;
  var page = me.getAttribute("data-sida"), hash = me.getAttribute("data-hash");
  var version = me.getAttribute("data-version");
  function wait() {
    fetch("/_forhandsvisning/vanta?sida=" + encodeURIComponent(page) + "&hash=" + hash +
          "&version=" + version, {cache: "no-store"})
      .then(function (r) { return r.json(); })
      .then(function (a) {
        if (a.ladda) { location.reload(); return; }
        version = a.version; wait();
      })
      .catch(function () { setTimeout(wait, 1000); });
  }
  wait();
})();
"""

NOTICE = ("Förhandsvisning: sidan görs om när du sparar. Sökningen utgår från det senaste bygget (make build); "
          "det du sparat syns i sökresultaten några sekunder efter att du öppnat sidan här.")


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


class Preview:
    """The site state and the watcher, used under one lock (MkDocs' objects are not thread-safe)."""

    def __init__(self, root: Path, *, log=None):
        self.root = Path(root).resolve()
        self.site_out = self.root / "site"
        self.site = MkDocsSite(self.root)
        self.lock = threading.RLock()
        self.changed = threading.Condition()
        self.version = 0
        self.load_problems: list[str] | None = None
        self.log = log or (lambda line: print(line, file=sys.stderr, flush=True))
        self.watcher = Watcher(self.root)
        self.model_stale_since: float | None = None
        self.changes = 0                # changes applied (a background load is used only if none came)
        self.background: threading.Thread | None = None
        self.stopping = threading.Event()
        self.search = PreviewSearch(self.root, self.log)
        self.needs_load = True          # the site must be loaded anew (files added or removed …)

    # -- state -----------------------------------------------------------------------------------
    def _loaded(self) -> MkDocsSite | list[str]:
        """A newly loaded site, or the problems that stop it (Swedish, with file and line)."""
        site = MkDocsSite(self.root, generation=self.site.generation + 1)
        try:
            seconds = site.load()
        except PreviewLoadError as exc:
            return exc.lines
        site.load_seconds = seconds
        return site

    def _use(self, loaded: MkDocsSite | list[str], why: str) -> None:
        if isinstance(loaded, list):
            if loaded != self.load_problems:
                self.log("Förhandsvisningen kan inte visa handboken förrän det här är rättat:")
                for line in loaded:
                    self.log(f"  {line}")
            self.load_problems = loaded
            return
        if self.load_problems:
            self.log("Rättat – handboken visas igen.")
        self.load_problems = None
        self.site = loaded
        self.log(f"{why}: handboken inläst på {loaded.load_seconds:.1f} s ({len(loaded.by_url)} sidor).")

    def load(self) -> None:
        with self.lock:
            self._load("Start")
            self.changes += 1

    def _load(self, why: str) -> None:
        """Load the site anew (under the lock)."""
        loaded = self._loaded()
        self._use(loaded, why)
        if not isinstance(loaded, list):
            self.needs_load = False

    def _update(self, why: str) -> None:
        """Load the handbook again into the current site (MkDocsSite.update), else the site anew."""
        if self.needs_load or self.site.config is None:
            return self._load(why)
        try:
            seconds = self.site.update()
        except PreviewLoadError as exc:
            return self._use(exc.lines, why)
        if seconds is None:
            return self._load(why)
        if self.load_problems:
            self.log("Rättat – handboken visas igen.")
        self.load_problems = None
        self.log(f"{why}: handboken uppdaterad på {seconds:.2f} s ({len(self.site.by_url)} sidor).")

    def sync(self) -> bool:
        """Apply what changed on disk since the last look. True if anything did."""
        with self.lock:
            changes = self.watcher.scan()
            if not changes:
                if self.model_stale_since and time.monotonic() - self.model_stale_since > BACKGROUND_DELAY:
                    self.model_stale_since = None
                    self._reload_in_background()
                return False
            self.changes += 1
            names = changes.names()
            why = "Ändrat " + ", ".join(names[:3]) + (" …" if len(names) > 3 else "")
            if changes.other:
                self.needs_load = True
            if changes.other or changes.model or self.load_problems is not None or self.needs_load:
                self.model_stale_since = None
                self._update(why)
            else:
                for src in sorted(changes.text_only):
                    if not self.site.page_changed(src):
                        self.model_stale_since = None
                        self._update(why)
                        break
                else:
                    # The page itself is right now; pages made from other pages' text (the lagrum page,
                    # the search words) follow when the model is loaded again, in the background.
                    self.model_stale_since = time.monotonic()
            self._bump()
            return True

    def _reload_in_background(self) -> None:
        """Load the site again without holding the lock (pages are served from the current state
        meanwhile) and use it if nothing else changed in the meantime; else the next look retries."""
        if self.background is not None and self.background.is_alive():
            self.model_stale_since = time.monotonic()
            return
        seen = self.changes
        anew = self.needs_load

        def work():
            loaded = self._loaded() if anew else None
            with self.lock:
                if self.changes != seen:
                    self.model_stale_since = time.monotonic()
                    return
                if loaded is None:
                    self._update("Texten ändrad")
                else:
                    self._use(loaded, "Texten ändrad")
                    if not isinstance(loaded, list):
                        self.needs_load = False
                self.changes += 1
                self._bump()

        self.background = threading.Thread(target=work, name="styrdok-omladdning", daemon=True)
        self.background.start()

    def _bump(self) -> None:
        with self.changed:
            self.version += 1
            self.changed.notify_all()

    def watch_forever(self) -> None:
        while not self.stopping.wait(POLL_SECONDS):
            try:
                self.sync()
                self.search.tick()
            except Exception as exc:                    # never stop watching
                self.log(f"Förhandsvisningen: {type(exc).__name__}: {exc}")

    # -- pages ---------------------------------------------------------------------------------
    def page(self, url: str) -> tuple[int, str, str]:
        """(status, html, hash) of the page at url ('' is the start page); 404 if it is no page."""
        self.sync()
        with self.lock:
            if self.load_problems is not None:
                return 500, self._problem_page(self.load_problems, url), "fel"
            if self.site.src_for_url(url) is None:
                raise KeyError(url)
            try:
                rendered = self.site.render(url)
            except PageError as exc:
                for line in exc.lines:
                    self.log(line)
                return 500, self._problem_page(exc.lines, url), "fel"
            src = self.site.src_for_url(url)
            problems = self.site.warnings_for(src, rendered.warnings) if rendered.warnings else []
            if not problems:
                self.search.page_made(self.site.dest_for_url(url), rendered.html)
            for line in problems:
                self.log(line)
            return 200, self._decorate(rendered.html, url, problems), _digest(rendered.html + repr(problems))

    def current_hash(self, url: str) -> str:
        try:
            return self.page(url)[2]
        except KeyError:
            return "saknas"

    def _script(self, url: str, digest: str) -> str:
        return (f'<script data-sida="{html.escape(url)}" data-hash="{digest}" data-version="{self.version}">'
                f"{LIVE_SCRIPT}</script>")

    def _decorate(self, page: str, url: str, problems: list[str]) -> str:
        digest = _digest(page + repr(problems))
        banner = ""
        if problems:
            items = "".join(f"<li><code>{html.escape(p)}</code></li>" for p in problems)
            banner = ('<div class="styrdok-forhandsvisning-fel" role="alert" style="background:#fde8e8;'
                      'color:#000;border:2px solid #b00020;padding:1em;margin:0">'
                      "<strong>Bygget stoppar på det här – rätta det innan du publicerar:</strong>"
                      f"<ul>{items}</ul></div>")
        notice = (f'<p class="styrdok-forhandsvisning" style="margin:0;padding:.3em 1em;font-size:.7rem;'
                  f'background:#fff8d6;color:#000">{html.escape(NOTICE)}</p>')
        head, sep, tail = page.partition("<body")
        if sep:
            open_end = tail.find(">") + 1
            page = head + sep + tail[:open_end] + notice + banner + tail[open_end:]
        marker = page.rfind("</body>")
        script = self._script(url, digest)
        return page[:marker] + script + page[marker:] if marker >= 0 else page + script

    def _problem_page(self, lines: list[str], url: str) -> str:
        items = "".join(f"<li><code>{html.escape(line)}</code></li>" for line in lines)
        return ('<!doctype html><html lang="sv"><head><meta charset="utf-8">'
                "<title>Fel i handboken – förhandsvisning</title></head>"
                '<body style="font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em">'
                "<h1>Sidan kan inte visas</h1><p>Rätta det här och spara; sidan laddas om av sig själv. "
                "Samma fel stoppar <code>styrdok build</code>.</p>"
                f"<ul>{items}</ul>{self._script(url, 'fel')}</body></html>")

    def static(self, url: str) -> tuple[bytes, str] | None:
        """A file the site has at url: the theme's and docs/ assets, generated files, the search
        index (PreviewSearch), else what the last build wrote in site/."""
        if url.startswith(BUNDLE_DIR + "/"):
            bundle = self.search.bundle_dir()
            target = (bundle / url[len(BUNDLE_DIR) + 1:]).resolve()
            if bundle.resolve() in target.parents and target.is_file():
                return target.read_bytes(), target.name
            return None
        with self.lock:
            try:
                data = self.site.static_file(url) if self.load_problems is None else None
            except OSError:
                data = None
            if data is not None:
                return data, posixpath.basename(url)
        target = (self.site_out / url).resolve()
        if self.site_out.resolve() in target.parents and target.is_file():
            return target.read_bytes(), target.name
        return None

    def wait(self, url: str, digest: str, version: int) -> dict:
        """Block until something changed after version (or WAIT_SECONDS passed); reload if the page
        at url now comes out different from what the browser shows (digest)."""
        end = time.monotonic() + WAIT_SECONDS
        while True:
            with self.changed:
                while self.version <= version and not self.stopping.is_set():
                    left = end - time.monotonic()
                    if left <= 0:
                        return {"ladda": False, "version": self.version}
                    self.changed.wait(left)
                if self.stopping.is_set():          # Ctrl+C: answer now, the server is closing
                    return {"ladda": False, "version": self.version}
                version = self.version
            if self.current_hash(url) != digest:
                return {"ladda": True, "version": version}
            if time.monotonic() >= end:
                return {"ladda": False, "version": version}


class _Handler(BaseHTTPRequestHandler):
    preview: Preview
    server_version = "styrdok-forhandsvisning"

    def log_message(self, format, *args):       # noqa: A002 – quiet: the preview logs its own lines
        pass

    def _send(self, status: int, body: bytes, ctype: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        parsed = urllib.parse.urlsplit(self.path)
        path = urllib.parse.unquote(parsed.path)
        try:
            if path.startswith(PREFIX + "vanta"):
                query = urllib.parse.parse_qs(parsed.query)
                answer = self.preview.wait(query.get("sida", [""])[0], query.get("hash", [""])[0],
                                           int(query.get("version", ["0"])[0] or 0))
                return self._send(200, json.dumps(answer).encode(), "application/json")
            rel = posixpath.normpath(path).lstrip("/")
            rel = "" if rel == "." else rel
            if rel and path.endswith("/"):
                rel += "/"
            if rel == "index.html" or rel.endswith("/index.html"):
                rel = rel[:-len("index.html")]
            page_url = rel + "/" if rel and not rel.endswith("/") and "." not in posixpath.basename(rel) else rel
            if page_url != rel and self.preview.site.src_for_url(page_url) is not None:
                self.send_response(HTTPStatus.MOVED_PERMANENTLY)
                self.send_header("Location", "/" + page_url)
                self.end_headers()
                return
            try:
                status, text, _ = self.preview.page(rel if rel.endswith("/") or rel == "" else page_url)
                return self._send(status, text.encode("utf-8", "xmlcharrefreplace"), "text/html; charset=utf-8")
            except KeyError:
                pass
            found = self.preview.static(rel)
            if found is None:
                return self._send(404, "<!doctype html><html lang=\"sv\"><title>Finns inte</title>"
                                  "<p>Sidan finns inte i handboken.</p>".encode(), "text/html; charset=utf-8")
            data, name = found
            ctype = mimetypes.guess_type(name)[0] or "application/octet-stream"
            if ctype.startswith("text/") or ctype in ("application/javascript", "application/json"):
                ctype += "; charset=utf-8"
            return self._send(200, data, ctype)
        except (BrokenPipeError, ConnectionResetError):
            return


def serve(root: Path, port: int = 8000, *, host: str = "127.0.0.1", ready=None) -> int:
    """Run the preview until Ctrl+C (or preview.stopping is set). ready(preview, server) is called once
    it listens (tests use it to stop it)."""
    from ..memo import session
    with session(root, save=False):     # the results the last build kept (calendars, search words …)
        return _serve(root, port, host=host, ready=ready)


def _serve(root: Path, port: int, *, host: str, ready) -> int:
    import os
    os.chdir(root)                  # MkDocs reads relative paths; the loading thread and the pages share it
    preview = Preview(root)
    preview.load()
    preview.search.start()
    handler = type("Handler", (_Handler,), {"preview": preview})
    try:
        server = ThreadingHTTPServer((host, port), handler)
    except OSError as exc:
        print(f"fel: Förhandsvisningen kan inte använda port {port} på {host} ({exc.strerror}). Stäng det "
              f"som redan använder den, eller välj en annan: styrdok forhandsvisa --port {port + 1}",
              file=sys.stderr)
        return 1
    server.daemon_threads = True
    if hasattr(signal, "SIGUSR1"):      # `kill -USR1 <pid>` prints what every thread is doing (a hang)
        faulthandler.register(signal.SIGUSR1, all_threads=True)
    watcher = threading.Thread(target=preview.watch_forever, name="styrdok-bevakning", daemon=True)
    watcher.start()
    preview.log(f"Förhandsvisningen: http://{host}:{server.server_address[1]}/ (Ctrl+C avslutar)")
    if ready is not None:
        ready(preview, server)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        preview.stopping.set()
        with preview.changed:
            preview.changed.notify_all()
        server.server_close()
    return 0
