"""The extra search words a page gets (styrdok.search): compound parts and the other names of begrepp."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import run_cli, tree_digest
from styrdok.load import load_handbook
from styrdok.search.page import SearchIndexer, units_below
from styrdok.search.pagefind import SearchIndexError, index_abbreviations, index_site
from styrdok.search.terms import (TITLE_WEIGHT, Namn, base_forms, build_lexicon, page_search_terms)

REPO = Path(__file__).resolve().parents[1]

TEXTS = [
    "Resultaten redovisas i kvalitetsberättelsen. Kvalitet betyder att brukaren får rätt stöd.",
    "MAS skriver patientsäkerhetsberättelsen varje år.",
    "Rutin för avvikelsehantering: en avvikelse rapporteras. Hantering av avvikelser sker samma dag.",
    "Handläggningstiden mäts. Handläggning ska vara rättssäker. Tiden räknas från ansökan.",
    "Registrera avvikelsen i verksamhetssystemet. Systemet finns på startsidan. Verksamhet pågår.",
]
NAMES = (
    Namn("Avvikelse", None, ("händelse", "incident", "fel")),
    Namn("Medicinskt ansvarig sjuksköterska", "MAS", ()),
)


@pytest.fixture(scope="module")
def lexicon():
    return build_lexicon(TEXTS, ["Kvalitetsberättelse", "Patientsäkerhetsberättelse", "Patientsäkerhet"])


def test_a_lexicon_built_again_after_a_change_is_the_one_built_from_nothing():
    """build_lexicon keeps the last texts' word counts and adds and takes away the texts that
    changed (the preview, after a save): the same lexicon as counting everything anew."""
    from styrdok.search import terms
    changed = [TEXTS[0], TEXTS[1] + " Verksamhetsberättelsen skrivs.", TEXTS[2], TEXTS[2], TEXTS[4]]
    for texts in (TEXTS, changed, TEXTS[:2], TEXTS, [], TEXTS):
        again = build_lexicon(texts, ["Patientsäkerhet"])
        terms._COUNTED.update(texts=None, counts=None)
        assert again == build_lexicon(texts, ["Patientsäkerhet"])
        build_lexicon(changed, [])      # the next round starts from other texts


def test_compounds_split_into_words_the_handbook_uses(lexicon):
    assert lexicon.split("avvikelsehantering") == ("avvikelse", "hantering")
    assert lexicon.split("verksamhetssystemet") == ("verksamhet", "systemet")
    # berättelse never stands alone, but ends two compounds after a known word and a linking s
    assert lexicon.split("kvalitetsberättelsen") == ("kvalitet", "berättelsen")


def test_words_are_not_split_into_endings(lexicon):
    assert lexicon.split("handläggning") == ()
    assert lexicon.split("avvikelserna") == ()
    # -ning words take the linking s: never handläggning + stiden
    assert "stiden" not in lexicon.split("handläggningstiden")


def test_inflected_forms_find_their_base():
    assert "avvikelse" in base_forms("avvikelserna")
    assert "avvikelse" in base_forms("avvikelsen")
    assert "rapportera" in base_forms("rapporteras")


def test_page_gets_compound_parts_synonyms_and_abbreviations(lexicon):
    terms = page_search_terms(lexicon, NAMES, "Registrera avvikelsen i verksamhetssystemet. Ring MAS.",
                              title="Instruktion för att registrera en avvikelse i verksamhetssystemet")
    compounds = {line.word: line for line in terms.compounds}
    assert compounds["verksamhetssystemet"].also == ("verksamhet", "systemet")
    assert compounds["verksamhetssystemet"].weight == TITLE_WEIGHT        # in the title: the page is about it
    names = {line.word: line.also for line in terms.names}
    assert names["Avvikelse"] == ("händelse", "incident", "fel")
    assert names["MAS"] == ("Medicinskt ansvarig sjuksköterska",)


def test_synonym_alone_does_not_stand_for_the_term(lexicon):
    terms = page_search_terms(lexicon, NAMES, "Det blev fel i schemat.")
    assert terms.names == ()


def test_full_name_finds_the_abbreviation_and_weight_grows_with_use(lexicon):
    once = page_search_terms(lexicon, NAMES, "Kontakta medicinskt ansvarig sjuksköterska.")
    often = page_search_terms(lexicon, NAMES, "Medicinskt ansvarig sjuksköterska. " * 9)
    assert once.names[0].also == ("MAS",)
    assert often.names[0].weight > once.names[0].weight


def test_example_handbook_units_and_document_data():
    handbook, problems = load_handbook(REPO)
    assert handbook is not None, problems
    doc = handbook.dokument["avvikelsehantering"]
    below = {u.id for u in units_below(handbook, doc.galler_for)}
    assert {"socialforvaltningen", "hemtjanst-norr", "barn-och-unga"} <= below
    data = SearchIndexer(handbook).page_data(doc.body, doc.titel, doc)
    assert data.typ == "Rutin"
    assert "Hemtjänst norr" in data.enhet_filter
    assert any(line.word == "avvikelsehantering" for line in data.terms.compounds)


def test_abbreviations_index_their_explanation():
    html = '<p><abbr title="Medicinskt ansvarig sjuksköterska">MAS</abbr> ringer.</p>'
    assert 'data-pagefind-index-attrs="title"' in index_abbreviations(html)


def test_pagefind_without_pages_fails_with_a_swedish_message(tmp_path):
    (tmp_path / "index.html").write_text("<html lang='sv'><body></body></html>", encoding="utf-8")
    with pytest.raises(SearchIndexError, match="Pagefind"):
        index_site(tmp_path)


def test_failed_search_index_leaves_site_untouched(mini):
    """A Pagefind failure stops the build before the swap: the published site/ stays as it was."""
    assert run_cli(mini, "build").returncode == 0
    before = tree_digest(mini / "site")
    page = mini / "docs" / "rutiner" / "avvikelser.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nNy rad.\n", encoding="utf-8")
    code = ("import sys\n"
            "import styrdok.search.pagefind as pagefind\n"
            "def broken(site, pages=None):\n"
            "    raise pagefind.SearchIndexError('Pagefind kunde inte bygga sökindexet (test).')\n"
            "pagefind.start_index = broken\n"
            "pagefind.start_feed = lambda *args: broken(None)\n"
            "from styrdok.cli import main\n"
            "sys.exit(main(['--root', sys.argv[1], 'build']))\n")
    result = subprocess.run([sys.executable, "-c", code, str(mini)], capture_output=True, text=True, cwd=mini)
    assert result.returncode == 1
    assert "Pagefind kunde inte bygga sökindexet" in result.stderr
    assert "inget i site/ har ändrats" in result.stderr
    assert tree_digest(mini / "site") == before


def test_the_index_built_from_the_search_copies_is_the_index_of_the_whole_pages(mini, tmp_path):
    """styrdok build gives Pagefind only each page's searchable part (search_copy), while MkDocs
    writes the pages: given the whole published pages in the same order, Pagefind writes the same
    fragments and word index; and its command line over the whole site the same fragments (its
    word index numbers the pages in its own order)."""
    import shutil
    from styrdok.search.pagefind import index_pages
    assert run_cli(mini, "build", "--utan-word").returncode == 0
    site = mini / "site"

    def index(folder, part):
        return {p.name: p.read_bytes() for p in (folder / part).iterdir()}
    # the order MkDocs wrote the pages in: the order of the fragments' urls is not it, so build
    # both indexes from the same order, once from the copies and once from the whole pages
    from styrdok.search.pagefind import search_copy
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html")
                   if "data-pagefind-body" in p.read_text(encoding="utf-8"))
    whole = [(rel, (site / rel).read_text(encoding="utf-8")) for rel in pages]
    assert index_pages(whole, tmp_path / "hela") > 10
    assert index_pages([(rel, search_copy(html)) for rel, html in whole], tmp_path / "kopior") > 10
    for part in ("fragment", "index"):         # (filters: Pagefind orders them by thread timing)
        assert index(tmp_path / "hela", part) == index(tmp_path / "kopior", part), part
    assert index(tmp_path / "hela", "fragment") == index(site / "pagefind", "fragment")
    cli = tmp_path / "cli-sajt"
    shutil.copytree(site, cli)
    shutil.rmtree(cli / "pagefind")
    assert index_site(cli) == len(pages)
    assert index(cli / "pagefind", "fragment") == index(site / "pagefind", "fragment")


def test_a_site_layer_whose_hooks_write_no_search_copies_is_indexed_from_its_pages(mini):
    """An older overrides/hooks/search.py (no on_post_page): Pagefind reads the built pages instead."""
    hook = mini / "overrides" / "hooks" / "search.py"
    text = hook.read_text(encoding="utf-8")
    hook.write_text(text[:text.index("@event_priority(-100)")], encoding="utf-8")
    proc = run_cli(mini, "build", "--utan-word")
    assert proc.returncode == 0, proc.stderr
    assert list((mini / "site" / "pagefind" / "fragment").iterdir())


def test_a_new_word_makes_only_the_pages_that_contain_it_compute_their_words_again(tmp_path, monkeypatch):
    """The extra words of a page depend on the whole handbook's lexicon. They are kept between builds
    (.cache/memo/); when a page edit adds a word to the lexicon ("plan"), a page whose text contains
    it computes its words again (kvalitetsplan now splits into kvalitet + plan), the others keep theirs."""
    from styrdok import memo
    from styrdok.search import page as search_page
    made = []

    def counting(lexicon, names, text, title=""):
        made.append(title)
        return page_search_terms(lexicon, names, text, title)
    monkeypatch.setattr(search_page, "page_search_terms", counting)
    pages = {"A": "Kvalitetsplanen beskriver arbetet.", "B": "Arbetet med kvalitet och brukarna."}

    def build(texts: list[str]) -> dict:
        indexer = SearchIndexer(None)
        indexer._lexicon, indexer._names = build_lexicon(texts), ()
        with memo.session(tmp_path):
            return {title: indexer.terms(text, title) for title, text in pages.items()}
    first = build(["kvalitet arbete brukare"])
    assert made == ["A", "B"] and not any(line.word == "kvalitetsplanen" for line in first["A"].compounds)
    made.clear()
    assert build(["kvalitet arbete brukare brukarmöte"]) == first      # a new word no page contains
    assert made == []
    again = build(["kvalitet arbete brukare brukarmöte plan"])
    assert made == ["A"]
    assert ("kvalitet", "planen") in {line.also for line in again["A"].compounds}
    assert again["B"] == first["B"]
