"""The site as the kommun's own: the footer from data/kommun.yml, a Swedish 404 page, the browser tab's
title, and the tillgänglighetsredogörelse — read as a person gets them, in Chromium."""
from __future__ import annotations

import http.server
import re
from pathlib import Path

import pytest
import yaml

from browser import site_page
from conftest import require_tool, run_cli
from test_accessibility import _violations


class _SiteHandler(http.server.SimpleHTTPRequestHandler):
    """A web server as the kommun's (GitLab Pages, nginx): a missing address gets site/404.html."""

    def log_message(self, *args):
        pass

    def send_error(self, code, message=None, explain=None):
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            return super().send_error(code, message, explain)
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def test_footer_404_and_titles_in_chromium(example_built):
    site = example_built / "site"
    problems = {}
    with site_page(site, {"width": 1280, "height": 800}, _SiteHandler) as (page, base):
        page.goto(f"{base}/", wait_until="load")
        assert page.title() == "Handbok för socialtjänstens ledningssystem"     # the site's name once
        footer = page.locator("footer .md-footer-meta").inner_text()
        assert "Made with" not in footer and "Material for MkDocs" not in footer
        assert "Älvstads kommun" in footer
        assert "Dokumentansvar för handboken: Socialförvaltningens enhet för kvalitet och utveckling." in footer
        assert "kvalitet.socialforvaltningen@alvstad.example" in footer
        link = page.locator("footer a", has_text="Tillgänglighetsredogörelse")
        link.click()
        page.wait_for_url("**/tillganglighet/")
        assert page.title() == "Tillgänglighetsredogörelse – Handbok för socialtjänstens ledningssystem"

        page.goto(f"{base}/styrdokument/rutiner/lex-sarah/", wait_until="load")
        assert page.title() == "Rutin för lex Sarah – Handbok för socialtjänstens ledningssystem"
        assert "Tillgänglighetsredogörelse" in page.locator("footer").inner_text()

        response = page.goto(f"{base}/styrdokument/rutiner/finns-inte/", wait_until="load")
        assert response.status == 404
        assert page.title() == "Sidan finns inte – Handbok för socialtjänstens ledningssystem"
        text = page.locator("article").inner_text()
        assert "Sidan finns inte" in text and "Not found" not in text
        assert page.locator("html").get_attribute("lang") == "sv"
        found = _violations(page)
        if found:
            problems["404"] = found
        page.get_by_role("link", name="Gå till startsidan").click()
        page.wait_for_url(f"{base}/")
    assert problems == {}, problems


def test_tillganglighetsredogorelse_has_digg_parts(example_built):
    html = (example_built / "site" / "tillganglighet" / "index.html").read_text(encoding="utf-8")
    text = re.sub(r"<[^>]+>", " ", html)
    text = re.sub(r"\s+", " ", text)
    for part in ("Älvstads kommun står bakom webbplatsen", "Handbok för socialtjänstens ledningssystem",
                 "delvis förenlig", "Hur tillgänglig är webbplatsen?",
                 "Vad kan du göra om du inte kan använda delar av webbplatsen?",
                 "Rapportera brister i webbplatsens tillgänglighet", "Tillsyn",
                 "Innehåll som inte är tillgängligt", "Processdiagrammen är bilder.",
                 "Innehåll som inte omfattas av lagkraven", "Hur vi testat webbplatsen",
                 "Den senaste bedömningen gjordes 2026-11-20", "Redogörelsen uppdaterades senast"):
        assert part in text, part
    assert 'href="https://www.digg.se/tdosanmalan"' in html
    assert 'href="mailto:kvalitet.socialforvaltningen@alvstad.example"' in html


def _with_webbplats(root: Path, webbplats: dict) -> None:
    path = root / "data" / "kommun.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["webbplats"] = webbplats
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_footer_and_statement_escape_data_and_show_the_latest_automatic_test(mini):
    _with_webbplats(mini, {
        "namn": "Handboken <i>test</i>", "ansvarig": "Kvalitet & <b>utveckling</b>",
        "kontakt": {"namn": "Stab <script>x</script>", "telefon": "0123-45 67 00"},
        "tillganglighet": {"forenlig": "helt", "bedomd": "2026-10-01", "metod": "Självskattning."}})
    (mini / "data" / "tillganglighetsgranskning.yml").write_text(
        "datum: 2026-11-02\nverktyg: axe-core 4.10\nregler: WCAG 2.1 nivå A och AA\nsidor: 12\n"
        "brister:\n  - regel: color-contrast\n    beskrivning: Text har för låg kontrast\n"
        "    wcag: ['1.4.3']\n    sidor: [/begrepp/, /lagrum/]\n", encoding="utf-8")
    proc = run_cli(mini, "build")
    assert proc.returncode == 0, proc.stderr
    home = (mini / "site" / "index.html").read_text(encoding="utf-8")
    assert "Kvalitet &amp; &lt;b&gt;utveckling&lt;/b&gt;" in home
    assert "Stab &lt;script&gt;x&lt;/script&gt;" in home and "<script>x</script>" not in home
    page = (mini / "site" / "tillganglighet" / "index.html").read_text(encoding="utf-8")
    assert "&lt;i&gt;test&lt;/i&gt;" in page and "<i>test</i>" not in page
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    assert "Text har för låg kontrast (WCAG 1.4.3): 2 sidor" in text
    assert "Den senaste automatiska granskningen gjordes 2026-11-02 och omfattade 12 sidor" in text
    assert "Redogörelsen uppdaterades senast 2026-11-02" in text


def test_contact_without_email_or_phone_is_an_error(mini):
    _with_webbplats(mini, {"namn": "Handboken", "ansvarig": "Staben", "kontakt": {"namn": "Staben"}})
    proc = run_cli(mini, "check")
    assert proc.returncode == 1
    assert re.search(r"data/kommun.yml:\d+: fel: webbplats.kontakt: Kontakten behöver en e-postadress", proc.stdout
                     + proc.stderr), proc.stdout + proc.stderr


def test_no_statement_page_and_no_footer_link_without_an_assessment(mini_built):
    site = mini_built / "site"
    assert not (site / "tillganglighet").exists()
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "Tillgänglighetsredogörelse" not in home and "Made with" not in home


@pytest.mark.langsam
def test_tillganglighet_command_records_what_axe_finds_and_the_statement_shows_it(mini_built, tmp_path):
    import shutil
    require_tool("/usr/bin/chromium", "granskningen kör Debians Chromium")
    pytest.importorskip("axe_playwright_python")
    root = tmp_path / "handbok"
    shutil.copytree(mini_built, root, ignore=shutil.ignore_patterns(".cache"))
    # The command tests the pages in site/: three pages say what this test needs (axe runs on each, the
    # page with a problem is named, the web editor is left out) at a fifth of the cost of the whole site.
    site = root / "site"
    keep = {".", "begrepp", "rutiner/avvikelser", "redigera"}
    for html in site.rglob("index.html"):
        if html.parent.relative_to(site).as_posix() not in keep:
            html.unlink()
    assert (site / "redigera" / "index.html").is_file()
    # a page with a picture without a text alternative (check stops one in docs/; here the built page)
    begrepp = root / "site" / "begrepp" / "index.html"
    begrepp.write_text(begrepp.read_text(encoding="utf-8").replace("</article>", '<img src="x.png"></article>', 1),
                       encoding="utf-8")
    proc = run_cli(root, "tillganglighet", env={"STYRDOK_IDAG": "2026-11-30"})
    assert proc.returncode == 0, proc.stderr
    assert "Bilder saknar textalternativ (WCAG 1.1.1): 1 sida, t.ex. /begrepp/ [image-alt]" in proc.stderr
    result = yaml.safe_load((root / "data" / "tillganglighetsgranskning.yml").read_text(encoding="utf-8"))
    assert result["datum"].isoformat() == "2026-11-30" and result["verktyg"].startswith("axe-core 4.")
    assert result["sidor"] == 3                      # /, /begrepp/, /rutiner/avvikelser/; not /redigera/
    assert result["brister"] == [{"regel": "image-alt", "beskrivning": "Bilder saknar textalternativ",
                                  "wcag": ["1.1.1"], "sidor": ["/begrepp/"]}]
    _with_webbplats(root, {"namn": "Handboken", "ansvarig": "Staben", "kontakt": {"namn": "Staben", "epost": "s@x.se"},
                           "tillganglighet": {"forenlig": "delvis", "bedomd": "2026-10-01", "metod": "Självskattning."}})
    proc = run_cli(root, "build")
    assert proc.returncode == 0, proc.stderr
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", (root / "site" / "tillganglighet" / "index.html")
                                      .read_text(encoding="utf-8")))
    assert ("Den automatiska granskningen 2026-11-30 hittade följande brister mot WCAG 2.1 nivå A och AA: "
            "Bilder saknar textalternativ (WCAG 1.1.1): 1 sida, till exempel /begrepp/.") in text
    assert "Redogörelsen uppdaterades senast 2026-11-30" in text


def test_tillganglighet_command_without_a_built_site_says_what_to_do(mini):
    proc = run_cli(mini, "tillganglighet")
    assert proc.returncode == 2
    assert "innehåller ingen byggd handbok. Kör först: styrdok build" in proc.stderr
    assert not (mini / "data" / "tillganglighetsgranskning.yml").exists()


def test_complying_fully_while_the_automatic_test_found_problems_is_a_warning(mini):
    _with_webbplats(mini, {"namn": "Handboken", "ansvarig": "Staben", "kontakt": {"namn": "Staben", "epost": "s@x.se"},
                           "tillganglighet": {"forenlig": "helt", "bedomd": "2026-10-01", "metod": "Självskattning."}})
    (mini / "data" / "tillganglighetsgranskning.yml").write_text(
        "datum: 2026-11-02\nverktyg: axe-core 4.10\nregler: WCAG 2.1 nivå A och AA\nsidor: 12\n"
        "brister:\n  - regel: image-alt\n    beskrivning: Bilder saknar textalternativ\n"
        "    wcag: ['1.1.1']\n    sidor: [/begrepp/]\n", encoding="utf-8")
    proc = run_cli(mini, "check")
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert ("data/kommun.yml: varning: webbplats.tillganglighet.forenlig: webbplats.tillganglighet.forenlig är "
            "'helt', men den automatiska granskningen 2026-11-02 hittade 1 brist (") in out, out
