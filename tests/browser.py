"""Real Chromium (Debian's /usr/bin/chromium, driven by Playwright) against a built site on 127.0.0.1."""
from __future__ import annotations

import contextlib
import functools
import http.server
import threading
from pathlib import Path

import pytest

from conftest import require_tool

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serve(folder: Path):
    """Serve folder on 127.0.0.1 (a free port) for the duration of the block; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def chromium():
    """A headless Chromium browser; fails in CI and skips elsewhere when it is missing."""
    require_tool(CHROMIUM, "webbläsartesterna kör Debians Chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


def outside_requests(page) -> list[str]:
    """Start recording requests that leave 127.0.0.1; returns the (live) list."""
    seen: list[str] = []

    def on_request(request):
        url = request.url
        if not (url.startswith("http://127.0.0.1") or url.startswith("data:") or url.startswith("blob:")
                or url.startswith("about:")):
            seen.append(url)

    page.on("request", on_request)
    return seen
