"""History includes data: a data commit shows in the revision history, Nyligen ändrat and the feed of
exactly the documents whose rendering it changed; a kommun may show readers only the kind of change."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from test_decided import IDAG, build, decided, decided_once, edit, git, page, run_cli  # noqa: F401  (fixtures)

ATOM = "{http://www.w3.org/2005/Atom}"


def history_rows(html):
    hist = html[html.index('id="revisionshistorik"'):]
    return re.findall(r"<tr><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td></tr>", hist)


def feed_titles(root):
    feed = ET.parse(root / "site" / "andringar.xml").getroot()
    return [e.findtext(f"{ATOM}title") for e in feed.iter(f"{ATOM}entry")]


def test_data_commit_is_in_the_history_of_exactly_the_documents_it_changed(decided):
    edit(decided / "data" / "ansvar.yml", "Sammanställer avvikelserna varje kvartal.",
         "Sammanställer avvikelserna varje månad.")
    git(decided, "commit", "-q", "-am", "Tätare sammanställning")
    edit(decided / "data" / "kvalitetsplaner" / "sof-2026.yml", "Ta fram en affisch.", "Ta fram en affisch och en film.")
    git(decided, "commit", "-q", "-am", "Film i kvalitetsplanen")
    build(decided)
    rows = history_rows(page(decided, "rutiner/avvikelser"))
    messages = [r[2] for r in rows]
    assert messages[0] == "Tätare sammanställning (ändrat i data/ansvar.yml)"
    assert rows[0][1] == "Sara SAS"
    assert not any("Film i kvalitetsplanen" in m for m in messages)       # did not change this page
    assert messages[-1] == "Första versionen"
    other = [r[2] for r in history_rows(page(decided, "rutiner/riktlinje-kvalitet"))]
    assert not any("Tätare sammanställning" in m for m in other)          # does not show data/ansvar.yml
    recent = page(decided, "andringar")
    assert re.search(r"Tätare sammanställning \(ändrat i data/ansvar\.yml\).*?href=\"\.\./rutiner/avvikelser/\"",
                     recent, re.S) or re.search(r"href=\"\.\./rutiner/avvikelser/\".*?Tätare sammanställning",
                                                recent, re.S)
    titles = feed_titles(decided)
    assert "Rutin för avvikelser & risker: Tätare sammanställning (ändrat i data/ansvar.yml)" in titles
    assert not any(t.startswith("Riktlinje för kvalitet: Tätare") for t in titles)


def test_readers_may_see_only_the_kind_of_change(decided):
    with (decided / "data" / "kommun.yml").open("a", encoding="utf-8") as f:
        f.write("historik_for_lasare: andringstyp\n")
    git(decided, "commit", "-q", "-am", "Lisa Larsson på enheten bad om kortare text")
    edit(decided / "data" / "ansvar.yml", "varje kvartal.", "varje månad.")
    git(decided, "commit", "-q", "-am", "Tätare sammanställning enligt Lisa")
    build(decided)
    html = page(decided, "rutiner/avvikelser")
    messages = [r[2] for r in history_rows(html)]
    assert messages == ["Ändring genom data", "Beslut", "Ändring"]
    assert "Lisa" not in html
    assert "Lisa" not in page(decided, "andringar")
    assert not any("Lisa" in t for t in feed_titles(decided))
    assert "Rutin för avvikelser & risker: Ändring genom data" in feed_titles(decided)
