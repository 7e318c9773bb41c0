"""What a medarbetare sees in Chromium: Swedish UI, the metadata card, search that finds a rutin."""
from __future__ import annotations

from browser import outside_requests, site_page


def test_search_finds_rutin_and_page_shows_card(mini_built):
    with site_page(mini_built / "site") as (page, base):
        outside = outside_requests(page)
        page.goto(f"{base}/")
        assert page.locator("html").get_attribute("lang") == "sv"
        page.locator("label.md-search__icon, .md-search__input").first.click()
        box = page.locator("input.md-search__input")
        box.press_sequentially("avvikelse", delay=30)
        result = page.locator(".md-search-result__item").first
        result.wait_for(timeout=15000)
        meta = page.locator(".md-search-result__meta").inner_text()
        assert "sökresultat" in meta
        assert "Rutin för avvikelser" in page.locator(".md-search-result__list").inner_text()
        page.locator(".md-search-result__link", has=page.locator("h1", has_text="Rutin för avvikelser")).click()
        page.wait_for_url("**/rutiner/avvikelser/**")
        card = page.locator("section.styrdok-kort")
        assert card.is_visible()
        assert "Antagen från" in card.inner_text()
        tooltip_target = page.locator("abbr", has_text="SAS").first
        assert tooltip_target.get_attribute("title") == "Socialt ansvarig samordnare"
        assert outside == [], f"förfrågningar utanför intranätet: {outside}"


def test_start_page_search_box_opens_results(mini_built):
    with site_page(mini_built / "site") as (page, base):
        page.goto(f"{base}/")
        field = page.get_by_label("Sök i handboken")
        field.fill("avvikelse")
        field.press("Enter")
        page.locator(".md-search-result__item").first.wait_for(timeout=15000)
        assert "Rutin för avvikelser" in page.locator(".md-search-result__list").inner_text()
