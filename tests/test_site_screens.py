"""What a reader sees on a desktop (1280×800) and a phone (390×844), and on paper: the compact
metadata card with the document's first heading on the first screen, "Visa alla uppgifter" by
keyboard and screen reader, the kvalitetsplan without sideways scrolling, print with every column.
Screenshots are written to the test's folder (look at them when a test fails)."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

from browser import chromium, serve, site_page
from conftest import require_tool
from test_accessibility import _violations

SCREENS = {"dator": (1280, 800), "mobil": (390, 844)}
FIRST_HEADING = "article .styrdok-kort ~ h2"


def document_urls(site: Path) -> list[str]:
    return sorted("/" + p.parent.relative_to(site).as_posix() + "/" for p in (site / "styrdokument").rglob("index.html")
                  if 'class="styrdok-kort"' in p.read_text(encoding="utf-8"))


def _disclosure(page, name: str) -> dict:
    """The accessibility node Chromium gives screen readers for the control called name."""
    cdp = page.context.new_cdp_session(page)
    nodes = cdp.send("Accessibility.getFullAXTree")["nodes"]
    cdp.detach()
    for node in nodes:
        if (node.get("name") or {}).get("value") == name and not node.get("ignored"):
            props = {p["name"]: p["value"].get("value") for p in node.get("properties", [])}
            return {"role": node["role"]["value"], **props}
    return {}


# The metadata card's script has run: every "Visa alla uppgifter" button is set up (data-klar).
CARD_READY = "() => !document.querySelector('.styrdok-kort__visa:not([data-klar])')"


# Read from every element a locator finds, with one call into the page (a call per element and
# property was most of these tests' round trips to the browser): its box as Playwright's
# bounding_box gives it and whether it is visible as is_visible says (a box, not visibility:
# hidden), its ::before content, its text.
_BOXES = ("els => els.map(e => { const r = e.getBoundingClientRect(); return {x: r.x, y: r.y, width: r.width, "
          "height: r.height, visible: r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== 'hidden'}; })")
_BEFORE = "els => els.map(e => getComputedStyle(e, '::before').content)"
_TEXTS = "els => els.map(e => e.innerText)"


CARD_SHOWN = "/styrdokument/riktlinjer/riktlinje-dokumentation/"     # a document whose card has every row

# The page as a reader sees it at the size just set, read in one call: once the card's script has run
# (CARD_READY) and the page needs no sideways scrolling (the theme's drawer slides away after a resize;
# given up to 3 s), the first heading's box (None if there is none) and the width the page still
# needs if it never stopped needing more than the window ("wide", else 0).
_SEEN = """async (selector) => {
  const started = performance.now();
  const cardReady = """ + CARD_READY + """;
  const narrow = () => document.scrollingElement.scrollWidth <= innerWidth;
  while (!(cardReady() && narrow()) && performance.now() - started < 3000) {
    await new Promise((done) => setTimeout(done, 20));
  }
  if (!cardReady()) throw new Error("kortets skript kördes inte");
  const heading = document.querySelector(selector);
  const r = heading && heading.getBoundingClientRect();
  return {box: r && r.height ? {y: r.y, height: r.height} : null,
          wide: narrow() ? 0 : document.scrollingElement.scrollWidth};
}"""


def _compact_card_shown(page, screen: str, tmp_path: Path) -> None:
    """The metadata card as first seen: the compact rows in view, the others not until asked for."""
    page.screenshot(path=str(tmp_path / f"riktlinje-{screen}.png"))
    card = page.locator("section.styrdok-kort")
    for label in ("Typ av styrdokument", "Beslutad av", "Gäller från", "Dokumentansvarig"):
        assert card.locator("dt", has_text=label).first.is_visible(), (screen, label)
    assert not card.locator("dt", has_text="Diarienummer").is_visible()
    assert card.get_by_role("link", name="Ladda ner som Word").is_visible()


def test_first_heading_of_every_document_is_on_the_first_screen(example_built, tmp_path):
    """Each document is loaded once and seen at both sizes: the window is resized as a person turns a
    tablet or narrows the browser (the layout is CSS; no script of styrdok's reads the width). A
    document is loaded at the size the one before was seen at last, then resized to the other. The
    compact metadata card is looked at on one of them at both sizes, as it is loaded for the heading."""
    site = example_built / "site"
    urls = document_urls(site)
    assert len(urls) >= 10, urls
    late, wide, seen = {}, {}, set()
    with site_page(site, {"width": 1280, "height": 800}) as (page, base):
        sizes = list(SCREENS.items())
        for url in urls:
            page.goto(base + url, wait_until="load")    # at the size the last document was seen at last
            for screen, (width, height) in sizes:
                page.set_viewport_size({"width": width, "height": height})
                view = page.evaluate(_SEEN, FIRST_HEADING)
                box = view["box"]
                if box is None or box["y"] + box["height"] > height:
                    late[f"{screen} {url}"] = box
                if view["wide"]:
                    wide[f"{screen} {url}"] = view["wide"]
                if url == CARD_SHOWN:
                    _compact_card_shown(page, screen, tmp_path)
                    seen.add(screen)
            sizes.reverse()                              # a resize costs a layout of the whole page: one each
    assert seen == set(SCREENS)                          # the card was looked at on both screens
    assert late == {}, f"första rubriken hamnar under första skärmen: {late}"
    assert wide == {}, f"sidan behöver rullas i sidled (scrollWidth): {wide}"


def test_visa_alla_uppgifter_by_keyboard_and_screen_reader(example_built, tmp_path):
    site = example_built / "site"
    with site_page(site, {"width": 390, "height": 844}) as (page, base):
        page.goto(base + "/styrdokument/riktlinjer/riktlinje-dokumentation/", wait_until="load")
        page.wait_for_function(CARD_READY)
        card = page.locator("section.styrdok-kort")
        button = card.get_by_role("button", name="Visa alla uppgifter")
        assert button.get_attribute("aria-expanded") == "false"
        assert _disclosure(page, "Visa alla uppgifter").get("expanded") is False
        assert _violations(page) == []
        # keyboard only: Tab from the last compact row's neighbour reaches the button, Enter opens it
        page.locator("section.styrdok-kort").evaluate("c => c.querySelector('dl').setAttribute('tabindex', '-1')")
        page.locator("section.styrdok-kort dl").focus()
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent.trim()") == "Visa alla uppgifter"
        page.keyboard.press("Enter")
        assert button.get_attribute("aria-expanded") == "true"
        assert _disclosure(page, "Visa alla uppgifter").get("expanded") is True
        for label in ("Diarienummer", "Senast reviderad", "Nästa revidering", "Lagrum"):
            assert card.locator("dt", has_text=label).first.is_visible(), label
        page.screenshot(path=str(tmp_path / "riktlinje-mobil-alla.png"), full_page=True)
        assert _violations(page) == []
        page.keyboard.press("Space")
        assert button.get_attribute("aria-expanded") == "false"
        assert not card.locator("dt", has_text="Diarienummer").is_visible()


def test_without_javascript_every_row_shows(example_built):
    site = example_built / "site"
    with serve(site) as base, chromium() as browser:
        context = browser.new_context(java_script_enabled=False)
        page = context.new_page()
        page.goto(base + "/styrdokument/riktlinjer/riktlinje-dokumentation/")
        card = page.locator("section.styrdok-kort")
        assert card.locator("dt", has_text="Diarienummer").is_visible()
        assert not card.get_by_role("button", name="Visa alla uppgifter").is_visible()


def _pdf_text(pdf: Path) -> str:
    require_tool("pdftotext", "utskriftstesterna läser PDF:ens text (poppler-utils)")
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout


def test_printed_document_has_every_header_row(example_built, tmp_path):
    site = example_built / "site"
    with site_page(site, {"width": 1280, "height": 800}) as (page, base):
        page.goto(base + "/styrdokument/riktlinjer/riktlinje-dokumentation/", wait_until="load")
        page.emulate_media(media="print")
        assert page.locator("section.styrdok-kort dt", has_text="Diarienummer").is_visible()
        page.pdf(path=str(tmp_path / "riktlinje.pdf"))
    text = _pdf_text(tmp_path / "riktlinje.pdf")
    for label in ("Typ av styrdokument", "Diarienummer", "Senast reviderad", "Nästa revidering", "Gäller för",
                  "Ersätter", "Relaterade styrdokument", "Lagrum", "Syfte"):
        assert label in text, label
    assert "Visa alla uppgifter" not in text and "Ladda ner som Word" not in text
    assert "Älvstads kommun – socialtjänstens ledningssystem" not in text      # no footer on paper


def _set_kompakt(root: Path, names: list[str]) -> None:
    import yaml
    path = root / "data" / "kommun.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.setdefault("dokumenthuvud", {})["kompakt"] = names
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_compact_rows_are_chosen_in_kommun_yml_and_word_keeps_every_row(mini):
    import datetime as dt
    from styrdok.header import header_rows
    from styrdok.load import load_handbook
    _set_kompakt(mini, ["diarienummer", "Dokumentansvarig"])
    hb, problems = load_handbook(mini)
    assert not problems.errors, problems.errors
    doc = hb.dokument_by_path("rutiner/avvikelser.md")
    rows = header_rows(hb, doc, today=dt.date(2026, 1, 1))
    assert [r.etikett for r in rows if r.kompakt] == [r.etikett for r in rows
                                                       if r.falt in ("diarienummer", "dokumentansvarig")]
    assert len(rows) > 2 and any(not r.kompakt for r in rows)       # the card hides them; Word shows all


def test_unknown_compact_row_is_an_error_naming_the_file(mini):
    from conftest import run_cli
    _set_kompakt(mini, ["diarienumer"])
    proc = run_cli(mini, "check")
    assert proc.returncode == 1
    out = proc.stdout + proc.stderr
    assert re.search(r"data/kommun.yml:\d+: fel: dokumenthuvud.kompakt\[0\]: 'diarienumer' under "
                     r"dokumenthuvud.kompakt är varken ett fält eller en etikett", out), out


KVALITETSPLAN = "/ledningssystem/kvalitetsplan-2026/"
COLUMNS = ("Process", "Risk", "Egenkontroll", "Åtgärd", "Ansvarig", "Status", "Klart senast")


def test_kvalitetsplan_fits_a_desktop_and_stacks_on_a_phone(example_built, tmp_path):
    site = example_built / "site"
    with site_page(site, {"width": 1280, "height": 800}) as (page, base):
        page.goto(base + KVALITETSPLAN, wait_until="load")
        table = page.locator("table.styrdok-plan")
        table.scroll_into_view_if_needed()
        page.screenshot(path=str(tmp_path / "kvalitetsplan-dator.png"))
        assert page.evaluate("document.scrollingElement.scrollWidth <= innerWidth")
        box = page.locator(".styrdok-scroll")
        assert box.evaluate("e => e.scrollWidth <= e.clientWidth"), "tabellen behöver rullas i sidled"
        headers = table.locator("thead th")
        assert [t.replace("\n", " ") for t in headers.evaluate_all(_TEXTS)] == list(COLUMNS)
        # a table, not stacked rows: the header row shows, seven cells side by side in every row
        assert table.locator("thead").bounding_box()["height"] > 10
        boxes = headers.evaluate_all(_BOXES)
        assert all(b["visible"] for b in boxes), boxes                                   # every header shown
        xs = [b["x"] for b in boxes]
        assert xs == sorted(xs) and len(set(xs)) == 7
        cells = table.locator("tbody tr").first.locator("td")
        assert len({round(b["y"]) for b in cells.evaluate_all(_BOXES)}) == 1 and cells.count() == 7
        # no date broken in two: each date's text is on one line (one rectangle); all read at once
        dates = table.evaluate("""t => [...t.querySelectorAll('td[data-label="Klart senast"]')].map(c => {
            const r = document.createRange(); r.selectNodeContents(c);
            return [c.innerText, r.getClientRects().length]; })""")
        assert len(dates) > 5 and [d for d in dates if d[0] != "–" and d[1] != 1] == []

        page.set_viewport_size({"width": 390, "height": 844})      # the same page, turned to a phone
        page.goto(base + KVALITETSPLAN, wait_until="load")
        table = page.locator("table.styrdok-plan")
        first = table.locator("tbody tr").first
        first.scroll_into_view_if_needed()
        page.screenshot(path=str(tmp_path / "kvalitetsplan-mobil.png"))
        assert page.evaluate("document.scrollingElement.scrollWidth <= innerWidth")
        assert page.locator(".styrdok-scroll").evaluate("e => e.scrollWidth <= e.clientWidth")
        # stacked: each cell a labelled row of its own, one under the other, as wide as the block
        cells = first.locator("td")
        assert cells.evaluate_all(_BEFORE) == [f'"{c}"' for c in COLUMNS]
        boxes = cells.evaluate_all(_BOXES)
        assert len({round(b["x"]) for b in boxes}) == 1
        assert all(b2["y"] >= b1["y"] + b1["height"] - 1 for b1, b2 in zip(boxes, boxes[1:]))
        assert all(b["x"] + b["width"] <= 390 for b in boxes)
        assert not table.locator("thead").is_visible() or table.locator("thead").bounding_box()["width"] <= 1
        assert _violations(page) == []
        # the filter still works on the stacked rows
        page.get_by_label("Ansvarig", exact=True).select_option(label="Systemförvaltare")
        shown = table.locator("tbody tr:not([hidden])").all_inner_texts()
        assert shown and all("Systemförvaltare" in row for row in shown), shown


def _pdf_pages(pdf: Path) -> list[tuple[float, float]]:
    require_tool("pdfinfo", "utskriftstesterna läser PDF:ens sidor (poppler-utils)")
    out = subprocess.run(["pdfinfo", "-f", "1", "-l", "999", str(pdf)], capture_output=True, text=True,
                         check=True).stdout
    return [(float(w), float(h)) for w, h in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", out)]


def test_kvalitetsplan_prints_every_column_on_landscape_pages(example_built, tmp_path):
    site = example_built / "site"
    pdf = tmp_path / "kvalitetsplan.pdf"
    with site_page(site, {"width": 390, "height": 844}) as (page, base):      # printed from a phone, too
        page.goto(base + KVALITETSPLAN, wait_until="load")
        page.emulate_media(media="print")
        for name in COLUMNS:
            assert page.locator("table.styrdok-plan thead th", has_text=name).is_visible(), name
        page.pdf(path=str(pdf), prefer_css_page_size=True)
    pages = _pdf_pages(pdf)
    assert pages and all(w > h for w, h in pages), pages           # landscape
    text = _pdf_text(pdf)
    header = next(line for line in text.splitlines() if "Egenkontroll" in line and "Ansvarig" in line)
    for name in ("Process", "Risk", "Egenkontroll", "Åtgärd", "Ansvarig", "Status", "Klart"):
        assert name in header, (name, header)
    # the last columns' values are on the paper: every åtgärd's ansvarig, status and date
    for value in ("Systemförvaltare", "Utvecklingsledare", "försenad", "2026-12-31", "2026-03-31"):
        assert value in text, value
    assert "Alla processer" not in text                               # the filter is not printed


def test_a_page_without_wide_tables_prints_portrait(example_built, tmp_path):
    site = example_built / "site"
    pdf = tmp_path / "rutin.pdf"
    with site_page(site) as (page, base):
        page.goto(base + "/styrdokument/rutiner/lex-sarah/", wait_until="load")
        page.emulate_media(media="print")
        page.pdf(path=str(pdf), prefer_css_page_size=True, format="A4")
    assert all(w < h for w, h in _pdf_pages(pdf))


PROCESS = "/ledningssystem/processer/handlaggning-bistand-aldre/"


def test_process_page_diagram_and_activities_are_legible_on_a_phone(example_built, tmp_path):
    site = example_built / "site"
    with site_page(site, {"width": 1280, "height": 800}) as (page, base):
        page.goto(base + PROCESS, wait_until="load")
        wide, narrow = page.locator("img.styrdok-diagram-bred"), page.locator("img.styrdok-diagram-smal")
        assert wide.is_visible() and not narrow.is_visible()
        cells = page.locator("table.styrdok-aktiviteter tbody tr").first.locator("td")
        assert len({round(b["y"]) for b in cells.evaluate_all(_BOXES)}) == 1 and cells.count() == 4

        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(base + PROCESS, wait_until="load")
        assert page.evaluate("document.scrollingElement.scrollWidth <= innerWidth")
        wide, narrow = page.locator("img.styrdok-diagram-bred"), page.locator("img.styrdok-diagram-smal")
        assert narrow.is_visible() and not wide.is_visible()
        narrow.scroll_into_view_if_needed()
        page.screenshot(path=str(tmp_path / "process-mobil-diagram.png"))
        # the diagram's text keeps (nearly) its size: 14 px in the SVG, at least 12 px on the screen
        scale = narrow.evaluate("i => i.getBoundingClientRect().width / i.naturalWidth")
        assert scale * 14 >= 12, scale
        assert narrow.get_attribute("alt").startswith("Processdiagram för Handläggning av bistånd till äldre: 1.")
        table = page.locator("table.styrdok-aktiviteter")
        table.scroll_into_view_if_needed()
        page.screenshot(path=str(tmp_path / "process-mobil-aktiviteter.png"))
        for box in page.locator("article table").evaluate_all(
                "ts => ts.map(t => [t.getBoundingClientRect().right, t.scrollWidth, t.clientWidth])"):
            assert box[0] <= 390 and box[1] <= box[2] + 1, box
        cells = table.locator("tbody tr").first.locator("td")
        assert cells.evaluate_all(_BEFORE) == ['"Nr"', '"Aktivitet"', '"Roller"', '"Rutiner"']
        assert _violations(page) == []
        # the rutin links in the table lead to the documents
        link = table.locator("a").first
        title = link.inner_text()
        link.click()
        page.wait_for_load_state()
        assert page.locator("article h1").inner_text() == title
