"""`styrdok tillganglighet`: the automatic accessibility test of the built site, for the
tillgänglighetsredogörelse (styrdok.tillganglighet).

Every page of site/ is opened in Chromium on 127.0.0.1 and tested with axe-core against WCAG 2.1 level
A and AA; what it finds, per rule, is written to data/tillganglighetsgranskning.yml, which the next build
shows on the tillgänglighetsredogörelse page. Chromium is driven by Playwright and axe-core comes from
the axe-playwright-python package (`pip install styrdok[tillganglighet]`); nothing is fetched from the
internet. Only the site is read, and only that one data file is written.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import functools
import http.server
import os
import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

import yaml

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
REGLER = "WCAG 2.1 nivå A och AA"
CHROMIUM = os.environ.get("STYRDOK_CHROMIUM", "/usr/bin/chromium")
# Headless, nothing fetched in the background. (--in-process-gpu was measured: a tenth less CPU with one
# test process, nothing with two, 62 s against 60 s over six interleaved runs of the browser tests.)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

# What the most common axe rules ask, in Swedish (axe-core's own texts are English; others keep theirs).
REGLER_SV = {
    "color-contrast": "Text har för låg kontrast mot bakgrunden",
    "image-alt": "Bilder saknar textalternativ",
    "link-name": "Länkar saknar en text som säger vart de leder",
    "button-name": "Knappar saknar en text som säger vad de gör",
    "label": "Formulärfält saknar etikett",
    "select-name": "Listrutor saknar etikett",
    "document-title": "Sidan saknar titel",
    "html-has-lang": "Sidan anger inte sitt språk",
    "html-lang-valid": "Sidans språk är felaktigt angivet",
    "duplicate-id-aria": "Id som hjälpmedel använder finns flera gånger",
    "list": "Listor är felaktigt uppbyggda",
    "listitem": "Listpunkter står utanför en lista",
    "definition-list": "Definitionslistor är felaktigt uppbyggda",
    "dlitem": "Termer och definitioner står utanför en definitionslista",
    "td-headers-attr": "Tabellceller pekar på rubriker som inte finns",
    "th-has-data-cells": "Tabellrubriker hör inte till några celler",
    "aria-allowed-attr": "ARIA-attribut används där de inte är tillåtna",
    "aria-required-children": "ARIA-roller saknar de delar de kräver",
    "aria-required-parent": "ARIA-roller står utanför den roll de kräver",
    "aria-valid-attr-value": "ARIA-attribut har ogiltiga värden",
    "frame-title": "Inbäddat innehåll saknar titel",
    "scrollable-region-focusable": "Ytor som rullas går inte att nå med tangentbordet",
    "nested-interactive": "Klickbara element ligger inuti varandra",
    "link-in-text-block": "Länkar i löptext syns bara genom färgen",
}


class GranskningError(Exception):
    """The test could not run (no site, no Chromium, no axe-core): a Swedish message saying what to do."""


@dataclass(frozen=True)
class Brist:
    regel: str
    beskrivning: str
    wcag: tuple[str, ...]
    sidor: tuple[str, ...]


def page_urls(site: Path) -> list[str]:
    """Every page of the built site (not the web editor, which has its own tests)."""
    urls = []
    for html in sorted(site.rglob("index.html")):
        rel = html.parent.relative_to(site).as_posix()
        if rel == "redigera" or rel.startswith("redigera/"):
            continue
        urls.append("/" if rel == "." else f"/{rel}/")
    return urls


def _wcag(tags: list[str]) -> tuple[str, ...]:
    """axe's tags 'wcag143' → '1.4.3' (the success criteria, not the levels)."""
    out = []
    for tag in tags:
        digits = tag[4:]
        if tag.startswith("wcag") and digits.isdigit() and len(digits) >= 3:
            out.append(f"{digits[0]}.{digits[1]}.{digits[2:]}")
    return tuple(out)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def _serve(folder: Path):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder)))
    # stopped at once when the test is done (the default 0.5 s between looks is half a second to wait)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def audit(site: Path) -> tuple[str, int, list[Brist]]:
    """Test every page of site with axe-core: (axe-core version, pages tested, problems per rule)."""
    if not (site / "index.html").is_file():
        raise GranskningError(f"{site} innehåller ingen byggd handbok. Kör först: styrdok build")
    try:
        from axe_playwright_python.sync_playwright import Axe
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise GranskningError("Granskningen behöver Playwright och axe-core: pip install 'styrdok[tillganglighet]'") \
            from None
    if not (shutil.which(CHROMIUM) or os.path.exists(CHROMIUM)):
        raise GranskningError(f"Chromium saknas ({CHROMIUM}). Installera Debians paket chromium, eller ange "
                              "webbläsaren med STYRDOK_CHROMIUM.")
    axe = Axe()
    urls = page_urls(site)
    found: dict[str, dict] = {}
    version = ""
    with _serve(site) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page()
            for url in urls:
                page.goto(base + url, wait_until="load")
                result = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS},
                                                "resultTypes": ["violations"]}).response
                version = result.get("testEngine", {}).get("version", version)
                for v in result["violations"]:
                    entry = found.setdefault(v["id"], {"help": v["help"], "tags": v["tags"], "sidor": []})
                    entry["sidor"].append(url)
        finally:
            browser.close()
    problems = [Brist(regel, REGLER_SV.get(regel, e["help"]), _wcag(e["tags"]), tuple(e["sidor"]))
                for regel, e in sorted(found.items())]
    return f"axe-core {version}".strip(), len(urls), problems


def write_result(path: Path, day: dt.date, verktyg: str, sidor: int, brister: list[Brist]) -> None:
    """data/tillganglighetsgranskning.yml, written whole (a temporary file moved into place)."""
    data = {"datum": day, "verktyg": verktyg, "regler": REGLER, "sidor": sidor,
            "brister": [{"regel": b.regel, "beskrivning": b.beskrivning, "wcag": list(b.wcag), "sidor": list(b.sidor)}
                        for b in brister]}
    text = ("# Den senaste automatiska granskningen av webbplatsen (axe-core i Chromium). Skrivs av\n"
            "# `styrdok tillganglighet` – ändra inte för hand. Tillgänglighetsredogörelsen visar den.\n"
            + yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)
    os.replace(tmp, path)
