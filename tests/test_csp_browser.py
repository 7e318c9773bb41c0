"""The Content-Security-Policy that styrdok build writes (site/csp.txt, README "Säkerhet"): every page type
works in Chromium under it, search included, and the browser reports no violation."""
from __future__ import annotations

import functools
import http.server

import pytest

from browser import site_page
from test_search_browser import _search

PAGES = [
    "/",                                              # start page (its own template and search form)
    "/rutiner/avvikelser/",                           # styrdokument: card, history, Word link
    "/begrepp/",                                      # ordinary page with a macro
    "/styrdokument/per-typ/",                         # generated overview
    "/ledningssystem/mitt-ansvar/sas/",               # generated per role
    "/ledningssystem/processer/",                     # process pages with their SVG diagram
    "/ledningssystem/kvalitetsplan/",                 # the kvalitetsplan and its script
    "/andringar/", "/ledningssystem/arshjul/", "/404.html",
]
# After the load event: the fonts the page uses and one more turn of the event loop, so that a violation
# queued while the page loaded has been reported ("networkidle" would wait 0.5 s more on every page).
SETTLED = "() => document.fonts.ready.then(() => new Promise(done => setTimeout(() => done(window.__csp), 100)))"
RECORD = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
  e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sample || '')));
"""


@functools.cache
def with_policy(policy: str) -> type:
    """A request handler that sends policy as the Content-Security-Policy header (one class per policy:
    browser.site_page keeps one server per site and handler class)."""
    class Handler(http.server.SimpleHTTPRequestHandler):
        def end_headers(self):
            self.send_header("Content-Security-Policy", policy)
            super().end_headers()

        def log_message(self, *args):
            pass

    return Handler


def _existing(site, path):
    """The first page below path (a folder of generated pages has no page of its own)."""
    target = site / path.strip("/")
    if path.endswith(".html") or (target / "index.html").is_file():
        return path
    first = sorted(target.rglob("index.html"))[0]
    return "/" + first.parent.relative_to(site).as_posix() + "/"


@pytest.mark.langsam
def test_every_page_type_works_under_the_policy_without_violations(mini_built):
    site = mini_built / "site"
    policy = (site / "csp.txt").read_text(encoding="utf-8").strip()
    assert "default-src 'self'" in policy and "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    assert "'unsafe-eval'" not in policy
    console: list[str] = []

    def on_console(message):
        if "Content Security Policy" in message.text:
            console.append(message.text)

    with site_page(site, handler_class=with_policy(policy)) as (page, base), page.add_init_script(RECORD):
        page.on("console", on_console)
        for path in PAGES:
            path = _existing(site, path)
            page.goto(base + path, wait_until="load")
            assert page.evaluate(SETTLED) == [], path
            # The theme's scripts ran: its JavaScript marks the page and builds the navigation.
            assert page.evaluate("typeof window.document$ !== 'undefined' || !!document.querySelector('[data-md-component=\"navigation\"]')"), path
        _search(page, base, "avvikelse")                   # Pagefind's WebAssembly under the policy
        assert page.locator(".md-search-result__item").count() > 0
        assert page.evaluate("window.__csp") == []
        page.remove_listener("console", on_console)
    assert console == [], console


def test_the_policy_is_not_a_formality(mini_built):
    """Without the hashes the theme's inline scripts are blocked and reported (so the test above would see it)."""
    site = mini_built / "site"
    policy = (site / "csp.txt").read_text(encoding="utf-8").strip()
    strict = "; ".join(part if not part.startswith("script-src") else "script-src 'self' 'wasm-unsafe-eval'"
                       for part in policy.split("; "))
    with site_page(site, handler_class=with_policy(strict)) as (page, base), page.add_init_script(RECORD):
        page.goto(base + "/rutiner/avvikelser/", wait_until="load")
        assert any(v.startswith("script-src") for v in page.evaluate(SETTLED))
