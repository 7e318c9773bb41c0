"""The built site, read as a person reads it: the HTML of real pages built by MkDocs."""
from __future__ import annotations

import pytest

import json
import re
import shutil
from html.parser import HTMLParser

from conftest import GOLDEN, assert_golden, git_handbook, run_cli, tree_digest


class Text(HTMLParser):
    """Visible text of an element selected by a class or tag, for assertions on what is shown."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data):
        self.parts.append(data)

    @classmethod
    def of(cls, html: str) -> str:
        p = cls()
        p.feed(html)
        return " ".join(" ".join(p.parts).split())


def section(html: str, css_class: str) -> str:
    m = re.search(rf'<section class="{css_class}".*?</section>', html, re.S)
    assert m, f"ingen <section class={css_class}> på sidan"
    return m.group(0)


def page(root, url: str) -> str:
    return (root / "site" / url / "index.html").read_text(encoding="utf-8")


def test_metadata_card_shows_kommun_labels_and_resolved_names(mini_built):
    html = page(mini_built, "rutiner/avvikelser")
    card = Text.of(section(html, "styrdok-kort"))
    assert "Antagen från 2025-02-01" in card          # the kommun's own label (data/kommun.yml falt)
    assert "Beslutad av Socialchef" in card
    assert "Dokumentansvarig Socialt ansvarig samordnare" in card
    assert "Gäller för Barn och unga" in card
    assert "Socialtjänstlag (SoL, SFS 2025:400)" in card
    assert "Riktlinje för kvalitet" in card
    assert "<h1>Rutin för avvikelser &amp; risker</h1>" in html or "<h1>Rutin för avvikelser & risker</h1>" in html


def test_a_document_that_applies_from_a_later_date_says_so_on_its_card(mini):
    """Decided, but in force from a later date: a medarbetare reading it now is told that this version
    does not apply yet. Documents already in force say nothing of the kind."""
    doc = mini / "docs" / "rutiner" / "riktlinje-kvalitet.md"
    doc.write_text(doc.read_text(encoding="utf-8").replace("galler_fran: 2025-03-01", "galler_fran: 2026-04-01"),
                   encoding="utf-8")
    build = run_cli(mini, "build", "--utan-word", "--utan", "pdf", env={"STYRDOK_IDAG": "2026-03-20"})
    assert build.returncode == 0, build.stderr
    card = Text.of(section(page(mini, "rutiner/riktlinje-kvalitet"), "styrdok-kort"))
    assert card.startswith("Den här versionen börjar gälla 2026-04-01. Fram till dess gäller den tidigare versionen, "
                           "om dokumentet har en."), card
    assert "börjar gälla" not in Text.of(section(page(mini, "rutiner/avvikelser"), "styrdok-kort"))


def test_joint_decision_shows_both_namnder_and_diarienummer(mini_built):
    card = Text.of(section(page(mini_built, "rutiner/riktlinje-kvalitet"), "styrdok-kort"))
    assert "Beslutad av Socialnämnden, Omsorgsnämnden" in card
    assert "SN 2025/41 (Socialnämnden)" in card and "ON 2025/17 (Omsorgsnämnden)" in card


def test_abbreviations_explained_on_hover_on_every_page(mini_built):
    html = page(mini_built, "rutiner/avvikelser")
    # (data-pagefind-index-attrs: the search finds SAS by its explanation too, see styrdok.search)
    assert re.search(r'<abbr [^>]*title="Socialt ansvarig samordnare"[^>]*>SAS</abbr>', html)
    start = (mini_built / "site" / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<abbr [^>]*title="Inspektionen för vård och omsorg"[^>]*>IVO</abbr>', start)


def test_glossary_lists_terms_with_definitions(mini_built):
    text = Text.of(page(mini_built, "begrepp"))
    assert "Avvikelse En händelse som inte blev som det var tänkt." in text
    assert "Kallas också: händelse" in text


def test_swedish_ui_and_search_index(mini_built):
    start = (mini_built / "site" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="sv"' in start
    assert "Sök" in start
    # the search index is Pagefind's (styrdok.search.pagefind), in Swedish, over the marked pages
    entry = json.loads((mini_built / "site" / "pagefind" / "pagefind-entry.json").read_text(encoding="utf-8"))
    assert list(entry["languages"]) == ["sv"]
    assert entry["languages"]["sv"]["page_count"] >= 3
    assert "data-pagefind-body" in page(mini_built, "rutiner/avvikelser")
    assert not (mini_built / "site" / "search" / "search_index.json").exists()


def test_document_list_by_type_links_documents(mini_built):
    start = (mini_built / "site" / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<h3 id="rutiner">Rutiner', start)
    assert 'href="rutiner/avvikelser/"' in start


def test_no_request_leaves_the_intranet(mini_built):
    """Every src= and stylesheet href of every page points inside the site (no CDN, no web fonts)."""
    for html_file in (mini_built / "site").rglob("*.html"):
        html = html_file.read_text(encoding="utf-8")
        for url in re.findall(r'<(?:script|img|iframe|source)[^>]*\ssrc="([^"]+)"', html):
            assert not re.match(r"^(https?:)?//", url), f"{html_file}: {url}"
        for tag in re.findall(r"<link[^>]*>", html):
            if 'rel="stylesheet"' in tag or "preconnect" in tag or "preload" in tag:
                href = re.search(r'href="([^"]+)"', tag).group(1)
                assert not re.match(r"^(https?:)?//", href), f"{html_file}: {tag}"
        assert "fonts.googleapis" not in html and "fonts.gstatic" not in html


def test_edit_link_when_git_hosting_is_configured(mini, tmp_path):
    kommun = mini / "data" / "kommun.yml"
    kommun.write_text(kommun.read_text(encoding="utf-8").replace(
        "logotyp:", "redigera_url: https://git.testby.se/soc/handbok/-/edit/main\nlogotyp:"), encoding="utf-8")
    # without the web editor (tests/test_editor.py: with it, the link opens the editor's entry)
    assert run_cli(mini, "build", env={"STYRDOK_REDIGERARE": "av"}).returncode == 0
    html = page(mini, "rutiner/avvikelser")
    assert 'href="https://git.testby.se/soc/handbok/-/edit/main/docs/rutiner/avvikelser.md"' in html
    assert "Redigera" in html


def test_failed_build_leaves_site_untouched(mini_built, tmp_path):
    root = tmp_path / "h"
    shutil.copytree(mini_built, root)
    before = tree_digest(root / "site")
    doc = root / "docs" / "rutiner" / "avvikelser.md"
    doc.write_text(doc.read_text(encoding="utf-8").replace("dokumentansvarig: sas", "dokumentansvarig: okand"),
                   encoding="utf-8")
    proc = run_cli(root, "build")
    assert proc.returncode == 1
    assert "docs/rutiner/avvikelser.md:7: fel: dokumentansvarig: Rollen 'okand' finns inte" in proc.stderr
    assert "inget i site/ har ändrats" in proc.stderr
    assert tree_digest(root / "site") == before
    assert not list(root.glob(".site-*")), "tillfällig byggmapp blev kvar"


def test_successful_rebuild_replaces_site(mini_built, tmp_path):
    root = tmp_path / "h"
    shutil.copytree(mini_built, root)
    doc = root / "docs" / "rutiner" / "avvikelser.md"
    doc.write_text(doc.read_text(encoding="utf-8").replace("samma dag", "inom ett dygn"), encoding="utf-8")
    assert run_cli(root, "build").returncode == 0
    assert "inom ett dygn" in page(root, "rutiner/avvikelser")
    assert not list(root.glob(".site-*"))


def test_check_reports_all_problems_at_once_and_warnings_do_not_fail(mini):
    doc = mini / "docs" / "rutiner" / "avvikelser.md"
    text = doc.read_text(encoding="utf-8")
    doc.write_text(text.replace("lagrum: [sol-2025]", "lagrum: [sol-2001]"), encoding="utf-8")
    proc = run_cli(mini, "check")
    assert proc.returncode == 0, proc.stderr
    assert ("docs/rutiner/avvikelser.md:11: varning: lagrum: Socialtjänstlag (SoL, SFS 2001:453) är upphävd "
            "sedan 2025-07-01. Hänvisa i stället till Socialtjänstlag (SoL, SFS 2025:400) ('sol-2025').") in proc.stderr
    doc.write_text(text.replace("dokumentansvarig: sas", "dokumentansvarig: x1")
                   .replace("galler_for: [barn-och-unga]", "galler_for: [nowhere]"), encoding="utf-8")
    proc = run_cli(mini, "check")
    assert proc.returncode == 1
    assert ":7: fel:" in proc.stderr and ":9: fel:" in proc.stderr
    assert "2 fel och 0 varningar" in proc.stderr


def test_a_link_into_a_page_that_cannot_be_loaded_is_not_also_a_missing_anchor(mini):
    """The page with the mistake says what is wrong; a link to one of its sections from another page is
    not reported as well, with an empty list of sections to choose from."""
    rutin = mini / "docs" / "rutiner" / "avvikelser.md"
    rutin.write_text(rutin.read_text(encoding="utf-8").replace("dokumentansvarig: sas", "dokumentansvarigg: sas"),
                     encoding="utf-8")
    riktlinje = mini / "docs" / "rutiner" / "riktlinje-kvalitet.md"
    riktlinje.write_text(riktlinje.read_text(encoding="utf-8") + "\nSe [rutinen](avvikelser.md#syfte).\n",
                         encoding="utf-8")
    proc = run_cli(mini, "check")
    assert proc.returncode == 1
    assert "Okänd nyckel 'dokumentansvarigg'" in proc.stderr
    assert "riktlinje-kvalitet.md" not in proc.stderr and "välj en av: ." not in proc.stderr, proc.stderr


def test_taggar_become_theme_tags(mini_built):
    html = page(mini_built, "rutiner/avvikelser")
    assert re.search(r'<span class="md-tag">\s*avvikelser\s*</span>', html) or 'class="md-tag">avvikelser' in html


def _primary_nav(html: str) -> str:
    start = html.index('md-sidebar--primary')
    return html[start:html.index('md-sidebar--secondary', start)]


@pytest.mark.langsam
def test_styrdok_build_gives_the_pages_plain_mkdocs_gives(example_built, tmp_path):
    """`styrdok build` runs MkDocs in its own process with what its check loaded and rendered, and
    renders inactive nav items once per build (styrdok.site.navcache). Every page must still be,
    byte for byte, what `mkdocs build` makes with the theme's own navigation partial."""
    import subprocess
    import sys

    plain = tmp_path / "mkdocs"
    shutil.copytree(example_built, plain, ignore=shutil.ignore_patterns("site"))
    (plain / "overrides" / "partials" / "nav-item.html").unlink()
    config = plain / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("  - overrides/hooks/navigation.py\n", ""),
                      encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--quiet", "-d", str(plain / "site")],
                          cwd=plain, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    pages = sorted(p.relative_to(example_built / "site")
                   for p in (example_built / "site").rglob("index.html"))
    pages = [p for p in pages if p.parts[0] != "redigera"]     # the web editor: a build step, not MkDocs
    assert len(pages) > 40
    for rel in pages:
        ours = (example_built / "site" / rel).read_text(encoding="utf-8")
        theirs = (plain / "site" / rel).read_text(encoding="utf-8")
        assert _primary_nav(ours).count("md-nav__link") > 5, rel
        assert _primary_nav(ours) == _primary_nav(theirs), f"navigeringen på {rel} skiljer sig från temats"
        assert ours == theirs, f"{rel} skiljer sig från vad mkdocs build ger"


def test_mkdocs_warning_fails_the_build_with_its_message_and_site_stays(mini_built, tmp_path):
    """MkDocs runs inside `styrdok build`; a warning of its own (here a nav entry to a missing page)
    still fails the build as --strict does, names the problem, and leaves site/ as it was."""
    root = tmp_path / "h"
    shutil.copytree(mini_built, root)
    before = tree_digest(root / "site")
    config = root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8") + "\nnav:\n  - Saknas: saknas.md\n", encoding="utf-8")
    proc = run_cli(root, "build")
    assert proc.returncode == 1, proc.stderr
    assert "MkDocs kunde inte bygga webbplatsen" in proc.stderr
    assert "saknas.md" in proc.stderr
    assert "inget i site/ har ändrats" in proc.stderr
    assert tree_digest(root / "site") == before
    assert not list(root.glob(".site-*")), "tillfällig byggmapp blev kvar"


def test_a_rendered_page_is_the_golden_text(mini_built, tmp_path):
    """The whole text of one styrdokument page as a reader meets it (card, headings, lists, box, table,
    term, footnote, the ansvar macro, decisions and history), against tests/golden/sida-nyckelrutin.txt.
    Its source is tests/golden/sida-nyckelrutin.md, built into a copy of the mini handbook on a fixed
    day. Refresh on purpose only: STYRDOK_GOLDEN=uppdatera."""
    from page_text import page_text
    root = tmp_path / "h"
    shutil.copytree(mini_built, root)
    shutil.copy2(GOLDEN / "sida-nyckelrutin.md", root / "docs" / "rutiner" / "nyckelrutin.md")
    proc = run_cli(root, "build", "--utan-word", env={"STYRDOK_IDAG": "2026-03-20"})
    assert proc.returncode == 0, proc.stderr
    assert_golden("sida-nyckelrutin.txt", page_text(page(root, "rutiner/nyckelrutin")))


def test_the_build_runs_no_git_command_for_mkdocs_macros(mini, tmp_path):
    """mkdocs-macros reads the last commit into its variable `git` with thirteen git commands on every
    build; no page can use it (the check refuses it as an unknown name), so the build does not run
    them. Every git command the build runs is logged by a git ahead of the real one on PATH."""
    import os
    import shutil
    import subprocess
    import sys
    git_handbook(mini)
    real = shutil.which("git")
    log = tmp_path / "git.log"
    folder = tmp_path / "bin"
    folder.mkdir()
    (folder / "git").write_text(f"""#!{sys.executable}
import os, sys
with open({str(log)!r}, "a") as f:
    f.write(" ".join(sys.argv[1:]) + "\\n")
os.execv({real!r}, [{real!r}, *sys.argv[1:]])
""", encoding="utf-8")
    (folder / "git").chmod(0o755)
    proc = run_cli(mini, "build", "--utan-word", env={"PATH": f"{folder}{os.pathsep}{os.environ['PATH']}"})
    assert proc.returncode == 0, proc.stderr
    calls = log.read_text(encoding="utf-8").splitlines()
    assert calls, "bygget körde inget git-kommando alls: loggen fångar inget"
    theirs = [c for c in calls if c.startswith(("describe --tags", "log -1 --pretty=format:"))]
    assert theirs == [], theirs

    (mini / "docs" / "version.md").write_text("# Version\n\nByggd från {{ git.short_commit }}.\n", encoding="utf-8")
    subprocess.run(["git", "add", "-A"], cwd=mini, check=True)
    proc = run_cli(mini, "check")
    assert proc.returncode == 1
    assert "docs/version.md:3: fel: Okänt namn i makroanrop ('git' is undefined)" in proc.stderr
