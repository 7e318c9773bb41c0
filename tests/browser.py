"""Real Chromium (Debian's /usr/bin/chromium, driven by Playwright) against a built site on 127.0.0.1."""
from __future__ import annotations

import contextlib
import functools
import http.server
import shutil
import tempfile
import threading
import weakref
from pathlib import Path

import pytest

from conftest import require_tool
# the product's: the tests see what `styrdok tillganglighet` sees
from styrdok.site.granskning import CHROMIUM_ARGS, WCAG_TAGS

CHROMIUM = "/usr/bin/chromium"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serve(folder: Path, handler_class: type = _QuietHandler):
    """Serve folder on 127.0.0.1 (a free port) for the duration of the block; yields the base URL.

    handler_class: a SimpleHTTPRequestHandler subclass (a test's own headers or error pages)."""
    handler = functools.partial(handler_class, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    # shutdown() waits for the loop to look again: every 0.05 s, not the default 0.5 s (half a second of
    # an idle core for each server a test or the session stops)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


_SHARED: dict = {}


class _Opened:
    """The shared browser as a test sees it: pages and contexts it opens are closed when its block ends."""

    def __init__(self, browser):
        self._browser, self._opened = browser, []

    def new_page(self, **options):
        page = self._browser.new_page(**options)          # a page in a new context of its own
        self._opened.append(page)
        return page

    def new_context(self, **options):
        context = self._browser.new_context(**options)
        self._opened.append(context)
        return context

    def __getattr__(self, name):
        return getattr(self._browser, name)

    def close_opened(self) -> None:
        for item in reversed(self._opened):
            item.close()


@contextlib.contextmanager
def chromium():
    """A headless Chromium browser; fails in CI and skips elsewhere when it is missing.

    One browser process per test process (started on first use, stopped at the end of the session by
    tests/conftest.py); every page is in a fresh context (no cookies, storage or cache shared), closed
    when the block ends."""
    require_tool(CHROMIUM, "webbläsartesterna kör Debians Chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    browser = _SHARED.get("browser")
    if browser is None or not browser.is_connected():
        playwright = _SHARED.get("playwright") or sync_api.sync_playwright().start()
        _SHARED["playwright"] = playwright
        browser = _SHARED["browser"] = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                                                  headless=True)
    opened = _Opened(browser)
    try:
        yield opened
    finally:
        opened.close_opened()


DEFAULT_VIEWPORT = {"width": 1280, "height": 720}          # Playwright's own default


@contextlib.contextmanager
def site_page(site: Path | None, viewport: dict | None = None, handler_class: type = _QuietHandler):
    """(page, base URL): the test process's reused Chromium page, on the test process's server for site.

    A new page costs a renderer process and a first load that compiles the theme's JavaScript and CSS
    afresh (~1 s CPU here); a page that stays open loads the next page of the same site in a fifth of
    that. So the page and one server per site (folder) stay up between the tests of a test process.
    What a test could leave behind is reset when its block ends: listeners added through
    outside_requests, emulated media (print), the site's cookies, localStorage and sessionStorage;
    the page is left on about:blank. The viewport is set when the block starts (Playwright's default
    size unless given). A test that needs a context of its own (JavaScript off, its own headers or
    policy, a copy of a site changed for the test) uses chromium().new_page(). handler_class: as for
    serve (a server of its own per site and handler class). site=None: the page alone, base None (for
    a test that runs a server of its own, such as the preview)."""
    with chromium() as browser:
        base = site_url(site, handler_class) if site is not None else None
        page = _SHARED.get("page")
        if page is None or page.is_closed():
            page = _SHARED["page"] = browser._browser.new_context().new_page()
        page.set_viewport_size(viewport or DEFAULT_VIEWPORT)
        ok = False
        try:
            yield page, base
            ok = True
        finally:
            _release(page, ok)


def site_url(site: Path, handler_class: type = _QuietHandler) -> str:
    """The base URL of the test process's server for site (started on first use, stopped at the end of
    the session): for a second site in a site_page block."""
    site = Path(site).resolve()
    servers = _SHARED.setdefault("servers", {})
    if (site, handler_class) not in servers:
        server = serve(site, handler_class)
        servers[site, handler_class] = (server, server.__enter__())
    return servers[site, handler_class][1]


def _release(page, ok: bool) -> None:
    for event, handler in _LISTENERS.pop(page, []):
        page.remove_listener(event, handler)
    if page.is_closed():
        return
    try:
        page.emulate_media(media="null")
        if page.url.startswith("http://127.0.0.1"):
            page.evaluate("() => { localStorage.clear(); sessionStorage.clear(); }")
        page.context.clear_cookies()
        page.goto("about:blank")
    except Exception:
        ok = False
    if not ok:                     # a test that failed may have left the page in any state: a new one next
        page.context.close()
        _SHARED.pop("page", None)


_LISTENERS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()      # page -> [(event, handler)]


def stop_shared_browser() -> None:
    """Stop the shared servers, browser and Playwright's driver (end of the test session)."""
    for server, _base in _SHARED.pop("servers", {}).values():
        server.__exit__(None, None, None)
    _SHARED.pop("page", None)
    browser, playwright = _SHARED.pop("browser", None), _SHARED.pop("playwright", None)
    if browser is not None:
        browser.close()
    if playwright is not None:
        playwright.stop()
    if "folder" in _AXE:
        shutil.rmtree(_AXE.pop("folder"), ignore_errors=True)
        _AXE.pop("url", None)


_AXE: dict = {}


def axe_violations(page, context=None, contrast: bool = True, frames: bool = True) -> list[dict]:
    """axe-core's WCAG 2.1 A/AA violations on the page as it is now (axe-core from the
    axe-playwright-python package). Only violations are sent back with their nodes: the passes and
    inapplicable rules of every page are many times larger and nobody reads them. contrast=False
    leaves out the color-contrast rule (about two thirds of axe's time on a page of the handbook):
    for a caller that checks contrast on other pages of the same kind. frames=False: the page's own
    document, not its frames. axe-core tests a frame only where axe-core is loaded in it too; in any
    other frame (the web editor's preview) it waits 0.5 s for an answer and then counts the frame
    as not tested, which is no violation. axe-core is loaded once per document: a single-page app
    (the web editor) keeps it from one screen to the next."""
    if "axe" not in _AXE:
        _AXE["axe"] = pytest.importorskip("axe_playwright_python.sync_playwright").Axe()
    options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
    if not contrast:
        options["rules"] = {"color-contrast": {"enabled": False}}
    if not frames:
        options["iframes"] = False
    return page.evaluate(_RUN_AXE, [_axe_url(), context, options])


# axe-core loaded into the page where it is not yet (a script element, as add_script_tag adds it), then
# run: one call into the page instead of three (is it loaded, load it, run it).
_RUN_AXE = """async ([url, context, options]) => {
  if (typeof window.axe?.run !== "function") {
    await new Promise((loaded, failed) => {
      const script = document.createElement("script");
      script.src = url;
      script.onload = loaded;
      script.onerror = () => failed(new Error("axe-core kunde inte laddas från " + url));
      document.head.appendChild(script);
    });
  }
  return (await axe.run(context || document, options)).violations;
}"""


def _axe_url() -> str:
    """axe-core's script on the test process's server: the page fetches it as a person's browser fetches
    a script (the second page on from Chromium's cache, compiled once), not 570 kB sent through
    Playwright on every page."""
    if "url" not in _AXE:
        folder = Path(tempfile.mkdtemp(prefix="styrdok-axe-"))
        (folder / "axe.min.js").write_text(_AXE["axe"].axe_script, encoding="utf-8")
        _AXE["folder"], _AXE["url"] = folder, site_url(folder) + "/axe.min.js"
    return _AXE["url"]


_SETTLED = """quiet => new Promise(resolve => {
  let timer;
  const observer = new MutationObserver(() => { clearTimeout(timer); timer = setTimeout(done, quiet); });
  function done() { observer.disconnect(); resolve(true); }
  observer.observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
  timer = setTimeout(done, quiet);
})"""


def dom_settled(page, quiet_ms: int = 300) -> None:
    """Wait until the page's DOM has not changed for quiet_ms (a script-built page such as the web
    editor has finished drawing what it fetched; "networkidle" never comes where a page polls)."""
    page.evaluate(_SETTLED, quiet_ms)


def outside_requests(page) -> list[str]:
    """Start recording requests that leave 127.0.0.1; returns the (live) list."""
    seen: list[str] = []

    def on_request(request):
        url = request.url
        if not (url.startswith("http://127.0.0.1") or url.startswith("data:") or url.startswith("blob:")
                or url.startswith("about:")):
            seen.append(url)

    page.on("request", on_request)
    _LISTENERS.setdefault(page, []).append(("request", on_request))    # site_page removes it
    return seen
