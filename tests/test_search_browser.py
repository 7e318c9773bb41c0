"""The search box in Chromium: what a result shows, the filters, the keyboard, and no index (make serve)."""
from __future__ import annotations

import shutil

import pytest

from browser import chromium, outside_requests, serve
from test_accessibility import WCAG_TAGS


def _search(page, base: str, query: str, path: str = "/"):
    page.goto(base + path, wait_until="networkidle")
    page.locator("input.md-search__input").click()
    page.locator("input.md-search__input").press_sequentially(query, delay=20)
    page.wait_for_function("() => /sökresultat/.test(document.querySelector('.md-search-result__meta').textContent)",
                           timeout=15000)


def test_result_shows_title_type_and_unit_and_filters_narrow_it(mini_built):
    """…and the open filters pass axe-core's WCAG 2.1 AA rules like the rest of the site."""
    with serve(mini_built / "site") as base, chromium() as browser:
        page = browser.new_page()
        outside = outside_requests(page)
        _search(page, base, "riktlinje")          # the riktlinje, and the rutin that links to it
        titles = page.locator(".md-search-result__item h1").all_inner_texts()
        assert titles[0] == "Riktlinje för kvalitet" and "Rutin för avvikelser & risker" in titles
        rutin = page.locator(".md-search-result__item").filter(has_text="Rutin för avvikelser").first
        assert rutin.locator(".styrdok-sokresultat__fakta").inner_text() == "Rutin · Gäller för: Barn och unga"
        page.get_by_text("Avgränsa sökningen").click()
        page.get_by_label("Dokumenttyp").select_option("Rutin")
        page.wait_for_function("() => !document.querySelector('.md-search-result__list').textContent"
                               ".includes('Riktlinje för kvalitet')", timeout=15000)
        assert page.locator(".md-search-result__item h1").all_inner_texts() == ["Rutin för avvikelser & risker"]
        assert page.locator(".md-search-result__meta").inner_text() == "1 sökresultat"
        axe = pytest.importorskip("axe_playwright_python.sync_playwright").Axe()
        result = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
        assert result.response["violations"] == [], [v["id"] for v in result.response["violations"]]
        assert outside == []


def test_extra_search_words_are_hidden_from_eye_and_screen_reader(mini_built):
    html = (mini_built / "site" / "rutiner" / "avvikelser" / "index.html").read_text(encoding="utf-8")
    assert 'class="styrdok-sokord" hidden' in html
    with serve(mini_built / "site") as base, chromium() as browser:
        page = browser.new_page()
        page.goto(base + "/rutiner/avvikelser/")
        block = page.locator(".styrdok-sokord")
        assert block.count() == 1 and not block.is_visible()
        tree = page.locator("article").aria_snapshot()
        assert "Avvikelse: händelse" not in tree


def test_synonym_finds_the_page_and_excerpt_is_the_pages_own_text(mini_built):
    with serve(mini_built / "site") as base, chromium() as browser:
        page = browser.new_page()
        _search(page, base, "IVO")
        assert page.locator(".md-search-result__item").count() >= 1
        _search(page, base, "händelse")
        item = page.locator(".md-search-result__item").filter(has_text="Rutin för avvikelser").first
        excerpt = item.locator("article p").last.inner_text()
        assert "Avvikelse:" not in excerpt                       # not the hidden words


def test_keyboard_moves_through_results_and_enter_opens_the_first(mini_built):
    with serve(mini_built / "site") as base, chromium() as browser:
        page = browser.new_page()
        _search(page, base, "avvikelse")
        box = page.locator("input.md-search__input")
        box.press("ArrowDown")
        assert page.evaluate("document.activeElement.classList.contains('md-search-result__link')")
        page.keyboard.press("Escape")
        assert not page.locator("#__search").is_checked()
        page.keyboard.press("/")
        assert page.locator("#__search").is_checked()
        first = page.locator(".md-search-result__link").first.get_attribute("href")
        box.press("Enter")
        page.wait_for_url(f"**{first}")


def test_without_index_the_box_says_where_search_works(mini_built, tmp_path):
    """`make serve` has no Pagefind index: a Swedish message instead of a broken box."""
    site = tmp_path / "site"
    shutil.copytree(mini_built / "site", site)
    shutil.rmtree(site / "pagefind")
    with serve(site) as base, chromium() as browser:
        page = browser.new_page()
        page.goto(base + "/", wait_until="networkidle")
        page.locator("input.md-search__input").click()
        page.locator("input.md-search__input").press_sequentially("avvikelse", delay=20)
        meta = page.locator(".md-search-result__meta")
        meta.filter(has_text="make build").wait_for(timeout=15000)
        assert "Sökningen fungerar i den byggda handboken" in meta.inner_text()
