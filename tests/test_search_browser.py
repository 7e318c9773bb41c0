"""The search box in Chromium: what a result shows, the filters, the keyboard, and no index (make serve)."""
from __future__ import annotations

import shutil

from browser import axe_violations, outside_requests, site_page, site_url


_META = "document.querySelector('.md-search-result__meta').textContent"


def _search(page, base: str, query: str, path: str = "/"):
    """Load path, open the search box and enter query (filled in at once: the box searches on every
    input event, so typing it letter by letter runs a search per letter; tests/test_browser_basic.py
    and the axe test type)."""
    page.goto(base + path, wait_until="load")
    page.locator("input.md-search__input").click()
    _query(page, query)


def _query(page, query: str) -> None:
    """A new query in the open search box: emptied first, so the results waited for are the new ones."""
    box = page.locator("input.md-search__input")
    if box.input_value():
        box.fill("")
        page.wait_for_function(f"() => !/sökresultat/.test({_META})", timeout=15000)
    box.fill(query)
    page.wait_for_function(f"() => /sökresultat/.test({_META})", timeout=15000)


def test_result_shows_title_type_and_unit_and_filters_narrow_it(mini_built):
    """…and the open filters pass axe-core's WCAG 2.1 AA rules like the rest of the site."""
    with site_page(mini_built / "site") as (page, base):
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
        violations = axe_violations(page)
        assert violations == [], [v["id"] for v in violations]
        assert outside == []


def test_extra_search_words_are_hidden_from_eye_and_screen_reader(mini_built):
    html = (mini_built / "site" / "rutiner" / "avvikelser" / "index.html").read_text(encoding="utf-8")
    assert 'class="styrdok-sokord" hidden' in html
    with site_page(mini_built / "site") as (page, base):
        page.goto(base + "/rutiner/avvikelser/")
        block = page.locator(".styrdok-sokord")
        assert block.count() == 1 and not block.is_visible()
        tree = page.locator("article").aria_snapshot()
        assert "Avvikelse: händelse" not in tree


def test_synonym_finds_the_page_and_excerpt_is_the_pages_own_text(mini_built):
    with site_page(mini_built / "site") as (page, base):
        _search(page, base, "IVO")
        assert page.locator(".md-search-result__item").count() >= 1
        _search(page, base, "händelse")
        item = page.locator(".md-search-result__item").filter(has_text="Rutin för avvikelser").first
        excerpt = item.locator("article p").last.inner_text()
        assert "Avvikelse:" not in excerpt                       # not the hidden words


def test_keyboard_moves_through_results_and_enter_opens_the_first(mini_built):
    with site_page(mini_built / "site") as (page, base):
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
    with site_page(site) as (page, base):
        page.goto(base + "/", wait_until="load")
        page.locator("input.md-search__input").click()
        page.locator("input.md-search__input").press_sequentially("avvikelse", delay=20)
        meta = page.locator(".md-search-result__meta")
        meta.filter(has_text="make build").wait_for(timeout=15000)
        assert "Sökningen fungerar i den byggda handboken" in meta.inner_text()


def _results(page, query: str) -> tuple[str, set[str], str | None]:
    """The count the open box says for query, the pages it lists (all of them when there are up to
    ten), the first."""
    _query(page, query)
    if page.locator(".styrdok-sok__fler").is_visible():
        page.locator(".styrdok-sok__fler").click()
    count = page.locator(".md-search-result__meta").inner_text()
    page.wait_for_function(f"() => document.querySelectorAll('.md-search-result__item').length >= "
                           f"Math.min(10, {int(count.split()[0]) if count[0].isdigit() else 0})", timeout=15000)
    urls = [href.split("#")[0] for href in page.eval_on_selector_all(".md-search-result__item > a",
                                                                     "links => links.map(a => a.getAttribute('href'))")]
    return count, set(urls), urls[0] if urls else None


def test_an_index_in_parts_finds_the_pages_of_every_part_and_filters_across_them(mini_built, tmp_path):
    """A large handbook's index is in parts (pagefind/del-N/, STYRDOK_SOK_DELSTORLEK pages per part;
    here 2, so the small handbook has three): the box merges them and finds what one index finds,
    pages of every part among them, and a filter narrows the results of all parts."""
    import json

    from conftest import run_cli
    from styrdok.search.parts import part_of
    root = tmp_path / "handbok"
    shutil.copytree(mini_built, root, ignore=shutil.ignore_patterns("site", ".cache"))
    proc = run_cli(root, "build", "--utan-word", env={"STYRDOK_SOK_DELSTORLEK": "2"})
    assert proc.returncode == 0, proc.stderr
    parts = 1 + len(json.loads((root / "site" / "pagefind" / "styrdok-delar.json").read_text()))
    assert parts >= 3
    found_in: set[int] = set()
    queries = ("riktlinje", "avvikelse", "kvalitet", "ledningssystem", "enhet", "styrdokument")
    with site_page(root / "site") as (page, in_parts):
        whole = site_url(mini_built / "site")
        outside = outside_requests(page)
        found: dict[tuple[str, str], set[str]] = {}
        for base in (in_parts, whole):                # every query in one page per site
            page.goto(base + "/", wait_until="load")
            page.locator("input.md-search__input").click()
            for query in queries:
                found[base, query] = _results(page, query)[1]
        for query in queries:
            urls, whole_urls = found[in_parts, query], found[whole, query]
            # every page one index finds; a part where no page has the word may add pages for a
            # shorter word (Pagefind's prefix fallback works per index), and each part ranks by its
            # own word statistics (in parts of two pages they differ a lot: the order is not compared)
            assert whole_urls <= urls or len(whole_urls) == 10, (query, sorted(urls ^ whole_urls))
            for url in urls:
                dest = url.strip("/").removeprefix(in_parts.rstrip("/")).strip("/")
                found_in.add(part_of(f"{dest}/index.html" if dest else "index.html", parts))
        assert found_in == set(range(parts)), found_in
        _search(page, in_parts, "riktlinje")
        page.get_by_text("Avgränsa sökningen").click()
        page.get_by_label("Dokumenttyp").select_option("Rutin")
        page.wait_for_function("() => !document.querySelector('.md-search-result__list').textContent"
                               ".includes('Riktlinje för kvalitet')", timeout=15000)
        assert page.locator(".md-search-result__item h1").all_inner_texts() == ["Rutin för avvikelser & risker"]
        assert outside == []
