"""Law references: the SOSFS 2011:9 data cites chapters as the consolidated text does, the check
reads body text for repealed regulations, the lagrum page lists who cites what, and the Word
header marks a repealed lagrum as the site card does."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from docx import Document

from conftest import REPO, run_cli
from styrdok.lagrum import number_index, references_in_text
from styrdok.model import Lagrum
from test_site import Text, page, section


def _lagrum(**kw) -> Lagrum:
    return Lagrum(**{"status": "gällande", **kw})


LAGRUM = {
    "sol-2001": _lagrum(id="sol-2001", kortnamn="SoL", titel="Socialtjänstlag", beteckning="SFS 2001:453",
                        status="upphävd", ersatt_av="sol-2025"),
    "sol-2025": _lagrum(id="sol-2025", kortnamn="SoL", titel="Socialtjänstlag", beteckning="SFS 2025:400"),
    "sosfs-2006-11": _lagrum(id="sosfs-2006-11", titel="Ledningssystem för kvalitet", beteckning="SOSFS 2006:11",
                             status="upphävd", ersatt_av="sosfs-2011-9"),
    "sosfs-2011-9": _lagrum(id="sosfs-2011-9", titel="Ledningssystem", beteckning="SOSFS 2011:9"),
}


@pytest.mark.parametrize("text, found", [
    ("enligt socialtjänstlagen (2001:453) ska", [("sol-2001", "2001:453")]),
    ("SoL (SFS 2001:453)", [("sol-2001", "SFS 2001:453")]),
    ("Föreskriften SOSFS 2006:11 gäller", [("sosfs-2006-11", "SOSFS 2006:11")]),
    ("(SOSFS 2011:09) och SOSFS 2011:9", [("sosfs-2011-9", "SOSFS 2011:09"), ("sosfs-2011-9", "SOSFS 2011:9")]),
    ("HSLF-FS 2001:453 är något annat", []),          # another series with the same number
    ("telefon 2001:4530, tid 12:00", []),
    ("SOSFS 2006:5 om dokumentation", []),            # not in the data
])
def test_references_in_text(text, found):
    refs = references_in_text(text, number_index(LAGRUM))
    assert [(r.lagrum.id, r.written) for r in refs] == found


def test_sosfs_data_follows_the_consolidated_chapters():
    data = yaml.safe_load((REPO / "data" / "sosfs-2011-9.yml").read_text(encoding="utf-8"))
    chapters = {k["kapitel"]: k for k in data}
    assert chapters[1]["rubrik"] == "Tillämpningsområde" and chapters[1]["krav"] is False
    assert chapters[2]["rubrik"] == "Definitioner" and chapters[2]["krav"] is False
    # the requirement to have a ledningssystem is 3 kap. 1 §; processes, activities, rutiner 4 kap. 2–4 §§
    assert [p["id"] for p in chapters[3]["paragrafer"]][0] == "3-kap-1"
    assert "ledningssystem" in chapters[3]["paragrafer"][0]["innebord"]
    four = {p["id"]: p["innebord"] for p in chapters[4]["paragrafer"]}
    assert "processer" in four["4-kap-2"] and "Aktiviteterna" in four["4-kap-3"] and "rutiner" in four["4-kap-4"]
    for k in data:
        for p in k["paragrafer"]:
            assert p["id"] == f"{k['kapitel']}-kap-{p['paragraf'].split()[0]}"
    header = (REPO / "data" / "sosfs-2011-9.yml").read_text(encoding="utf-8").split("\n- ")[0]
    assert "HSLF-FS 2023:27" in header


def test_sosfs_matrix_cites_chapters_as_the_consolidated_text(example_built):
    body = Text.of(page(example_built, "ledningssystem/sosfs-2011-9"))
    assert "3 kap. 1 § Den som bedriver socialtjänst ansvarar för att verksamheten har ett ledningssystem" in body
    assert re.search(r"4 kap\. 4 § Varje aktivitet .*? Rutin för hantering av styrdokument", body)
    assert "2 kap. 1 §" not in body                          # definitions are no requirement
    assert "1 kap. Tillämpningsområde och 2 kap. Definitioner ställer inga egna krav" in body


def test_uppfyller_a_definition_is_an_error(mini):
    shutil_copy_sosfs(mini)
    doc = mini / "docs" / "rutiner" / "avvikelser.md"
    doc.write_text(doc.read_text(encoding="utf-8").replace("taggar:", "uppfyller: [2-kap-1]\ntaggar:"),
                   encoding="utf-8")
    proc = run_cli(mini, "check")
    assert proc.returncode == 1
    assert ("docs/rutiner/avvikelser.md: fel: uppfyller: uppfyller: Paragrafen '2-kap-1' (2 kap. 1 §, Definitioner) "
            "ställer inga krav") in proc.stderr


def shutil_copy_sosfs(root: Path) -> None:
    (root / "data" / "sosfs-2011-9.yml").write_bytes((REPO / "data" / "sosfs-2011-9.yml").read_bytes())


BODY_WITH_OLD_LAW = """
## Bakgrund

Rutinen bygger på socialtjänstlagen (2001:453) och på
föreskriften SOSFS 2006:11, som kommunen följer.
"""


def _add_old_references(root: Path) -> Path:
    lagrum = root / "data" / "lagrum.yml"
    lagrum.write_text(lagrum.read_text(encoding="utf-8") + """
- id: sosfs-2006-11
  titel: Ledningssystem för kvalitet
  beteckning: SOSFS 2006:11
  status: upphävd
  ersatt_av: sosfs-2011-9
  upphavd_fran: 2012-01-01
- id: sosfs-2011-9
  titel: Ledningssystem för systematiskt kvalitetsarbete
  beteckning: SOSFS 2011:9
  status: gällande
""", encoding="utf-8")
    doc = root / "docs" / "rutiner" / "avvikelser.md"
    doc.write_text(doc.read_text(encoding="utf-8") + BODY_WITH_OLD_LAW, encoding="utf-8")
    return doc


def test_check_reads_body_text_for_repealed_law_and_names_the_replacement(mini):
    doc = _add_old_references(mini)
    lines = doc.read_text(encoding="utf-8").splitlines()
    sol_line = next(i for i, t in enumerate(lines, 1) if "2001:453" in t)
    proc = run_cli(mini, "check")
    assert proc.returncode == 0, proc.stderr                        # a warning, not an error
    assert (f"docs/rutiner/avvikelser.md:{sol_line}: varning: Texten hänvisar till '2001:453': Socialtjänstlag "
            "(SoL, SFS 2001:453) är upphävd sedan 2025-07-01. Skriv i stället Socialtjänstlag (SoL, SFS 2025:400)."
            ) in proc.stderr
    assert (f"docs/rutiner/avvikelser.md:{sol_line + 1}: varning: Texten hänvisar till 'SOSFS 2006:11': "
            "Ledningssystem för kvalitet (SOSFS 2006:11) är upphävd sedan 2012-01-01. Skriv i stället "
            "Ledningssystem för systematiskt kvalitetsarbete (SOSFS 2011:9).") in proc.stderr


def test_lagrum_page_lists_citing_documents_and_card_and_word_mark_repealed(mini):
    _add_old_references(mini)
    doc = mini / "docs" / "rutiner" / "avvikelser.md"
    doc.write_text(doc.read_text(encoding="utf-8").replace("lagrum: [sol-2025]", "lagrum: [sol-2001]"),
                   encoding="utf-8")
    (mini / "docs" / "lagrum.md").write_text("# Lagrum\n\n{{ lagrumslista() }}\n", encoding="utf-8")
    proc = run_cli(mini, "build")
    assert proc.returncode == 0, proc.stderr
    rows = {}
    for tr in re.findall(r"<tr>(.*?)</tr>", page(mini, "lagrum"), re.S)[1:]:
        cells = [Text.of(td) for td in re.findall(r"<td>(.*?)</td>", tr, re.S)]
        rows[cells[1]] = cells
    assert rows["SOSFS 2006:11"][2].startswith("Upphävd från 2012-01-01, ersatt av SOSFS 2011:9")
    assert rows["SOSFS 2006:11"][3] == "Rutin för avvikelser & risker"          # cited in its text only
    assert rows["SFS 2001:453"][3] == "Rutin för avvikelser & risker"           # front matter and text
    assert rows["SFS 2025:400"][3] == "–"
    card = Text.of(section(page(mini, "rutiner/avvikelser"), "styrdok-kort"))
    assert "Socialtjänstlag (SoL, SFS 2001:453) (upphävd)" in card
    word = Document(str(mini / "site" / "word" / "avvikelser.docx"))
    meta = {r.cells[0].text: r.cells[1].text for r in word.tables[0].rows}
    assert meta["Lagrum"] == "Socialtjänstlag (SoL, SFS 2001:453) (upphävd)"
